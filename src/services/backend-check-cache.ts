/**
 * The backend check saved in IndexedDB (issue 16: Settings takes a moment, not a minute): a small
 * database of its own, keyed by core/train/backends.ts's checkCacheKey (browser, TF.js version, the
 * check's version, isolation), so the project database's schema is not involved.
 */
import Dexie, { type Table } from 'dexie';
import type { BackendCheckCache, SavedCheck } from '../core/train/backends';

interface Row extends SavedCheck {
  key: string;
}

class CheckDatabase extends Dexie {
  checks!: Table<Row, string>;

  constructor() {
    super('pipette-backend-check');
    this.version(1).stores({ checks: 'key' });
  }
}

export function indexedDbCheckCache(): BackendCheckCache {
  const db = new CheckDatabase();
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
