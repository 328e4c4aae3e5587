/**
 * What a lesson's checks read: the plain records of one project, each cut down to the fields the checks
 * use. The store's records satisfy these shapes as they are (the page state passes them through), and the
 * unit tests build them by hand. Pure types: core never reads IndexedDB.
 */

export interface ScopeLike {
  problem: string;
  target: string;
  metric: string;
  baseline: number | null;
}

export interface ColumnStatsLike {
  name: string;
  missing: number;
  kind: string;
  /** String columns: their most common values. */
  topValues?: readonly { value: string; count: number }[];
}

export interface StatisticsLike {
  versionId: string;
  labelColumn: string;
  stats: { rowCount: number; columns: readonly ColumnStatsLike[] };
  computedAt: number;
}

export interface SchemaLike {
  id: string;
  version: number;
  origin?: { kind: string };
  schema: { features: readonly { name: string; domain: { kind: string; min?: number | null; max?: number | null } | null; driftThreshold: number | null }[] };
  createdAt: number;
}

export interface LabelEventLike {
  seq?: number;
  datasetVersionId: string;
  labeler: string;
  row: number;
  label: number | null;
}

export interface LabelSetLike {
  id: string;
  datasetVersionId: string;
  kind: string;
  version: number;
  createdAt: number;
}

export interface TransformLike {
  id: string;
  name: string;
  version: number;
  source: { datasetVersionId: string; split: { counts: { train: number; validation: number; test: number } } };
  createdAt: number;
}

export interface RunLike {
  id: string;
  datasetVersionId: string;
  status: string;
  config: {
    label: string;
    features: readonly { column: string; encoding?: string }[];
    hyper: { learningRate: number; batchSize: number; epochs: number };
    spec: unknown;
    transformId?: string;
    labelSource?: { kind: string };
  };
  history: readonly { valAcc: number | null }[];
  metrics: { summary: Record<string, number> } | null;
  modelId?: string;
  weakSupervision?: { labelModel: number | null; majorityVote: number | null; endModel: number };
  createdAt: number;
}

export interface ModelLike {
  id: string;
  name: string;
  version: number;
  source: string;
  runId: string | null;
  parentModelId: string | null;
  weightBytes: number;
  metadata: {
    featureColumns: readonly { column: string }[];
    metrics: Record<string, unknown> | null;
    optimization?: { method: string; settings: Record<string, unknown> };
  };
  createdAt: number;
}

export interface AliasLike {
  alias: string;
  modelId: string;
  updatedAt: number;
}

/** A slice's metric value as the Evaluate stage stores it. */
export interface SliceLike {
  conditions: readonly { column: string; kind: string; value?: string | number | boolean }[];
  count: number;
  metrics: Record<string, { value: number } | undefined>;
}

export interface EvaluationLike {
  id: string;
  modelId: string;
  sliced: { overall: SliceLike; slicings: readonly { slices: readonly SliceLike[] }[] };
  thresholds: readonly unknown[];
  blessing: { blessed: boolean };
  createdAt: number;
}

export interface PipelineRunLike {
  id: string;
  pipelineId: string;
  outcome?: string;
  trigger: { kind: string };
  components: Record<string, { state: string }>;
  startedAt: number;
}

export interface TriggerLike {
  pipelineName: string;
  onNewData: boolean;
  everyMinutes: number | null;
  onDrift?: boolean;
}

export interface ServedResponseLike {
  at: number;
  status: number;
  model: string;
}

/** One project's records, as the checks see them. */
export interface LessonSnapshot {
  scope: ScopeLike | null;
  datasets: readonly { id: string; name: string }[];
  versions: readonly { id: string; datasetId: string; version: number; rowCount: number }[];
  statistics: readonly StatisticsLike[];
  schemas: readonly SchemaLike[];
  labelSchemas: readonly { id: string }[];
  labelEvents: readonly LabelEventLike[];
  labelSets: readonly LabelSetLike[];
  labelingFunctions: readonly { id: string; name: string }[];
  transforms: readonly TransformLike[];
  runs: readonly RunLike[];
  models: readonly ModelLike[];
  aliases: readonly AliasLike[];
  evaluations: readonly EvaluationLike[];
  pipelines: readonly { id: string; name: string; version: number }[];
  pipelineRuns: readonly PipelineRunLike[];
  pipelineTriggers: readonly TriggerLike[];
  servedResponses: readonly ServedResponseLike[];
}

/** A project with nothing in it yet (the tests start from this). */
export const EMPTY_SNAPSHOT: LessonSnapshot = {
  scope: null,
  datasets: [],
  versions: [],
  statistics: [],
  schemas: [],
  labelSchemas: [],
  labelEvents: [],
  labelSets: [],
  labelingFunctions: [],
  transforms: [],
  runs: [],
  models: [],
  aliases: [],
  evaluations: [],
  pipelines: [],
  pipelineRuns: [],
  pipelineTriggers: [],
  servedResponses: [],
};
