/**
 * The generated 1,000,000 x 20 table the validate and transform benches share: 12 floats, 4 integers,
 * 2 categories, 1 boolean, 1 date; a few columns with missing values. Seeded, so every run reads the same
 * table; cached as an Arrow IPC file in .bench/.
 */
import { statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Bool, Dictionary, Float64, Int32, Table, TimestampMillisecond, Utf8, makeVector, tableToIPC, vectorFromArray, type RecordBatch } from 'apache-arrow';

export const ROWS = 1_000_000;


export interface Generated {
  numeric: Record<string, Float64Array>;
  integer: Record<string, Int32Array>;
  categorical: Record<string, (string | null)[]>;
  flag: boolean[];
  day: Float64Array;
}

export function generate(): Generated {
  let seed = 20240611;
  const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const numeric: Record<string, Float64Array> = {};
  for (let c = 0; c < 12; c++) {
    const a = new Float64Array(ROWS);
    for (let i = 0; i < ROWS; i++) {
      // normal-ish (sum of uniforms), log-normal-ish and uniform columns, 1% missing in every third
      const u = rand() + rand() + rand() - 1.5;
      const v = c % 3 === 0 ? u * 10 + c : c % 3 === 1 ? Math.exp(u) * 100 : rand() * 1000;
      a[i] = c % 3 === 0 && rand() < 0.01 ? NaN : v;
    }
    numeric[`n${c}`] = a;
  }
  const integer: Record<string, Int32Array> = {};
  for (let c = 0; c < 4; c++) integer[`i${c}`] = Int32Array.from({ length: ROWS }, () => Math.floor(rand() * 10 ** (c + 1)));
  const words = ['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'];
  const categorical = {
    color: Array.from({ length: ROWS }, () => (rand() < 0.02 ? null : words[Math.floor(rand() * rand() * words.length)]!)),
    code: Array.from({ length: ROWS }, () => `K${Math.floor(rand() * 5000)}`),
  };
  const flag = Array.from({ length: ROWS }, () => rand() < 0.3);
  const day = Float64Array.from({ length: ROWS }, () => Date.UTC(2020, 0, 1) + Math.floor(rand() * 1500) * 86_400_000);
  return { numeric, integer, categorical, flag, day };
}

export function arrowFile(g: Generated): Uint8Array {
  const cols: Record<string, ReturnType<typeof makeVector>> = {};
  for (const [k, a] of Object.entries(g.numeric)) {
    // NaN marks a missing value in the generator; in the file it is an Arrow null
    cols[k] = a.some((x) => Number.isNaN(x)) ? vectorFromArray(Array.from(a, (x) => (Number.isNaN(x) ? null : x)), new Float64()) : makeVector(a);
  }
  for (const [k, a] of Object.entries(g.integer)) cols[k] = makeVector(a);
  for (const [k, a] of Object.entries(g.categorical)) cols[k] = vectorFromArray(a, new Dictionary(new Utf8(), new Int32()));
  cols.flag = vectorFromArray(g.flag, new Bool());
  cols.day = vectorFromArray(Array.from(g.day, (ms) => ms), new TimestampMillisecond());
  return tableToIPC(new Table(cols), 'file');
}

/** The table as an Arrow file in .bench/ (written again only when missing or stale), and its bytes. */
export function generatedFile(dir: string): { path: string; ipc: Uint8Array; generated: Generated } {
  mkdirSync(dir, { recursive: true });
  const generated = generate();
  const path = join(dir, 'generated-1m-x-20.arrow');
  const ipc = arrowFile(generated);
  try {
    if (statSync(path).size !== ipc.byteLength) throw new Error('stale');
  } catch {
    writeFileSync(path, ipc);
  }
  return { path, ipc, generated };
}

/** Record batches of 64k rows, as the store holds them. */
export function rebatch(table: Table, size = 65_536): RecordBatch[] {
  const out: RecordBatch[] = [];
  for (let i = 0; i < table.numRows; i += size) out.push(...table.slice(i, i + size).batches);
  return out;
}
