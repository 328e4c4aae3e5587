/** Python syntax checks for the exported files: the bundled Lezer grammar, and CPython's compiler where present. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parser } from '@lezer/python';

/** Where the Lezer Python grammar finds no valid parse: each error node's offset and the text around it. */
export function syntaxErrors(source: string): string[] {
  const errors: string[] = [];
  parser.parse(source).iterate({
    enter(node) {
      if (node.type.isError) errors.push(`${node.from}: ${JSON.stringify(source.slice(Math.max(0, node.from - 30), node.from + 30))}`);
    },
  });
  return errors;
}

/** Whether `python3` runs here (CI may not have Python; the Lezer check runs everywhere). */
export function hasPython(): boolean {
  return spawnSync('python3', ['--version']).status === 0;
}

/** `python3 -m py_compile` over the files (name -> text): the exit status and what the compiler said. */
export function pyCompile(files: Record<string, string>): { status: number | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pipette-export-'));
  const paths = Object.entries(files).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
  const run = spawnSync('python3', ['-m', 'py_compile', ...paths], { encoding: 'utf8' });
  return { status: run.status, stderr: run.stderr };
}
