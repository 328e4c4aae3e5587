/**
 * What a run leaves in --out besides the artifacts, each file written atomically:
 *   mlmd-store.json   the ML Metadata store as this runner keeps it, reloaded by the next run with the same
 *                     --out, so unchanged components are cached as TFX caches them (after each component);
 *   runs/<runId>.json the run as the tab keeps it (RunRecord: each component's state, times, errors, outputs;
 *                     after each component);
 *   mlmd.json         the same lineage as MLMD's LineageGraph protobuf JSON (toMlmdJson; when the run ends).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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

export function runFile(out: string, runId: string): string {
  return join(out, 'runs', `${runId}.json`);
}
