/** "Open the demo project": one project with every bundled demo dataset, imported through the normal path. */
import * as Comlink from 'comlink';
import { db } from '../store/db';
import { createProject, deleteProject } from '../store/projects';
import { dataWorker } from './workers';

class DemoProgress {
  running = $state(false);
  done = $state(0);
  total = $state(0);
  name = $state('');
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
  demoProgress.running = true;
  try {
    await dataWorker.api.importDemo(
      crypto.randomUUID(),
      project.id,
      new URL('demo/', document.baseURI).href,
      Comlink.proxy((done: number, total: number, file: string) => {
        demoProgress.done = done;
        demoProgress.total = total;
        demoProgress.name = file;
      }),
    );
    return project.id;
  } catch (e) {
    // Half a demo is worse than none: the person can simply try again.
    await deleteProject(db(), project.id);
    throw e;
  } finally {
    demoProgress.running = false;
  }
}
