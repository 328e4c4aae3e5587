/** Lessons on judging a model and putting it to work: analysis, explanations, fairness, serving, pipelines, MLOps. */
import type { LessonDef, QuestionDef } from './lesson';
import type { LessonSnapshot } from './records';
import { lowestAccuracySlice, newest, newestSliced, sliceName } from './select';

const hasModel = (s: LessonSnapshot) => s.models.length > 0;

/** The column the fairness lesson slices by: the demo penguins' sex. */
export const FAIRNESS_COLUMN = 'Sex';

/** "Which slice has the lowest accuracy?" over the newest sliced evaluation (by `column`, when given). */
function worstSliceQuestion(id: string, column?: string): QuestionDef {
  return {
    id,
    kind: 'choice',
    choices: (s) => newestSliced(s, column)?.slices.map(sliceName) ?? null,
    answer: (s) => {
      const found = newestSliced(s, column);
      const worst = found && lowestAccuracySlice(found.slices);
      return worst ? sliceName(worst) : null;
    },
  };
}

export const modelAnalysisLesson: LessonDef = {
  id: 'model-analysis',
  stage: 'evaluate',
  steps: [
    { id: 'model', link: { stage: 'train' }, check: hasModel },
    { id: 'sliced', link: { stage: 'evaluate' }, check: (s) => newestSliced(s) !== null },
    { id: 'thresholds', link: { stage: 'evaluate' }, check: (s) => s.evaluations.some((e) => e.thresholds.length > 0) },
  ],
  questions: [worstSliceQuestion('worst')],
};

export const explanationsLesson: LessonDef = {
  id: 'explanations',
  stage: 'evaluate',
  steps: [
    { id: 'model', link: { stage: 'train' }, check: hasModel },
    { id: 'importance', link: { stage: 'evaluate' }, check: null },
    { id: 'what-if', link: { stage: 'evaluate' }, check: null },
  ],
  questions: [{ id: 'inputs', kind: 'number', tolerance: 0, answer: (s) => newest(s.models, (m) => m.createdAt)?.metadata.featureColumns.length ?? null }],
};

export const fairnessLesson: LessonDef = {
  id: 'fairness',
  stage: 'evaluate',
  steps: [
    { id: 'model', link: { stage: 'train' }, check: hasModel },
    { id: 'sliced', link: { stage: 'evaluate' }, check: (s) => newestSliced(s, FAIRNESS_COLUMN) !== null },
    { id: 'rates', link: { stage: 'evaluate' }, check: null },
  ],
  questions: [worstSliceQuestion('lower', FAIRNESS_COLUMN)],
};

export const servingLesson: LessonDef = {
  id: 'serving',
  stage: 'serving',
  steps: [
    { id: 'model', link: { stage: 'train' }, check: hasModel },
    { id: 'answered', link: { stage: 'serving' }, check: (s) => s.servedResponses.some((r) => r.status === 200) },
    { id: 'error', link: { stage: 'serving' }, check: (s) => s.servedResponses.some((r) => r.status >= 400) },
  ],
  questions: [{ id: 'requests', kind: 'number', tolerance: 0, answer: (s) => (s.servedResponses.length ? s.servedResponses.length : null) }],
};

const succeededRuns = (s: LessonSnapshot) => s.pipelineRuns.filter((r) => r.outcome === 'succeeded');

export const pipelinesLesson: LessonDef = {
  id: 'pipelines',
  stage: 'pipelines',
  steps: [
    { id: 'version', link: { stage: 'pipelines' }, check: (s) => s.pipelines.length > 0 },
    { id: 'run', link: { stage: 'pipelines' }, check: (s) => succeededRuns(s).length > 0 },
    { id: 'cached', link: { stage: 'pipelines' }, check: (s) => succeededRuns(s).some((r) => Object.values(r.components).some((c) => c.state === 'cached')) },
  ],
  questions: [
    { id: 'components', kind: 'number', tolerance: 0, answer: (s) => {
      const run = newest(succeededRuns(s), (r) => r.startedAt);
      return run ? Object.keys(run.components).length : null;
    } },
  ],
};

/** The newest finished run that something other than a person started. */
const automaticRun = (s: LessonSnapshot) => newest(s.pipelineRuns.filter((r) => r.trigger.kind !== 'manual' && r.outcome !== undefined), (r) => r.startedAt);

export const mlopsLesson: LessonDef = {
  id: 'mlops',
  stage: 'pipelines',
  steps: [
    { id: 'production', link: { stage: 'registry' }, check: (s) => s.aliases.some((a) => a.alias === 'production') },
    { id: 'trigger', link: { stage: 'pipelines' }, check: (s) => s.pipelineTriggers.some((t) => t.onNewData || t.everyMinutes !== null || t.onDrift === true) },
    { id: 'automatic', link: { stage: 'pipelines' }, check: (s) => automaticRun(s) !== null },
  ],
  questions: [{ id: 'why', kind: 'choice', translated: true, choices: () => ['new-data', 'schedule', 'drift'], answer: (s) => automaticRun(s)?.trigger.kind ?? null }],
};
