/**
 * A test file's own build of the command-line runner, with bin/pipette.mjs beside it: run.test.ts builds
 * dist-cli/ at the same time in another worker (its emptyOutDir would pull main.js away from under these
 * runs). Inside node_modules, so the build's imports of npm packages resolve as they do from dist-cli/.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { expect } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

/** The directory of the build named `name` (node_modules/.cache/<name>). */
export function ownCliDir(name: string): string {
  return join(root, 'node_modules/.cache', name);
}

export async function buildOwnCli(cli: string): Promise<void> {
  rmSync(cli, { recursive: true, force: true });
  mkdirSync(join(cli, 'bin'), { recursive: true });
  copyFileSync(join(root, 'bin/pipette.mjs'), join(cli, 'bin/pipette.mjs'));
  await build({ configFile: join(root, 'vite.cli.config.ts'), root, logLevel: 'silent', build: { outDir: join(cli, 'dist-cli') } });
}

/** `pipette <args>` of that build in its own Node process, in `cwd`; an expected failure is words, never a stack trace. */
export function runOwnCli(cli: string, cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(cli, 'bin/pipette.mjs'), ...args], { cwd, encoding: 'utf8' });
  expect(r.stdout + r.stderr).not.toContain('    at ');
  return r;
}
