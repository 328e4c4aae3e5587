/** "Open the demo project": one project with every bundled demo dataset, imported through the normal path. */
import * as Comlink from 'comlink';
import type { ImportOutcome } from '../protocol/data';
import { db } from '../store/db';
import { createProject, deleteProject } from '../store/projects';
import { dataWorker } from './workers';
import { Job } from './workers/job.svelte';

/** The demo import: which file of how many is being imported. */
const job = new Job<ImportOutcome[], { done: number; total: number; name: string }>(dataWorker);

class DemoProgress {
  get running(): boolean {
    return job.running;
  }
  get done(): number {
    return job.progress?.done ?? 0;
  }
  get total(): number {
    return job.progress?.total ?? 0;
  }
  get name(): string {
    return job.progress?.name ?? '';
  }
}

export const demoProgress = new DemoProgress();

export interface DemoTexts {
  name: string;
  problem: string;
  baselineSource: string;
  notes: string;
}

/** Open the existing demo project, or build it (its texts in the person's language). Returns the project id. */
export async function openDemoProject(texts: DemoTexts): Promise<string> {
  const existing = (await db().projects.toArray()).find((p) => p.demo);
  if (existing) return existing.id;
  const project = await createProject(db(), texts.name, {
    demo: true,
    scope: {
      problem: texts.problem,
      target: 'Species',
      metric: 'accuracy',
      // 152 of the 344 penguins are Adelie: always answering "Adelie" is right 44.2% of the time.
      baseline: 0.442,
      baselineSource: texts.baselineSource,
      notes: texts.notes,
    },
  });
  const demoUrl = new URL('demo/', document.baseURI).href;
  const out = await job.start((jobId, onProgress) =>
    dataWorker.api.importDemo(jobId, project.id, demoUrl, Comlink.proxy((done: number, total: number, name: string) => onProgress({ done, total, name }))),
  );
  if (out) return project.id;
  // Half a demo is worse than none: the person can simply try again.
  await deleteProject(db(), project.id);
  throw job.error ?? new DOMException('the demo import was cancelled', 'AbortError');
}
