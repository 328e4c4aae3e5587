/**
 * A lesson as data: the stage it is about (it is offered only when that stage is built, and when it needs
 * a capability, only when a stage declares it), its steps with the page each links to and the check that
 * marks it done, and its questions with the answer computed from the project's records. The words of a
 * lesson (paragraphs, step and question texts) live in the message files, keyed by these ids.
 */
import type { LessonSnapshot } from './records';

export const LESSON_IDS = [
  'scope',
  'labeling',
  'weak-supervision',
  'validation',
  'transform',
  'feature-selection',
  'tuning',
  'automl',
  'quantization',
  'pruning',
  'distillation',
  'model-analysis',
  'explanations',
  'fairness',
  'serving',
  'pipelines',
  'mlops',
] as const;

export type LessonId = (typeof LESSON_IDS)[number];

/** Where a step's link goes: a stage page of the project, with an optional query (?tab=...). */
export interface StepLink {
  stage: string;
  query?: Record<string, string>;
}

export interface StepDef {
  id: string;
  link: StepLink;
  /**
   * Done when this says so over the project's records. Null: the app keeps no record of the outcome
   * (an explanation is computed and shown, never stored), so the learner marks it done.
   */
  check: ((s: LessonSnapshot) => boolean) | null;
}

/**
 * A question. Its answer comes from what the learner did, so it is computed from the records: null while
 * the steps that produce it are not done. Choices are data (column names, shown as they are) unless
 * `translated`, when they are keys of the lesson text's choice words.
 */
export type QuestionDef =
  | { id: string; kind: 'choice'; translated?: boolean; choices: (s: LessonSnapshot) => readonly string[] | null; answer: (s: LessonSnapshot) => string | null }
  | { id: string; kind: 'number'; answer: (s: LessonSnapshot) => number | null; /** |given - answer| <= tolerance */ tolerance: number };

export interface LessonDef {
  id: LessonId;
  /** The stage the lesson drives; the lesson is offered only when that stage is built. */
  stage: string;
  /** A capability some stage must declare (e.g. 'automl' on the Tune stage's registry entry). */
  capability?: string;
  steps: readonly StepDef[];
  questions: readonly QuestionDef[];
}
