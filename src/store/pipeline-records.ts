/**
 * Records of the Pipelines stage (issue 14): pipeline versions (immutable documents, numbered within their
 * name), pipeline runs (the runner's RunRecord, saved after every change) and each project's ML Metadata
 * store. A run and the MLMD store are written in one transaction on every change, so what the run says
 * it did and what the lineage records never disagree. Types only come from core, so the page can import
 * this without loading TF.js or Arrow.
 */
import type { MlmdStore } from '../core/pipeline/mlmd';
import { emptyStore } from '../core/pipeline/mlmd-record';
import type { RunRecord } from '../core/pipeline/runner';
import type { PipelineSpec } from '../core/pipeline/spec';
import type { DriftMetric } from '../core/validate/schema';
import { newId, type PipetteDB } from './db';

/** One version of a pipeline: never changed once written; an edit is the next version. */
export interface PipelineRecord {
  id: string;
  projectId: string;
  /** The document's name; shared by its versions. */
  name: string;
  /** 1, 2, 3 ... within its name in the project. */
  version: number;
  spec: PipelineSpec;
  createdAt: number;
}

/**
 * Why a run started: by hand (Run), a new ready version of the ExampleGen's dataset (named as the person saw
 * it), the pipeline's schedule, or the requests the production model served drifting from its training data
 * (the column farthest over the threshold, and the newest request measured: the log through `throughSeq`).
 */
export type RunTrigger =
  | { kind: 'manual' }
  | { kind: 'new-data'; datasetName: string; versionId: string; versionNumber: number }
  | { kind: 'schedule'; everyMinutes: number }
  | { kind: 'drift'; modelId: string; throughSeq: number; requests: number; column: string; metric: DriftMetric; distance: number; threshold: number };

/**
 * running: its tab works on it (holding the run's writer lock); interrupted: it was running when its tab
 * went away, and continues from its last finished component; finished: it has an outcome.
 */
export type PipelineRunStatus = 'running' | 'interrupted' | 'finished';

export interface PipelineRunRecord extends RunRecord {
  /** = runId */
  id: string;
  projectId: string;
  pipelineId: string;
  pipelineVersion: number;
  trigger: RunTrigger;
  status: PipelineRunStatus;
  updatedAt: number;
}

/** What a run's row adds to the runner's record. */
export type RunRowInfo = Pick<PipelineRunRecord, 'projectId' | 'pipelineId' | 'pipelineVersion' | 'trigger'>;

/** A project's ML Metadata: one record, replaced with each run change. */
export interface MlmdRecord {
  projectId: string;
  store: MlmdStore;
  updatedAt: number;
}

/** Store a pipeline document as the next version of its name, numbered inside the transaction that adds it. */
export function addPipelineVersion(db: PipetteDB, projectId: string, spec: PipelineSpec, now = Date.now()): Promise<PipelineRecord> {
  return db.transaction('rw', db.pipelines, async () => {
    const siblings = await db.pipelines.where('[projectId+name]').equals([projectId, spec.name]).toArray();
    const record: PipelineRecord = { id: newId(), projectId, name: spec.name, version: 1 + Math.max(0, ...siblings.map((s) => s.version)), spec, createdAt: now };
    await db.pipelines.add(record);
    return record;
  });
}

export async function listPipelines(db: PipetteDB, projectId: string): Promise<PipelineRecord[]> {
  const rows = await db.pipelines.where('projectId').equals(projectId).toArray();
  return rows.sort((a, b) => a.name.localeCompare(b.name) || b.version - a.version);
}

export async function loadMlmd(db: PipetteDB, projectId: string): Promise<MlmdStore> {
  return (await db.mlmd.get(projectId))?.store ?? emptyStore();
}

/**
 * Save a run's state and the project's MLMD store together. Both are copied before the first await: the
 * runner goes on changing them while the transaction runs.
 */
export async function saveRunState(db: PipetteDB, row: RunRowInfo, run: RunRecord, store: MlmdStore, now = Date.now()): Promise<PipelineRunRecord> {
  const record: PipelineRunRecord = { ...structuredClone(run), ...row, id: run.runId, status: run.outcome ? 'finished' : 'running', updatedAt: now };
  const mlmd: MlmdRecord = { projectId: row.projectId, store: structuredClone(store), updatedAt: now };
  await db.transaction('rw', db.pipelineRuns, db.mlmd, async () => {
    await db.pipelineRuns.put(record);
    await db.mlmd.put(mlmd);
  });
  return record;
}

/** The project's runs, newest first. */
export async function listPipelineRuns(db: PipetteDB, projectId: string): Promise<PipelineRunRecord[]> {
  const rows = await db.pipelineRuns.where('projectId').equals(projectId).toArray();
  return rows.sort((a, b) => b.startedAt - a.startedAt);
}
