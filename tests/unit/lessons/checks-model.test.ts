/** The model, analysis and deployment lessons' checks and answers over hand-made records. */
import { describe, expect, it } from 'vitest';
import { lessonById, type LessonId } from '../../../src/core/lessons';
import type { LessonSnapshot, PipelineRunLike } from '../../../src/core/lessons/records';
import { evaluation, model, run, slice, snap } from './fixtures';

const step = (lesson: LessonId, id: string) => lessonById(lesson).steps.find((s) => s.id === id)!.check!;
const answer = (lesson: LessonId, id: string, s: LessonSnapshot) => lessonById(lesson).questions.find((q) => q.id === id)!.answer(s);
const hyper = (learningRate: number) => ({ learningRate, batchSize: 32, epochs: 10 });

describe('tuning and AutoML', () => {
  it('three trials with different settings on one version; the best trial by validation accuracy', () => {
    const trials = [
      run({ config: { hyper: hyper(0.1) }, history: [{ valAcc: 0.7 }, { valAcc: 0.8 }] }),
      run({ config: { hyper: hyper(0.01) }, history: [{ valAcc: 0.95 }, { valAcc: 0.9 }] }),
      run({ config: { hyper: hyper(0.001) }, history: [{ valAcc: 0.6 }] }),
    ];
    expect(step('tuning', 'trials')(snap({ runs: trials }))).toBe(true);
    expect(step('tuning', 'trials')(snap({ runs: [...trials.slice(0, 2), { ...trials[2]!, datasetVersionId: 'v2' }] }))).toBe(false);
    expect(step('tuning', 'trials')(snap({ runs: [...trials.slice(0, 2), run({ config: { hyper: hyper(0.1) } })] }))).toBe(false);
    // a tuner may search the model's shape with the same hyperparameters
    expect(step('tuning', 'trials')(snap({ runs: [1, 2, 3].map((units) => run({ config: { spec: { units } } })) }))).toBe(true);
    expect(answer('tuning', 'rate', snap({ runs: trials }))).toBe(0.01);
    expect(step('tuning', 'best')(snap({ runs: trials, models: [model({ runId: trials[0]!.id })] }))).toBe(false);
    expect(step('tuning', 'best')(snap({ runs: trials, models: [model({ runId: trials[1]!.id })] }))).toBe(true);
  });

  it('AutoML needs three model shapes; its answer is the best test accuracy among them', () => {
    const shaped = [1, 2, 3].map((units) => run({ config: { spec: { layers: [{ units }] } }, metrics: { summary: { accuracy: units / 4 } } }));
    expect(step('automl', 'search')(snap({ runs: shaped }))).toBe(true);
    expect(step('automl', 'search')(snap({ runs: [shaped[0]!, shaped[1]!, run({ config: { spec: { layers: [{ units: 1 }] } } })] }))).toBe(false);
    expect(answer('automl', 'best-accuracy', snap({ runs: shaped }))).toBe(0.75);
  });
});

describe('quantization, pruning, distillation', () => {
  it('the quantized version keeps 25 % of its parent\'s weight bytes', () => {
    const parent = model({ weightBytes: 11_788 });
    const q = model({ parentModelId: parent.id, weightBytes: 2_947, optimization: { method: 'quantize', settings: { dtype: 'uint8' } } });
    expect(step('quantization', 'quantize')(snap({ models: [parent] }))).toBe(false);
    expect(step('quantization', 'quantize')(snap({ models: [parent, q] }))).toBe(true);
    expect(answer('quantization', 'percent', snap({ models: [parent, q] }))).toBeCloseTo(25, 10);
    expect(step('quantization', 'model')(snap({ models: [q] }))).toBe(false);
  });

  it('the first pruned layer\'s sparsity in percent', () => {
    const p = model({ optimization: { method: 'prune', settings: { layers: [{ layer: 'dense', sparsity: 0.5 }, { layer: 'out', sparsity: 0.2 }] } } });
    expect(answer('pruning', 'first-layer', snap({ models: [p] }))).toBe(50);
    expect(answer('pruning', 'first-layer', snap({ models: [model({ optimization: { method: 'prune', settings: {} } })] }))).toBeNull();
  });

  it('distillation needs both students; the one with the higher test accuracy wins', () => {
    const d = model({ optimization: { method: 'distill', settings: {} }, accuracy: 0.96 });
    const f = model({ optimization: { method: 'scratch', settings: {} }, accuracy: 0.94 });
    expect(step('distillation', 'distill')(snap({ models: [d] }))).toBe(false);
    expect(step('distillation', 'distill')(snap({ models: [d, f] }))).toBe(true);
    expect(answer('distillation', 'winner', snap({ models: [d, f] }))).toBe('distilled');
    expect(answer('distillation', 'winner', snap({ models: [{ ...d, metadata: { ...d.metadata, metrics: { accuracy: 0.9 } } }, f] }))).toBe('scratch');
  });
});

describe('model analysis and fairness', () => {
  const islands = [slice('Biscoe', 0.98), slice('Dream', 0.9), slice('Torgersen', 0.95)];
  const sexes = [slice('FEMALE', 0.97, 'Sex'), slice('MALE', 0.93, 'Sex')];

  it('the worst slice of the newest sliced evaluation', () => {
    const s = snap({ evaluations: [evaluation([islands]), evaluation([])] });
    expect(step('model-analysis', 'sliced')(s)).toBe(true);
    expect(step('model-analysis', 'sliced')(snap({ evaluations: [evaluation([])] }))).toBe(false);
    expect(answer('model-analysis', 'worst', s)).toBe('Dream');
    const q = lessonById('model-analysis').questions[0]!;
    expect(q.kind === 'choice' && q.choices(s)).toEqual(['Biscoe', 'Dream', 'Torgersen']);
  });

  it('fairness reads the slicing by Sex, not another one', () => {
    const s = snap({ evaluations: [evaluation([islands, sexes])] });
    expect(answer('fairness', 'lower', s)).toBe('MALE');
    expect(step('fairness', 'sliced')(snap({ evaluations: [evaluation([islands])] }))).toBe(false);
  });

  it('thresholds: an evaluation with at least one', () => {
    expect(step('model-analysis', 'thresholds')(snap({ evaluations: [evaluation([], { thresholds: [{ metric: 'accuracy' }] })] }))).toBe(true);
    expect(step('model-analysis', 'thresholds')(snap({ evaluations: [evaluation([])] }))).toBe(false);
  });
});

describe('serving, pipelines, MLOps', () => {
  it('a 200 and an error answered; the count of answers', () => {
    const ok = { at: 1, status: 200, model: 'm' };
    const bad = { at: 2, status: 404, model: 'x' };
    expect(step('serving', 'answered')(snap({ servedResponses: [bad] }))).toBe(false);
    expect(step('serving', 'error')(snap({ servedResponses: [ok] }))).toBe(false);
    expect(step('serving', 'error')(snap({ servedResponses: [ok, bad] }))).toBe(true);
    expect(answer('serving', 'requests', snap({ servedResponses: [ok, bad, ok] }))).toBe(3);
  });

  const prun = (over: Partial<PipelineRunLike>): PipelineRunLike => ({ id: 'r', pipelineId: 'p', outcome: 'succeeded', trigger: { kind: 'manual' }, components: { a: { state: 'succeeded' }, b: { state: 'succeeded' } }, startedAt: 1, ...over });

  it('a succeeded run, a run with a cached component, the newest run\'s component count', () => {
    expect(step('pipelines', 'run')(snap({ pipelineRuns: [prun({ outcome: 'failed' })] }))).toBe(false);
    expect(step('pipelines', 'cached')(snap({ pipelineRuns: [prun({})] }))).toBe(false);
    expect(step('pipelines', 'cached')(snap({ pipelineRuns: [prun({ components: { a: { state: 'cached' } } })] }))).toBe(true);
    expect(answer('pipelines', 'components', snap({ pipelineRuns: [prun({}), prun({ startedAt: 0, components: {} })] }))).toBe(2);
  });

  it('an automatic run: finished and not started by hand; why it ran', () => {
    const scheduled = prun({ trigger: { kind: 'schedule' }, startedAt: 5 });
    expect(step('mlops', 'automatic')(snap({ pipelineRuns: [prun({})] }))).toBe(false);
    expect(step('mlops', 'automatic')(snap({ pipelineRuns: [{ ...scheduled, outcome: undefined }] }))).toBe(false);
    expect(answer('mlops', 'why', snap({ pipelineRuns: [scheduled, prun({ trigger: { kind: 'new-data' }, startedAt: 2 })] }))).toBe('schedule');
    expect(step('mlops', 'trigger')(snap({ pipelineTriggers: [{ pipelineName: 'd', onNewData: false, everyMinutes: null, onDrift: false }] }))).toBe(false);
    expect(step('mlops', 'trigger')(snap({ pipelineTriggers: [{ pipelineName: 'd', onNewData: false, everyMinutes: 1 }] }))).toBe(true);
  });
});
