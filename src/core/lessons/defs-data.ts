/** Lessons on scope, data and features: what each step checks and where each answer comes from. */
import type { LessonDef } from './lesson';
import type { LessonSnapshot, RunLike } from './records';
import { doneRuns, labeledRowCount, newest, newestStatsWith, runGroups, testAccuracy } from './select';

/** Metrics where smaller is better; every other metric is better when larger. */
const LOWER_IS_BETTER = new Set(['rmse', 'mae', 'mse', 'logLoss', 'loss']);

/** A done run on the scope's target whose metric beats the scope's baseline. */
export function beatsBaseline(s: LessonSnapshot): boolean {
  const scope = s.scope;
  if (!scope?.target || scope.baseline === null) return false;
  const metric = scope.metric.trim() || 'accuracy';
  return doneRuns(s).some((run) => {
    if (run.config.label !== scope.target) return false;
    const value = run.metrics?.summary[metric];
    if (typeof value !== 'number' || !Number.isFinite(value)) return false;
    return LOWER_IS_BETTER.has(metric) ? value < scope.baseline! : value > scope.baseline!;
  });
}

/** The count of the target column's most common value in the newest statistics that have the column. */
function majorityCount(s: LessonSnapshot): number | null {
  const target = s.scope?.target;
  if (!target) return null;
  const column = newestStatsWith(s, target)?.stats.columns.find((c) => c.name === target);
  return column?.topValues?.[0]?.count ?? null;
}

export const scopeLesson: LessonDef = {
  id: 'scope',
  stage: 'scope',
  steps: [
    { id: 'card', link: { stage: 'scope' }, check: (s) => !!s.scope && !!s.scope.problem.trim() && !!s.scope.target.trim() && !!s.scope.metric.trim() && s.scope.baseline !== null },
    { id: 'stats', link: { stage: 'validate' }, check: (s) => !!s.scope?.target && newestStatsWith(s, s.scope.target) !== null },
    { id: 'beat', link: { stage: 'train' }, check: beatsBaseline },
  ],
  questions: [{ id: 'majority', kind: 'number', tolerance: 0, answer: majorityCount }],
};

export const labelingLesson: LessonDef = {
  id: 'labeling',
  stage: 'label',
  steps: [
    { id: 'schema', link: { stage: 'label' }, check: (s) => s.labelSchemas.length > 0 },
    { id: 'ten', link: { stage: 'label' }, check: (s) => labeledRowCount(s) >= 10 },
    { id: 'set', link: { stage: 'label' }, check: (s) => s.labelSets.some((l) => l.kind === 'manual') },
  ],
  questions: [{ id: 'count', kind: 'number', tolerance: 0, answer: (s) => (s.labelEvents.length ? labeledRowCount(s) : null) }],
};

/** The newest done run trained on a label set with its weak-supervision comparison. */
const weakRun = (s: LessonSnapshot) => newest(doneRuns(s).filter((r) => r.weakSupervision), (r) => r.createdAt);

export const weakSupervisionLesson: LessonDef = {
  id: 'weak-supervision',
  stage: 'label',
  steps: [
    { id: 'functions', link: { stage: 'label' }, check: (s) => s.labelingFunctions.length >= 2 },
    { id: 'label-model', link: { stage: 'label' }, check: (s) => s.labelSets.some((l) => l.kind === 'label-model') },
    { id: 'end-model', link: { stage: 'train' }, check: (s) => weakRun(s) !== null },
  ],
  questions: [
    {
      id: 'winner',
      kind: 'choice',
      translated: true,
      choices: () => ['end-model', 'label-model', 'majority-vote'],
      answer: (s) => {
        const w = weakRun(s)?.weakSupervision;
        if (!w) return null;
        const scores: [string, number][] = [['end-model', w.endModel], ['label-model', w.labelModel ?? -1], ['majority-vote', w.majorityVote ?? -1]];
        return scores.reduce((best, x) => (x[1] > best[1] ? x : best))[0];
      },
    },
  ],
};

/** The column with the most missing values in the newest statistics (ties: the first column). */
function mostMissing(s: LessonSnapshot): string | null {
  const stats = newestStatsWith(s, null);
  if (!stats || stats.stats.columns.length === 0) return null;
  return stats.stats.columns.reduce((best, c) => (c.missing > best.missing ? c : best)).name;
}

export const validationLesson: LessonDef = {
  id: 'validation',
  stage: 'validate',
  steps: [
    { id: 'stats', link: { stage: 'validate' }, check: (s) => s.statistics.length > 0 },
    { id: 'infer', link: { stage: 'validate' }, check: (s) => s.schemas.some((v) => v.origin?.kind === 'inferred') },
    {
      id: 'ranges',
      link: { stage: 'validate' },
      check: (s) => s.schemas.some((v) => v.schema.features.some((f) => f.domain?.kind === 'range' && (f.domain.min != null || f.domain.max != null))),
    },
  ],
  questions: [{ id: 'missing', kind: 'choice', choices: (s) => newestStatsWith(s, null)?.stats.columns.map((c) => c.name) ?? null, answer: mostMissing }],
};

export const transformLesson: LessonDef = {
  id: 'transform',
  stage: 'transform',
  steps: [
    { id: 'version', link: { stage: 'transform' }, check: (s) => s.transforms.length > 0 },
    { id: 'train', link: { stage: 'train' }, check: (s) => doneRuns(s).some((r) => !!r.config.transformId) },
  ],
  questions: [{ id: 'train-rows', kind: 'number', tolerance: 0, answer: (s) => newest(s.transforms, (t) => t.createdAt)?.source.split.counts.train ?? null }],
};

/** Runs on raw columns (not a transform) of one version and label: the newest with the fewest and with the most columns, if they differ. */
export function subsetPair(s: LessonSnapshot): { subset: RunLike; all: RunLike } | null {
  let pair: { subset: RunLike; all: RunLike } | null = null;
  for (const group of runGroups(s)) {
    const raw = group.filter((r) => !r.config.transformId);
    const sizes = raw.map((r) => r.config.features.length);
    const fewest = Math.min(...sizes);
    const most = Math.max(...sizes);
    if (fewest === most) continue;
    const subset = newest(raw.filter((r) => r.config.features.length === fewest), (r) => r.createdAt)!;
    const all = newest(raw.filter((r) => r.config.features.length === most), (r) => r.createdAt)!;
    if (!pair || Math.max(subset.createdAt, all.createdAt) > Math.max(pair.subset.createdAt, pair.all.createdAt)) pair = { subset, all };
  }
  return pair;
}

export const featureSelectionLesson: LessonDef = {
  id: 'feature-selection',
  stage: 'transform',
  steps: [
    { id: 'rank', link: { stage: 'transform' }, check: null },
    { id: 'subset', link: { stage: 'train' }, check: (s) => subsetPair(s) !== null },
  ],
  questions: [
    {
      id: 'better',
      kind: 'choice',
      translated: true,
      choices: () => ['all', 'subset', 'same'],
      answer: (s) => {
        const pair = subsetPair(s);
        const a = pair && testAccuracy(pair.all);
        const b = pair && testAccuracy(pair.subset);
        if (a === null || b === null || a === undefined || b === undefined) return null;
        return Math.abs(a - b) < 1e-9 ? 'same' : a > b ? 'all' : 'subset';
      },
    },
  ],
};
