/**
 * The generated N x 10 CSV the import and project-file benches read: ids, five floats, an integer count, a
 * category, a boolean and a date. Seeded (an LCG), so every run reads the same file; cached in .bench/.
 */
import { createWriteStream, mkdirSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';

export async function generatedCsv(rows: number, seed: number): Promise<string> {
  const dir = join(process.cwd(), '.bench');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `generated-${rows}-x-10-seed-${seed}.csv`);
  try {
    if (statSync(path).size > 0) return path;
  } catch {
    /* not generated yet */
  }
  const out = createWriteStream(path);
  out.write('id,a,b,c,d,e,count,group,flag,day\n');
  let state = seed;
  const rand = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const groups = ['red', 'green', 'blue', 'cyan', 'magenta'];
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const day = new Date(Date.UTC(2020, 0, 1) + (i % 1000) * 86_400_000).toISOString().slice(0, 10);
    chunk += `${i},${(rand() * 100).toFixed(3)},${(rand() - 0.5).toFixed(5)},${(rand() * 1e4).toFixed(2)},${(rand() * 10).toFixed(4)},${(rand() * 3).toFixed(3)},${Math.floor(rand() * 1000)},${groups[i % 5]},${rand() < 0.5},${day}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return path;
}
