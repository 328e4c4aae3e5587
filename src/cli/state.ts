/**
 * What a run leaves in --out besides the artifacts, each file written atomically:
 *   mlmd-store.json   the ML Metadata store as this runner keeps it, reloaded by the next run with the same
 *                     --out, so unchanged components are cached as TFX caches them (after each component);
 *   runs/<runId>.json the run as the tab keeps it (RunRecord: each component's state, times, errors, outputs;
 *                     after each component);
 *   mlmd.json         the same lineage as MLMD's LineageGraph protobuf JSON (toMlmdJson; when the run ends).
 *   .pipette.lock     the running process's id while it runs (lockOut).
 */
import { existsSync } from 'node:fs';
import { open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { toMlmdJson, type MlmdStore } from '../core/pipeline/mlmd';
import { emptyStore } from '../core/pipeline/mlmd-record';
import type { RunRecord } from '../core/pipeline/runner';
import { writeJsonAtomic } from './files';

const STORE_FORMAT = 'pipette-mlmd-store';
export const STORE_FILE = 'mlmd-store.json';
export const MLMD_FILE = 'mlmd.json';

/** The store an earlier run left in --out, or an empty one. */
export async function loadStore(out: string): Promise<MlmdStore> {
  const path = join(out, STORE_FILE);
  if (!existsSync(path)) return emptyStore();
  const doc = JSON.parse(await readFile(path, 'utf8')) as { format?: unknown; store?: MlmdStore };
  if (doc.format !== STORE_FORMAT || typeof doc.store !== 'object' || doc.store === null || !Array.isArray(doc.store.executions)) {
    throw new Error(`${path} is not a store this runner wrote; use another --out or remove the file`);
  }
  return { ...emptyStore(), ...doc.store };
}

/** The store and the run: after each component finishes (so no artifact is left without its lineage). */
export async function saveState(out: string, run: RunRecord, store: MlmdStore): Promise<void> {
  await writeJsonAtomic(join(out, STORE_FILE), { format: STORE_FORMAT, version: 1, store });
  await writeJsonAtomic(runFile(out, run.runId), run);
}

/** The lineage as MLMD's JSON, once the run is over. */
export function saveLineage(out: string, store: MlmdStore): Promise<void> {
  return writeJsonAtomic(join(out, MLMD_FILE), toMlmdJson(store));
}

const LOCK_FILE = '.pipette.lock';

/** Whether a process of this id is alive (signal 0 only checks; EPERM: alive, another user's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One run at a time per --out (the store is one file): a lock file holding this process's id, taken over
 * from a process that no longer runs. Then what a crashed run left staged (temp files and artifact
 * directories not renamed into place) is removed, as the tab's start-up sweep removes half-written
 * versions. Returns the release.
 */
export async function lockOut(out: string): Promise<() => Promise<void>> {
  const path = join(out, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) throw new Error(`--out ${out} is in use by another pipette run (process ${holder})`);
      await rm(path, { force: true });
    }
  }
  await sweep(out);
  return () => rm(path, { force: true });
}

const STAGED = /\.tmp-\d+$/;

async function sweep(out: string): Promise<void> {
  const entries = async (dir: string) => (existsSync(dir) ? readdir(dir, { withFileTypes: true }) : []);
  const dirs = [out, join(out, 'runs'), ...(await entries(join(out, 'artifacts'))).filter((e) => e.isDirectory()).map((e) => join(out, 'artifacts', e.name))];
  for (const dir of dirs) {
    for (const e of await entries(dir)) if (STAGED.test(e.name)) await rm(join(dir, e.name), { recursive: true, force: true });
  }
}

export function runFile(out: string, runId: string): string {
  return join(out, 'runs', `${runId}.json`);
}
