/**
 * The lessons in course order, which of them are offered, and a lesson's progress: steps done (checked
 * over the project's records, or marked by the learner where the app keeps no record) and questions
 * answered against the answer computed from the same records. Pure: the page state runs these over live
 * queries of the store.
 */
import { featureSelectionLesson, labelingLesson, scopeLesson, transformLesson, validationLesson, weakSupervisionLesson } from './defs-data';
import { automlLesson, distillationLesson, pruningLesson, quantizationLesson, tuningLesson } from './defs-model';
import { explanationsLesson, fairnessLesson, mlopsLesson, modelAnalysisLesson, pipelinesLesson, servingLesson } from './defs-deploy';
import { LESSON_IDS, type LessonDef, type LessonId, type QuestionDef } from './lesson';
import type { LessonSnapshot } from './records';

export * from './lesson';
export type { LessonSnapshot } from './records';
export { EMPTY_SNAPSHOT } from './records';

const BY_ID: Record<LessonId, LessonDef> = {
  scope: scopeLesson,
  labeling: labelingLesson,
  'weak-supervision': weakSupervisionLesson,
  validation: validationLesson,
  transform: transformLesson,
  'feature-selection': featureSelectionLesson,
  tuning: tuningLesson,
  automl: automlLesson,
  quantization: quantizationLesson,
  pruning: pruningLesson,
  distillation: distillationLesson,
  'model-analysis': modelAnalysisLesson,
  explanations: explanationsLesson,
  fairness: fairnessLesson,
  serving: servingLesson,
  pipelines: pipelinesLesson,
  mlops: mlopsLesson,
};

/** Every lesson in course order (the chapters' order). */
export const LESSONS: readonly LessonDef[] = LESSON_IDS.map((id) => BY_ID[id]);

export function isLessonId(id: string): id is LessonId {
  return (LESSON_IDS as readonly string[]).includes(id);
}

export function lessonById(id: LessonId): LessonDef {
  return BY_ID[id];
}

/** What the app has built: stage ids whose page exists, and capabilities stages declare. */
export interface BuiltApp {
  stages: ReadonlySet<string>;
  capabilities: ReadonlySet<string>;
}

/**
 * What the app has built, from the stage registry's entries: a stage whose page loads, and the capabilities
 * such entries declare (an entry without a page offers none).
 */
export function builtAppOf(entries: readonly { id: string; load: unknown; capabilities?: readonly string[] }[]): BuiltApp {
  const built = entries.filter((e) => e.load !== null);
  return { stages: new Set(built.map((e) => e.id)), capabilities: new Set(built.flatMap((e) => e.capabilities ?? [])) };
}

/** Why a lesson is not offered: its stage is not built, or no stage offers the capability it needs. */
export type Unavailable = { stage: string } | { capability: string } | null;

export function unavailable(lesson: LessonDef, app: BuiltApp): Unavailable {
  if (!app.stages.has(lesson.stage)) return { stage: lesson.stage };
  if (lesson.capability && !app.capabilities.has(lesson.capability)) return { capability: lesson.capability };
  return null;
}

/**
 * The lessons a project offers, in order: a workshop's chosen lessons in the teacher's order (ids the app
 * does not know are left out), else every lesson.
 */
export function lessonsInOrder(workshop: readonly string[] | null): LessonDef[] {
  if (!workshop || workshop.length === 0) return [...LESSONS];
  const seen = new Set<string>();
  const out: LessonDef[] = [];
  for (const id of workshop) if (isLessonId(id) && !seen.has(id)) (seen.add(id), out.push(BY_ID[id]));
  return out;
}

/** What is kept of a learner's work on a lesson (per project). */
export interface LessonProgressData {
  /** Step id -> when it was first seen done, or marked done by the learner. */
  steps: Record<string, number>;
  /** Question id -> the last answer given and whether it was right then. */
  answers: Record<string, { value: string; correct: boolean; at: number }>;
}

export const NO_PROGRESS: LessonProgressData = { steps: {}, answers: {} };

export interface StepStatus {
  id: string;
  done: boolean;
  /** The learner marks it (no record of its outcome exists). */
  manual: boolean;
}

export interface QuestionStatus {
  id: string;
  answered: string | null;
  correct: boolean;
}

export interface LessonStatus {
  id: LessonId;
  steps: StepStatus[];
  questions: QuestionStatus[];
  /** Steps done plus questions answered right, of all steps and questions. */
  done: number;
  total: number;
  complete: boolean;
}

/** A step is done once its check passed (kept, so deleting a record later does not undo it) or the learner marked it. */
export function lessonStatus(lesson: LessonDef, snapshot: LessonSnapshot, progress: LessonProgressData): LessonStatus {
  const steps = lesson.steps.map((step) => ({
    id: step.id,
    manual: step.check === null,
    done: progress.steps[step.id] !== undefined || (step.check !== null && step.check(snapshot)),
  }));
  const questions = lesson.questions.map((q) => {
    const a = progress.answers[q.id];
    return { id: q.id, answered: a?.value ?? null, correct: a?.correct ?? false };
  });
  const done = steps.filter((s) => s.done).length + questions.filter((q) => q.correct).length;
  const total = steps.length + questions.length;
  return { id: lesson.id, steps, questions, done, total, complete: done === total };
}

/** Checked steps that pass now and are not recorded yet: the page state records them. */
export function newlyDone(lesson: LessonDef, snapshot: LessonSnapshot, progress: LessonProgressData): string[] {
  return lesson.steps.filter((s) => s.check !== null && progress.steps[s.id] === undefined && s.check(snapshot)).map((s) => s.id);
}

/**
 * A number as a person types it: spaces and a percent sign ignored, "1,234.5" with thousands separators,
 * "0,5" with a decimal comma. NaN when it is not a number.
 */
export function parseNumberAnswer(text: string): number {
  let t = text.replace(/[\s%％]/g, '');
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) t = t.replace(/,/g, '');
  else t = t.replace(',', '.');
  return t === '' || !/^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(t) ? Number.NaN : Number(t);
}

/** 'unknown' while the records do not hold the answer yet (the steps that produce it are not done). */
export function checkAnswer(q: QuestionDef, snapshot: LessonSnapshot, given: string): 'correct' | 'wrong' | 'unknown' {
  if (q.kind === 'choice') {
    const answer = q.answer(snapshot);
    if (answer === null) return 'unknown';
    return given === answer ? 'correct' : 'wrong';
  }
  const answer = q.answer(snapshot);
  if (answer === null) return 'unknown';
  const value = parseNumberAnswer(given);
  return Number.isFinite(value) && Math.abs(value - answer) <= q.tolerance + 1e-9 * Math.max(1, Math.abs(answer)) ? 'correct' : 'wrong';
}
