/** Hand-made records for the lessons' checks: the smallest records that make a step pass. */
import { EMPTY_SNAPSHOT, type LessonSnapshot } from '../../../src/core/lessons';
import type { EvaluationLike, ModelLike, RunLike, SliceLike } from '../../../src/core/lessons/records';

export function snap(parts: Partial<LessonSnapshot>): LessonSnapshot {
  return { ...EMPTY_SNAPSHOT, ...parts };
}

let clock = 0;

export function run(over: Omit<Partial<RunLike>, 'config'> & { config?: Partial<RunLike['config']> } = {}): RunLike {
  const { config, ...rest } = over;
  return {
    id: `run-${++clock}`,
    datasetVersionId: 'v1',
    status: 'done',
    history: [{ valAcc: 0.8 }],
    metrics: { summary: { accuracy: 0.9 } },
    createdAt: clock,
    ...rest,
    config: {
      label: 'Species',
      features: [{ column: 'a' }, { column: 'b' }, { column: 'c' }],
      hyper: { learningRate: 0.01, batchSize: 32, epochs: 10 },
      spec: null,
      ...config,
    },
  };
}

export function model(over: Partial<ModelLike> & { optimization?: { method: string; settings: Record<string, unknown> }; accuracy?: number } = {}): ModelLike {
  const { optimization, accuracy, ...rest } = over;
  return {
    id: `model-${++clock}`,
    name: 'm',
    version: 1,
    source: optimization ? 'optimize' : 'run',
    runId: null,
    parentModelId: null,
    weightBytes: 1000,
    createdAt: clock,
    metadata: { featureColumns: [{ column: 'a' }], metrics: accuracy === undefined ? null : { accuracy }, ...(optimization ? { optimization } : {}) },
    ...rest,
  };
}

export function slice(value: string, accuracy: number, column = 'Island'): SliceLike {
  return { conditions: [{ column, kind: 'value', value }], count: 10, metrics: { accuracy: { value: accuracy } } };
}

export function evaluation(slices: SliceLike[][], over: Partial<EvaluationLike> = {}): EvaluationLike {
  return {
    id: `eval-${++clock}`,
    modelId: 'm1',
    sliced: { overall: { conditions: [], count: 100, metrics: { accuracy: { value: 0.9 } } }, slicings: slices.map((s) => ({ slices: s })) },
    thresholds: [],
    blessing: { blessed: true },
    createdAt: clock,
    ...over,
  };
}
