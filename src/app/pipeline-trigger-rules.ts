/**
 * When a pipeline's triggers say it should run (pure: the watcher reads the records and calls this).
 * "On new data": the newest ready version of the ExampleGen's dataset, created after the trigger was switched
 * on, that no run of the pipeline was triggered by yet (so a reload, or a second tab, does not run it twice).
 * "On a schedule": everyMinutes after the later of the schedule's start and the last scheduled run.
 * "On drift": the requests the production model served, measured against the dataset version it was trained
 * on (`ServedDrift`: per column, L-infinity for categorical and Jensen-Shannon for numeric, as the Validate
 * stage's drift check), have a column farther than the trigger's threshold, the newest of them logged after
 * the trigger was switched on; once per measured log: no run of the pipeline was triggered by the log
 * through the same request or a later one, so it runs again only when new requests still cross.
 * All run the newest version of the pipeline's name; only an ExampleGen reading "latest" sees new data.
 */
import type { ComponentSpec } from '../core/pipeline/spec';
import type { ServedDrift } from '../protocol/validate';
import type { Dataset, DatasetVersion } from '../store/db';
import type { PipelineRecord, PipelineRunRecord, RunTrigger } from '../store/pipeline-records';
import { DEFAULT_DRIFT_THRESHOLD, type PipelineTriggerRecord } from '../store/pipeline-triggers';

export interface TriggerInputs {
  triggers: PipelineTriggerRecord[];
  pipelines: PipelineRecord[];
  datasets: Dataset[];
  versions: DatasetVersion[];
  runs: PipelineRunRecord[];
  /** The production model's served requests against its training data (measured when new ones are logged). */
  drift?: ServedDrift | null;
}

export interface DueRun {
  /** Names this due run: the same key is one run, however often it is found due. */
  key: string;
  pipeline: PipelineRecord;
  trigger: RunTrigger;
}

/** The newest version of each pipeline name. */
export function newestByName(pipelines: PipelineRecord[]): Map<string, PipelineRecord> {
  const newest = new Map<string, PipelineRecord>();
  for (const p of pipelines) if ((newest.get(p.name)?.version ?? 0) < p.version) newest.set(p.name, p);
  return newest;
}

/** The dataset a pipeline's ExampleGen reads as "latest" (by id, or by a name only one dataset has). */
export function watchedDataset(pipeline: PipelineRecord, datasets: Dataset[]): Dataset | undefined {
  const gen = pipeline.spec.components.find((c): c is ComponentSpec<'ExampleGen'> => c.type === 'ExampleGen');
  if (!gen || gen.settings.version !== 'latest') return undefined;
  const ref = gen.settings.dataset;
  const matches = datasets.filter((d) => ('id' in ref ? d.id === ref.id : d.name === ref.name));
  return matches.length === 1 ? matches[0] : undefined;
}

function runsOfName(name: string, input: TriggerInputs): PipelineRunRecord[] {
  const ids = new Set(input.pipelines.filter((p) => p.name === name).map((p) => p.id));
  return input.runs.filter((r) => ids.has(r.pipelineId));
}

function newDataRun(trigger: PipelineTriggerRecord, pipeline: PipelineRecord, input: TriggerInputs): DueRun | null {
  const dataset = watchedDataset(pipeline, input.datasets);
  if (!dataset) return null;
  const newest = input.versions
    .filter((v) => v.datasetId === dataset.id && v.status === 'ready')
    .reduce<DatasetVersion | undefined>((a, v) => (!a || v.version > a.version ? v : a), undefined);
  if (!newest || newest.createdAt <= trigger.onNewDataSince) return null;
  const done = runsOfName(pipeline.name, input).some((r) => r.trigger.kind === 'new-data' && r.trigger.versionId === newest.id);
  if (done) return null;
  return {
    key: `new-data:${pipeline.name}:${newest.id}`,
    pipeline,
    trigger: { kind: 'new-data', datasetName: dataset.name, versionId: newest.id, versionNumber: newest.version },
  };
}

/** The farthest column over the threshold (strictly greater, as the drift check flags), or null. */
export function driftCrossing(drift: ServedDrift, threshold: number): ServedDrift['columns'][number] | null {
  const over = drift.columns.filter((c) => c.distance > threshold);
  return over.reduce<ServedDrift['columns'][number] | null>((a, c) => (!a || c.distance > a.distance ? c : a), null);
}

function driftRun(trigger: PipelineTriggerRecord, pipeline: PipelineRecord, input: TriggerInputs): DueRun | null {
  const drift = input.drift;
  if (!trigger.onDrift || !drift || drift.lastAt <= (trigger.onDriftSince ?? Infinity)) return null;
  const threshold = trigger.driftThreshold ?? DEFAULT_DRIFT_THRESHOLD;
  const worst = driftCrossing(drift, threshold);
  if (!worst) return null;
  const done = runsOfName(pipeline.name, input).some((r) => r.trigger.kind === 'drift' && r.trigger.modelId === drift.modelId && r.trigger.throughSeq >= drift.throughSeq);
  if (done) return null;
  return {
    key: `drift:${pipeline.name}:${drift.modelId}:${drift.throughSeq}`,
    pipeline,
    trigger: { kind: 'drift', modelId: drift.modelId, throughSeq: drift.throughSeq, requests: drift.requests, ...worst, threshold },
  };
}

/** When the next scheduled run of a trigger is due. */
export function nextScheduled(trigger: PipelineTriggerRecord, runs: PipelineRunRecord[]): number | null {
  if (trigger.everyMinutes === null) return null;
  const last = Math.max(trigger.scheduledSince, ...runs.filter((r) => r.trigger.kind === 'schedule').map((r) => r.startedAt));
  return last + trigger.everyMinutes * 60_000;
}

/** The runs the triggers ask for at `now`: new data, then drift, then the schedule. */
export function dueRuns(input: TriggerInputs, now: number): DueRun[] {
  const newest = newestByName(input.pipelines);
  const due: DueRun[] = [];
  for (const trigger of input.triggers) {
    const pipeline = newest.get(trigger.pipelineName);
    if (!pipeline || !trigger.onNewData) continue;
    const run = newDataRun(trigger, pipeline, input);
    if (run) due.push(run);
  }
  for (const trigger of input.triggers) {
    const pipeline = newest.get(trigger.pipelineName);
    const run = pipeline && driftRun(trigger, pipeline, input);
    if (run) due.push(run);
  }
  for (const trigger of input.triggers) {
    const pipeline = newest.get(trigger.pipelineName);
    const at = nextScheduled(trigger, runsOfName(trigger.pipelineName, input));
    if (!pipeline || at === null || at > now || trigger.everyMinutes === null) continue;
    due.push({ key: `schedule:${pipeline.name}:${at}`, pipeline, trigger: { kind: 'schedule', everyMinutes: trigger.everyMinutes } });
  }
  return due;
}
