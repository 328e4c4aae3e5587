/** Records of the Train stage and the model registry (issue 3). */
export type RunStatus = 'queued' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled' | 'interrupted';

/** One training run: an experiment record. */
export interface RunRecord {
  id: string;
  projectId: string;
  datasetVersionId: string;
  status: RunStatus;
  /** Model spec, hyperparameters, split seed and fractions, features and label, backend and step time, curves, metrics. */
  config: unknown;
  history: unknown;
  metrics: unknown;
  error?: unknown;
  createdAt: number;
  updatedAt: number;
}

/** The latest checkpoint of a run: weights, optimizer state, epoch. Replaced after every epoch. */
export interface CheckpointRecord {
  runId: string;
  epoch: number;
  data: unknown;
  savedAt: number;
}

/** An immutable model version with its lineage. */
export interface ModelVersionRecord {
  id: string;
  projectId: string;
  name: string;
  version: number;
  runId: string | null;
  datasetVersionId: string | null;
  parentModelId: string | null;
  metadata: unknown;
  createdAt: number;
}

/** The TF.js artifacts of a model version (model.json + weights), kept apart from the small metadata row. */
export interface ModelArtifactsRecord {
  modelId: string;
  artifacts: unknown;
}

/** An alias such as "staging" or "production" pointing at a model version. */
export interface AliasRecord {
  projectId: string;
  alias: string;
  modelId: string;
  updatedAt: number;
}
