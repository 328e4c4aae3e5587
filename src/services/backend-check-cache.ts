/**
 * The backend check and the models' step times saved in IndexedDB (issue 16: Settings takes a moment,
 * not a minute; a model timed once is not timed again at the start of every run): a small database of its
 * own, so the project database's schema is not involved. Checks are keyed by core/train/backends.ts's
 * checkCacheKey (browser, TF.js version, the check's version, isolation); step times by that key, the
 * worker's wasm thread count and the model's timingKey.
 */
import Dexie, { type Table } from 'dexie';
import type { BackendCheckCache, SavedCheck } from '../core/train/backends';
import type { SavedTimings, TimingCache } from './train-backend';

interface Row extends SavedCheck {
  key: string;
}

interface TimingRow extends SavedTimings {
  key: string;
}

class CheckDatabase extends Dexie {
  checks!: Table<Row, string>;
  timings!: Table<TimingRow, string>;

  constructor() {
    super('pipette-backend-check');
    this.version(1).stores({ checks: 'key' });
    this.version(2).stores({ timings: 'key' });
  }
}

let shared: CheckDatabase | undefined;
const database = () => (shared ??= new CheckDatabase());

export function indexedDbCheckCache(): BackendCheckCache {
  const db = database();
  return {
    async get(key) {
      const row = await db.checks.get(key);
      return row && { reports: row.reports, checkedAt: row.checkedAt };
    },
    async put(key, check) {
      await db.checks.put({ key, ...check });
    },
  };
}

/** Step times under `prefix` (the browser's check key and the worker's wasm threads); `clear` forgets every model's. */
export function indexedDbTimingCache(prefix: string): TimingCache & { clear(): Promise<void> } {
  const db = database();
  return {
    async get(key) {
      const row = await db.timings.get(JSON.stringify([prefix, key]));
      return row && { candidates: row.candidates, timedAt: row.timedAt };
    },
    async put(key, saved) {
      await db.timings.put({ key: JSON.stringify([prefix, key]), ...saved });
    },
    async clear() {
      await db.timings.clear();
    },
  };
}
