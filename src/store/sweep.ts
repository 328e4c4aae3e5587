/**
 * Start-up repair. A writer holds a Web Lock named after its version or job while it works; when the tab
 * that held it is gone the lock is free, so anything still marked 'writing' or 'running' without its
 * lock was interrupted: half-written versions are deleted, running jobs become 'interrupted'.
 * Where Web Locks are missing (Node tests) every unfinished item counts as interrupted.
 */
import type { PipetteDB } from './db';
import { removeVersionData } from './datasets';
import { sweepProjectImports } from './project-file-records';

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
  await sweepPipelineRuns(db);
  // a project-file import whose tab went away: its records of a project nobody lists are removed
  await sweepProjectImports(db);
  return { versions, jobs };
}

/**
 * A reload can start the new page before the old page's data worker has let go of an import's writer lock,
 * so the start-up sweep sees the lock held and leaves the job 'running' (the "interrupted" banner would show
 * only on the load after). The Data page therefore waits for the lock of every job still marked running:
 * once it is granted and the job is still running, its writer is gone, so the job becomes 'interrupted' and
 * the sweep removes its half-written version. A job that is really running (in this or another tab)
 * finishes first and is then left alone. Resolves true when it marked the job.
 */
export async function sweepJobWhenFree(db: PipetteDB, jobId: string): Promise<boolean> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return false;
  const marked = await locks.request(writerLockName(jobId), async () => {
    const job = await db.jobs.get(jobId);
    if (!job || (job.status !== 'running' && job.status !== 'queued')) return false;
    await db.jobs.update(jobId, { status: 'interrupted', updatedAt: Date.now() });
    return true;
  });
  if (marked) await sweepInterrupted(db);
  return marked;
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

/**
 * Pipeline runs: the tab that runs one holds its writer lock, so a run still 'running' without its lock
 * lost its tab. It is not lost: it becomes 'interrupted', and the Pipelines page continues it from its last
 * finished component (what finished stays in the record and the lineage).
 */
export async function sweepPipelineRuns(db: PipetteDB): Promise<number> {
  let runs = 0;
  for (const run of await db.pipelineRuns.where('status').equals('running').toArray()) {
    if (await isHeld(run.id)) continue;
    await db.pipelineRuns.update(run.id, { status: 'interrupted', updatedAt: Date.now() });
    runs++;
  }
  return runs;
}
