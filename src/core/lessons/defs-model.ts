/** Lessons on finding and shrinking a model: tuning, AutoML, quantization, pruning, distillation. */
import type { LessonDef } from './lesson';
import type { LessonSnapshot, RunLike } from './records';
import { bestValAccuracy, newest, runGroups, testAccuracy, variantsBy } from './select';

/** The largest group of done runs on one version and label whose `key` takes at least three values. */
function searchGroup(s: LessonSnapshot, key: (r: RunLike) => string): RunLike[] | null {
  let found: RunLike[] | null = null;
  for (const group of runGroups(s)) {
    if (new Set(group.map(key)).size >= 3 && (!found || group.length > found.length)) found = group;
  }
  return found;
}

/** A trial's settings: its hyperparameters and its model's shape (a tuner may search either). */
const settingsKey = (r: RunLike) => JSON.stringify([r.config.hyper, r.config.spec]);
const specKey = (r: RunLike) => JSON.stringify(r.config.spec);

/** The run of a group with the best validation accuracy (ties: the earlier run). */
function bestByValidation(group: readonly RunLike[]): RunLike | null {
  let best: RunLike | null = null;
  for (const r of [...group].sort((a, b) => a.createdAt - b.createdAt)) {
    const v = bestValAccuracy(r);
    if (v !== null && (best === null || v > bestValAccuracy(best)!)) best = r;
  }
  return best;
}

export const tuningLesson: LessonDef = {
  id: 'tuning',
  stage: 'tune',
  steps: [
    { id: 'trials', link: { stage: 'tune' }, check: (s) => searchGroup(s, settingsKey) !== null },
    { id: 'best', link: { stage: 'registry' }, check: (s) => {
      const group = searchGroup(s, settingsKey);
      const best = group && bestByValidation(group);
      return !!best && s.models.some((m) => m.runId === best.id);
    } },
  ],
  questions: [
    { id: 'rate', kind: 'number', tolerance: 1e-9, answer: (s) => {
      const group = searchGroup(s, settingsKey);
      return (group && bestByValidation(group)?.config.hyper.learningRate) ?? null;
    } },
  ],
};

export const automlLesson: LessonDef = {
  id: 'automl',
  stage: 'tune',
  capability: 'automl',
  steps: [
    { id: 'search', link: { stage: 'tune' }, check: (s) => searchGroup(s, specKey) !== null },
    { id: 'save', link: { stage: 'registry' }, check: (s) => {
      const group = searchGroup(s, specKey);
      return !!group && s.models.some((m) => group.some((r) => r.id === m.runId));
    } },
  ],
  questions: [
    { id: 'best-accuracy', kind: 'number', tolerance: 0.005, answer: (s) => {
      const group = searchGroup(s, specKey);
      const accs = (group ?? []).map(testAccuracy).filter((a): a is number => a !== null);
      return accs.length ? Math.max(...accs) : null;
    } },
  ],
};

const savedFromRun = (s: LessonSnapshot) => s.models.some((m) => m.source === 'run');

export const quantizationLesson: LessonDef = {
  id: 'quantization',
  stage: 'optimize',
  steps: [
    { id: 'model', link: { stage: 'train' }, check: savedFromRun },
    { id: 'quantize', link: { stage: 'optimize' }, check: (s) => variantsBy(s, 'quantize').length > 0 },
  ],
  questions: [
    {
      id: 'percent',
      kind: 'number',
      // the page shows the share with one decimal
      tolerance: 0.1,
      answer: (s) => {
        const variant = newest(variantsBy(s, 'quantize'), (m) => m.createdAt);
        const parent = variant && s.models.find((m) => m.id === variant.parentModelId);
        return parent && variant && parent.weightBytes > 0 ? (100 * variant.weightBytes) / parent.weightBytes : null;
      },
    },
  ],
};

export const pruningLesson: LessonDef = {
  id: 'pruning',
  stage: 'optimize',
  steps: [
    { id: 'model', link: { stage: 'train' }, check: savedFromRun },
    { id: 'prune', link: { stage: 'optimize' }, check: (s) => variantsBy(s, 'prune').length > 0 },
  ],
  questions: [
    {
      id: 'first-layer',
      kind: 'number',
      tolerance: 0.5,
      answer: (s) => {
        const layers = newest(variantsBy(s, 'prune'), (m) => m.createdAt)?.metadata.optimization?.settings.layers;
        const first = Array.isArray(layers) ? (layers[0] as { sparsity?: unknown } | undefined) : undefined;
        return typeof first?.sparsity === 'number' ? 100 * first.sparsity : null;
      },
    },
  ],
};

const variantAccuracy = (s: LessonSnapshot, method: string): number | null => {
  const value = newest(variantsBy(s, method), (m) => m.createdAt)?.metadata.metrics?.accuracy;
  return typeof value === 'number' ? value : null;
};

export const distillationLesson: LessonDef = {
  id: 'distillation',
  stage: 'optimize',
  steps: [
    { id: 'model', link: { stage: 'train' }, check: savedFromRun },
    { id: 'distill', link: { stage: 'optimize' }, check: (s) => variantsBy(s, 'distill').length > 0 && variantsBy(s, 'scratch').length > 0 },
  ],
  questions: [
    {
      id: 'winner',
      kind: 'choice',
      translated: true,
      choices: () => ['distilled', 'scratch', 'same'],
      answer: (s) => {
        const d = variantAccuracy(s, 'distill');
        const f = variantAccuracy(s, 'scratch');
        if (d === null || f === null) return null;
        return Math.abs(d - f) < 1e-9 ? 'same' : d > f ? 'distilled' : 'scratch';
      },
    },
  ],
};
