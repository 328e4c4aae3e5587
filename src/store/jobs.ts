/** Job rows: the page watches them with liveQuery to show progress; workers update them. */
import { newId, type Job, type PipetteDB } from './db';

export async function createJob(
  db: PipetteDB,
  init: Pick<Job, 'projectId' | 'kind' | 'label'> & { id?: string },
): Promise<Job> {
  const now = Date.now();
  const job: Job = { id: newId(), status: 'running', progress: 0, createdAt: now, updatedAt: now, ...init };
  await db.jobs.add(job);
  return job;
}

export async function updateJob(db: PipetteDB, id: string, patch: Partial<Omit<Job, 'id'>>): Promise<void> {
  await db.jobs.update(id, { ...patch, updatedAt: Date.now() });
}
