/**
 * Start-up repair. A writer holds a Web Lock named after its version or job while it works; when the tab
 * that held it is gone the lock is free, so anything still marked 'writing' or 'running' without its
 * lock was interrupted: half-written versions are deleted, running jobs become 'interrupted'.
 * Where Web Locks are missing (Node tests) every unfinished item counts as interrupted.
 */
import type { PipetteDB } from './db';
import { removeVersionData } from './datasets';

export function writerLockName(id: string): string {
  return `pipette-writer-${id}`;
}

/** Run work while holding the writer lock for id (a no-op wrapper where Web Locks are missing). */
export async function holdingWriterLock<T>(id: string, work: () => Promise<T>): Promise<T> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return work();
  return locks.request(writerLockName(id), () => work());
}

async function isHeld(id: string): Promise<boolean> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return false;
  const state = await locks.query();
  return (state.held ?? []).some((l) => l.name === writerLockName(id));
}

export async function sweepInterrupted(db: PipetteDB): Promise<{ versions: number; jobs: number }> {
  let versions = 0;
  let jobs = 0;
  for (const v of await db.versions.where('status').equals('writing').toArray()) {
    if (await isHeld(v.id)) continue;
    await removeVersionData(db, v.id);
    versions++;
  }
  for (const job of await db.jobs.where('status').anyOf('running', 'queued').toArray()) {
    if (await isHeld(job.id)) continue;
    await db.jobs.update(job.id, { status: 'interrupted', updatedAt: Date.now() });
    jobs++;
  }
  await sweepRuns(db);
  return { versions, jobs };
}

/**
 * Training runs: the training worker holds a run's writer lock while it trains (or is paused), so a run
 * still marked active without its lock lost its worker (a reload, a closed tab, a crash). Its last
 * checkpoint stays, and the Train stage offers to resume from it.
 */
export async function sweepRuns(db: PipetteDB): Promise<number> {
  let runs = 0;
  for (const run of await db.runs.where('status').anyOf('running', 'queued', 'paused').toArray()) {
    if (await isHeld(run.id)) continue;
    await db.runs.update(run.id, { status: 'interrupted', updatedAt: Date.now() });
    runs++;
  }
  return runs;
}
