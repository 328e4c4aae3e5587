/**
 * The IndexedDB database (Dexie). Used from the page (small metadata reads, liveQuery) and from the
 * workers (bulk batch writes and reads). Dexie broadcasts changes between them, so a version a worker
 * commits shows up in the page's live queries.
 *
 * Immutability: dataset versions are written once. While a version is being written its row has
 * status 'writing' and no reader lists it; one final transaction flips it to 'ready'. A version whose
 * writer died (tab closed mid-import) is swept away at the next start (see sweep.ts).
 */
import Dexie, { type EntityTable } from 'dexie';
import type { ColumnInfo, ImportWarning, SourceInfo } from '../core/data/types';
import type { AnomalyDecisionRecord, SchemaVersionRecord, ServingRequestRecord, StatisticsRecord } from './validation-records';
import type { LabelEventRecord, LabelSchemaRecord, LabelSetRecord, LabelingFunctionRecord } from './label-records';
import type { AliasRecord, CheckpointRecord, ModelArtifactsRecord, ModelVersionRecord, RunRecord } from './training-records';
import type { EvaluationRecord } from './evaluation-records';
import type { TransformRecord } from './transform-records';
import type { MlmdRecord, PipelineRecord, PipelineRunRecord } from './pipeline-records';
import type { PipelineTriggerRecord } from './pipeline-triggers';
import type { ServedResponseRecord } from './served-responses';
import type { TuneSearchRecord, TuneTrialRecord } from './tune-records';
import type { LessonProgressRecord, LessonWorkshopRecord } from './lesson-records';

/** The "define scope, define data, set a baseline" card of a project. */
export interface Scope {
  problem: string;
  /** Name of the target (label) column. */
  target: string;
  /** The metric to optimize, e.g. "accuracy" or "rmse". */
  metric: string;
  /** A baseline or human-level-performance value for that metric; null while unknown. */
  baseline: number | null;
  /** Where the baseline comes from (a paper, a rule of thumb, a human labeler study). */
  baselineSource: string;
  notes: string;
}

export interface Project {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  scope: Scope;
  /** Created by "Open demo project". */
  demo?: boolean;
}

/** A named dataset in a project; its content lives in its immutable versions. */
export interface Dataset {
  id: string;
  projectId: string;
  name: string;
  createdAt: number;
}

export type VersionStatus = 'writing' | 'ready';

export interface DatasetVersion {
  id: string;
  datasetId: string;
  projectId: string;
  /** 1, 2, 3 ... within its dataset; assigned when the version is committed. */
  version: number;
  /** The version this one was derived from, if any. */
  parentId: string | null;
  status: VersionStatus;
  source: SourceInfo;
  rowCount: number;
  columns: ColumnInfo[];
  /** Rows in each record batch, in order; batch i holds rows [sum of earlier, + count). */
  batchRowCounts: number[];
  /** Bytes of Arrow IPC stored. */
  byteSize: number;
  warnings: ImportWarning[];
  createdAt: number;
}

/** One Arrow record batch of a version, as an Arrow IPC stream. */
export interface BatchRecord {
  versionId: string;
  index: number;
  rowCount: number;
  ipc: Uint8Array;
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

/** A long operation (import, statistics, training ...). Also an execution in the lineage graph. */
export interface Job {
  id: string;
  projectId: string | null;
  kind: 'import' | 'demo' | 'export' | 'project-import';
  status: JobStatus;
  /** 0..1 */
  progress: number;
  /** What it works on, for the person: e.g. the file name. */
  label: string;
  /** Artifacts it produced, e.g. { versionId }. */
  output?: Record<string, string>;
  /** Why it failed: a serialized DataError or { message }. */
  error?: unknown;
  createdAt: number;
  updatedAt: number;
}

export class PipetteDB extends Dexie {
  projects!: EntityTable<Project, 'id'>;
  datasets!: EntityTable<Dataset, 'id'>;
  versions!: EntityTable<DatasetVersion, 'id'>;
  batches!: Dexie.Table<BatchRecord, [string, number]>;
  jobs!: EntityTable<Job, 'id'>;
  // Validate stage
  schemas!: EntityTable<SchemaVersionRecord, 'id'>;
  statistics!: Dexie.Table<StatisticsRecord, [string, string]>;
  anomalyDecisions!: EntityTable<AnomalyDecisionRecord, 'id'>;
  servingRequests!: Dexie.Table<ServingRequestRecord, number>;
  // Train stage and registry
  runs!: EntityTable<RunRecord, 'id'>;
  checkpoints!: EntityTable<CheckpointRecord, 'runId'>;
  models!: EntityTable<ModelVersionRecord, 'id'>;
  modelArtifacts!: EntityTable<ModelArtifactsRecord, 'modelId'>;
  aliases!: Dexie.Table<AliasRecord, [string, string]>;
  // Label stage
  labelSchemas!: EntityTable<LabelSchemaRecord, 'id'>;
  labelEvents!: Dexie.Table<LabelEventRecord, number>;
  labelSets!: EntityTable<LabelSetRecord, 'id'>;
  labelingFunctions!: EntityTable<LabelingFunctionRecord, 'id'>;
  // Evaluate stage
  evaluations!: EntityTable<EvaluationRecord, 'id'>;
  // Transform stage
  transforms!: EntityTable<TransformRecord, 'id'>;
  // Pipelines stage
  pipelines!: EntityTable<PipelineRecord, 'id'>;
  pipelineRuns!: EntityTable<PipelineRunRecord, 'id'>;
  mlmd!: EntityTable<MlmdRecord, 'projectId'>;
  pipelineTriggers!: Dexie.Table<PipelineTriggerRecord, [string, string]>;
  // Deploy stage: one compact record per answered request (the Monitoring view)
  servedResponses!: Dexie.Table<ServedResponseRecord, number>;
  // Tune stage: searches and their trials (each trial's run is in runs)
  tuneSearches!: EntityTable<TuneSearchRecord, 'id'>;
  tuneTrials!: Dexie.Table<TuneTrialRecord, [string, string]>;
  // Lessons: a learner's progress per project and lesson, and a workshop's chosen lessons per project
  lessonProgress!: Dexie.Table<LessonProgressRecord, [string, string]>;
  lessonWorkshops!: EntityTable<LessonWorkshopRecord, 'projectId'>;

  constructor(name = 'pipette') {
    super(name);
    this.version(1).stores({
      projects: 'id, updatedAt',
      datasets: 'id, projectId',
      versions: 'id, datasetId, projectId, status',
      batches: '[versionId+index], versionId',
      jobs: 'id, projectId, status, updatedAt',
    });
    this.version(2).stores({
      schemas: 'id, projectId, createdAt',
      statistics: '[versionId+labelColumn], versionId',
      anomalyDecisions: 'id, projectId, versionId',
      servingRequests: '++seq, projectId, modelId, at',
      runs: 'id, projectId, status, createdAt',
      checkpoints: 'runId',
      models: 'id, projectId, runId, createdAt',
      modelArtifacts: 'modelId',
      aliases: '[projectId+alias], projectId, modelId',
    });
    this.version(3).stores({
      labelSchemas: 'id, projectId, createdAt',
      labelEvents: '++seq, projectId, datasetVersionId, [datasetVersionId+labeler]',
      labelSets: 'id, projectId, datasetVersionId, createdAt',
      labelingFunctions: 'id, projectId',
    });
    this.version(4).stores({
      evaluations: 'id, projectId, modelId, createdAt',
    });
    this.version(5).stores({
      transforms: 'id, projectId, [projectId+name], createdAt',
    });
    this.version(6).stores({
      pipelines: 'id, projectId, [projectId+name], createdAt',
      pipelineRuns: 'id, projectId, pipelineId, status, startedAt',
      mlmd: 'projectId',
    });
    this.version(7).stores({
      pipelineTriggers: '[projectId+pipelineName], projectId',
    });
    this.version(8).stores({
      servedResponses: '++seq, [projectId+model+at], projectId',
    });
    this.version(9).stores({
      tuneSearches: 'id, projectId, status, createdAt',
      tuneTrials: '[searchId+id], searchId, runId',
    });
    this.version(10).stores({
      lessonProgress: '[projectId+lessonId], projectId',
      lessonWorkshops: 'projectId',
    });
  }
}

let shared: PipetteDB | undefined;

/** The app's database (one per JS realm: the page and each worker open their own connection). */
export function db(): PipetteDB {
  shared ??= new PipetteDB();
  return shared;
}

export function newId(): string {
  return crypto.randomUUID();
}
