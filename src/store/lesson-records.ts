/**
 * Lessons (issue 18): a learner's progress per project and lesson (steps seen done or marked, answers
 * given), and a workshop's chosen lessons per project (the Lessons page starts at the first of them).
 * The project file (export/import) carries both: `listLessonProgress` and `getWorkshop` read them,
 * `putLessonProgress` and `setWorkshop` write them into the imported project.
 */
import type { PipetteDB } from './db';

export interface LessonProgressRecord {
  projectId: string;
  lessonId: string;
  /** Step id -> when it was first seen done, or marked done by the learner. */
  steps: Record<string, number>;
  /** Question id -> the last answer given and whether it was right then. */
  answers: Record<string, { value: string; correct: boolean; at: number }>;
  updatedAt: number;
}

export interface LessonWorkshopRecord {
  projectId: string;
  /** The chosen lessons' ids, in the teacher's order. */
  lessonIds: string[];
  updatedAt: number;
}

/** Every lesson's progress in a project (for the Lessons page and the project file). */
export function listLessonProgress(db: PipetteDB, projectId: string): Promise<LessonProgressRecord[]> {
  return db.lessonProgress.where('projectId').equals(projectId).toArray();
}

/** Write progress records as they are (an imported project's, with its new project id). */
export async function putLessonProgress(db: PipetteDB, records: readonly LessonProgressRecord[]): Promise<void> {
  await db.lessonProgress.bulkPut([...records]);
}

/** Record steps seen done, keeping the first time of each (one transaction, so two tabs cannot lose one). */
export function recordStepsDone(db: PipetteDB, projectId: string, lessonId: string, stepIds: readonly string[], now = Date.now()): Promise<void> {
  return updateProgress(db, projectId, lessonId, now, (p) => {
    for (const id of stepIds) p.steps[id] ??= now;
  });
}

/** The learner marks (or unmarks) a step the app keeps no record of. */
export function markStep(db: PipetteDB, projectId: string, lessonId: string, stepId: string, done: boolean, now = Date.now()): Promise<void> {
  return updateProgress(db, projectId, lessonId, now, (p) => {
    if (done) p.steps[stepId] ??= now;
    else delete p.steps[stepId];
  });
}

export function recordAnswer(db: PipetteDB, projectId: string, lessonId: string, questionId: string, value: string, correct: boolean, now = Date.now()): Promise<void> {
  return updateProgress(db, projectId, lessonId, now, (p) => {
    p.answers[questionId] = { value, correct, at: now };
  });
}

async function updateProgress(db: PipetteDB, projectId: string, lessonId: string, now: number, change: (p: LessonProgressRecord) => void): Promise<void> {
  await db.transaction('rw', db.lessonProgress, async () => {
    const old = await db.lessonProgress.get([projectId, lessonId]);
    const record: LessonProgressRecord = old
      ? { ...old, steps: { ...old.steps }, answers: { ...old.answers } }
      : { projectId, lessonId, steps: {}, answers: {}, updatedAt: now };
    change(record);
    record.updatedAt = now;
    await db.lessonProgress.put(record);
  });
}

/** Start the project at lesson one of these (a workshop); an empty list offers every lesson again. */
export async function setWorkshop(db: PipetteDB, projectId: string, lessonIds: readonly string[], now = Date.now()): Promise<void> {
  if (lessonIds.length === 0) await db.lessonWorkshops.delete(projectId);
  else await db.lessonWorkshops.put({ projectId, lessonIds: [...lessonIds], updatedAt: now });
}

export async function getWorkshop(db: PipetteDB, projectId: string): Promise<LessonWorkshopRecord | null> {
  return (await db.lessonWorkshops.get(projectId)) ?? null;
}
