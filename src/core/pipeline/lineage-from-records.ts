/**
 * What people do by hand in the stage pages, as ML Metadata: the stages' own records (dataset versions,
 * statistics, schema versions, transform versions, training runs, model versions, evaluations, aliases)
 * read as artifacts, executions and events, merged with the project's pipeline store. No service has to
 * write lineage: the records already say what each thing was made from.
 *
 * Artifacts are named by the same `pipette:` URIs the tab's pipeline host gives its outputs
 * (app/pipeline-host.ts, app/pipeline-train.ts), and the merge keeps one artifact per type and URI, so a
 * model a pipeline trained and the model a person evaluated by hand are one node. A record a pipeline
 * execution already made gets no second, hand execution; hand executions belong to the context "manual",
 * pipeline executions keep their run contexts.
 *
 * Inputs are plain record arrays (the store's rows satisfy these shapes), so core stays free of the DB.
 */
import { toProperties, type JsonValue, type MlmdStore, type ExecutionState, type ExecutionBaseTypeName } from './mlmd';
import { MlmdRecorder } from './mlmd-record';

export const MANUAL_CONTEXT_TYPE = 'manual';
export const MANUAL_CONTEXT_NAME = 'manual';

export interface DatasetRow {
  id: string;
  name: string;
}
export interface VersionRow {
  id: string;
  datasetId: string;
  version: number;
  parentId: string | null;
  createdAt: number;
}
export interface StatisticsRow {
  versionId: string;
  labelColumn: string;
  computedAt: number;
}
export type SchemaOriginRow = { kind: 'inferred'; versionId: string } | { kind: 'edited' } | { kind: 'imported'; fileName: string } | { kind: 'accepted' };
export interface SchemaRow {
  id: string;
  version: number;
  parentId: string | null;
  origin?: SchemaOriginRow;
  createdAt: number;
}
export interface TransformRow {
  id: string;
  name: string;
  version: number;
  source: { datasetVersionId: string; split: unknown; labelColumn: string | null };
  origin: { kind: string };
  createdAt: number;
}
export interface TrainingRunRow {
  id: string;
  datasetVersionId: string;
  status: string;
  config: { name: string; task: string; split: unknown; hyper: unknown; baseModelId: string | null; transformId?: string };
  modelId?: string;
  createdAt: number;
}
export interface ModelRow {
  id: string;
  name: string;
  version: number;
  source: 'run' | 'import' | 'optimize';
  runId: string | null;
  parentModelId: string | null;
  createdAt: number;
}
export interface EvaluationRow {
  id: string;
  modelId: string;
  datasetVersionId: string;
  part: string;
  blessing: { blessed: boolean };
  baselineModelId: string | null;
  createdAt: number;
}
export interface AliasRow {
  alias: string;
  modelId: string;
  updatedAt: number;
  override?: { evaluationId: string | null };
}

/** A Tune search (issue 17) and its trials: each trial's run is a Trainer execution in the search's context. */
export interface TuneSearchRow {
  id: string;
  name: string;
  search: { algorithm: string; objective: { metric: string; direction: string } };
}
export interface TuneTrialRow {
  searchId: string;
  id: string;
  runId: string;
  best: number | null;
}

/** A project's records, each list in any order. */
export interface LineageRecords {
  datasets: DatasetRow[];
  versions: VersionRow[];
  statistics: StatisticsRow[];
  schemas: SchemaRow[];
  transforms: TransformRow[];
  runs: TrainingRunRow[];
  models: ModelRow[];
  evaluations: EvaluationRow[];
  aliases: AliasRow[];
  tuneSearches?: TuneSearchRow[];
  tuneTrials?: TuneTrialRow[];
}

export const TUNE_CONTEXT_TYPE = 'tune_search';

export const uris = {
  version: (id: string) => `pipette:version/${id}`,
  statistics: (versionId: string) => `pipette:statistics/${versionId}`,
  schema: (id: string) => `pipette:schema/${id}`,
  transform: (id: string) => `pipette:transform/${id}`,
  model: (id: string) => `pipette:model/${id}`,
  run: (id: string) => `pipette:run/${id}`,
  evaluation: (id: string) => `pipette:evaluation/${id}`,
  alias: (alias: string, modelId: string) => `pipette:alias/${alias}/${modelId}`,
};

const RUN_STATES: Record<string, ExecutionState> = { done: 'COMPLETE', failed: 'FAILED', cancelled: 'CANCELED', interrupted: 'FAILED', queued: 'NEW' };

/** The pipeline store (not changed) with the records' lineage merged in: a new store. */
export function lineageStore(pipeline: MlmdStore, records: LineageRecords): MlmdStore {
  const store = oneArtifactPerUri(JSON.parse(JSON.stringify(pipeline)) as MlmdStore);
  const recorder = new MlmdRecorder(store);
  const madeByPipeline = new Set(store.events.filter((e) => e.type === 'OUTPUT').map((e) => e.artifactId));
  let manual: number | null = null;

  /** The artifact of this type and URI (one per pair), its name and missing properties filled in. */
  const artifact = (type: string, uri: string, name: string, props: Record<string, JsonValue>, time: number): number => {
    const properties = toProperties(props) ?? {};
    const typeId = store.artifactTypes.find((t) => t.name === type)?.id;
    const found = store.artifacts.find((a) => a.typeId === typeId && a.uri === uri);
    if (!found) {
      const made = recorder.artifact(type, { uri, customProperties: properties, time });
      if (name) made.name = name;
      return made.id;
    }
    if (name) found.name ??= name;
    found.customProperties = { ...properties, ...found.customProperties };
    return found.id;
  };

  const hand = (type: string, baseType: ExecutionBaseTypeName, io: { inputs?: Record<string, number[]>; outputs: Record<string, number[]> }, time: number, settings: JsonValue = {}, state: ExecutionState = 'COMPLETE') => {
    const outputs = Object.values(io.outputs).flat();
    // the pipeline's execution of the same record already says where it came from
    if (outputs.some((id) => madeByPipeline.has(id))) return null;
    const inputs = Object.fromEntries(Object.entries(io.inputs ?? {}).filter(([, ids]) => ids.length > 0));
    const executionId = recorder.execution(type, { componentId: type, settings, state, inputs, outputs: io.outputs, baseType, time });
    manual ??= recorder.context(MANUAL_CONTEXT_TYPE, MANUAL_CONTEXT_NAME);
    recorder.attach(manual, { executions: [executionId], artifacts: outputs });
    return { executionId, outputs };
  };

  const datasetName = new Map(records.datasets.map((d) => [d.id, d.name]));
  const versions = new Map(records.versions.map((v) => [v.id, v]));
  const byTime = <T extends { createdAt: number }>(rows: T[]) => [...rows].sort((a, b) => a.createdAt - b.createdAt);
  const examples = (versionId: string): number[] => {
    const v = versions.get(versionId);
    if (!v) return [];
    const dataset = datasetName.get(v.datasetId) ?? '';
    return [artifact('Examples', uris.version(v.id), `${dataset} v${v.version}`, { versionId: v.id, datasetId: v.datasetId, dataset, version: v.version }, v.createdAt)];
  };

  for (const v of byTime(records.versions)) {
    hand('Import', 'PROCESS', { inputs: { examples: v.parentId ? examples(v.parentId) : [] }, outputs: { examples: examples(v.id) } }, v.createdAt);
  }
  const seenStatistics = new Set<string>();
  const statistics = (versionId: string, time: number): number[] => {
    const v = versions.get(versionId);
    return v ? [artifact('ExampleStatistics', uris.statistics(versionId), `${datasetName.get(v.datasetId) ?? ''} v${v.version}`, { versionId }, time)] : [];
  };
  for (const s of [...records.statistics].sort((a, b) => a.computedAt - b.computedAt)) {
    if (seenStatistics.has(s.versionId) || !versions.has(s.versionId)) continue;
    seenStatistics.add(s.versionId);
    hand('StatisticsGen', 'PROCESS', { inputs: { examples: examples(s.versionId) }, outputs: { statistics: statistics(s.versionId, s.computedAt) } }, s.computedAt);
  }

  const schemas = new Map(records.schemas.map((s) => [s.id, s]));
  const schema = (id: string): number[] => {
    const s = schemas.get(id);
    return s ? [artifact('Schema', uris.schema(id), `v${s.version}`, { schemaId: id, version: s.version }, s.createdAt)] : [];
  };
  for (const s of byTime(records.schemas)) {
    const origin = s.origin ?? { kind: 'edited' };
    const out = { schema: schema(s.id) };
    if (origin.kind === 'inferred') hand('SchemaGen', 'PROCESS', { inputs: { statistics: statistics(origin.versionId, s.createdAt) }, outputs: out }, s.createdAt, { origin: 'inferred' });
    else if (origin.kind === 'imported') hand('ImportSchemaGen', 'PROCESS', { outputs: out }, s.createdAt, { origin: 'imported', fileName: origin.fileName });
    else hand('SchemaEdit', 'PROCESS', { inputs: { schema: s.parentId ? schema(s.parentId) : [] }, outputs: out }, s.createdAt, { origin: origin.kind });
  }

  const transforms = new Map(records.transforms.map((t) => [t.id, t]));
  const transform = (id: string): number[] => {
    const t = transforms.get(id);
    return t ? [artifact('TransformGraph', uris.transform(id), `${t.name} v${t.version}`, { transformId: id, name: t.name, version: t.version }, t.createdAt)] : [];
  };
  for (const t of byTime(records.transforms)) {
    hand('Transform', 'TRANSFORM', { inputs: { examples: examples(t.source.datasetVersionId) }, outputs: { transform_graph: transform(t.id) } }, t.createdAt, {
      origin: t.origin.kind,
      split: t.source.split as JsonValue,
      labelColumn: t.source.labelColumn,
    });
  }

  const models = new Map(records.models.map((m) => [m.id, m]));
  const model = (id: string | null | undefined): number[] => {
    const m = id ? models.get(id) : undefined;
    return m ? [artifact('Model', uris.model(m.id), `${m.name} v${m.version}`, { modelId: m.id, name: m.name, version: m.version, ...(m.runId ? { runId: m.runId } : {}) }, m.createdAt)] : [];
  };
  const searches = new Map((records.tuneSearches ?? []).map((x) => [x.id, x]));
  const trialOfRun = new Map((records.tuneTrials ?? []).filter((x) => searches.has(x.searchId)).map((x) => [x.runId, x]));
  for (const r of byTime(records.runs)) {
    const run = artifact('ModelRun', uris.run(r.id), '', { runId: r.id }, r.createdAt);
    const made = r.status === 'done' ? model(r.modelId) : [];
    const trial = trialOfRun.get(r.id);
    const settings = { name: r.config.name, task: r.config.task, split: r.config.split as JsonValue, hyper: r.config.hyper as JsonValue, ...(trial ? { tuneTrial: trial.id, objective: trial.best } : {}) };
    const execution = hand(
      'Trainer',
      'TRAIN',
      { inputs: { examples: examples(r.datasetVersionId), transform_graph: r.config.transformId ? transform(r.config.transformId) : [], base_model: model(r.config.baseModelId) }, outputs: { model: made, model_run: [run] } },
      r.createdAt,
      settings,
      RUN_STATES[r.status] ?? 'RUNNING',
    );
    // a Tune trial's run belongs to its search too (ML Metadata: the search is a context over its trials)
    const search = trial ? searches.get(trial.searchId)! : null;
    if (execution && search) {
      const { algorithm, objective } = search.search;
      const context = recorder.context(TUNE_CONTEXT_TYPE, search.id, toProperties({ name: search.name, algorithm, metric: objective.metric, direction: objective.direction }));
      recorder.attach(context, { executions: [execution.executionId], artifacts: execution.outputs });
    }
  }
  for (const m of byTime(records.models)) {
    if (m.source === 'import') hand('ModelImport', 'PROCESS', { inputs: { model: model(m.parentModelId) }, outputs: { model: model(m.id) } }, m.createdAt);
    else if (m.source === 'optimize') hand('Optimizer', 'TRAIN', { inputs: { model: model(m.parentModelId) }, outputs: { model: model(m.id) } }, m.createdAt);
    else model(m.id); // a run's model: its Trainer above (or the pipeline's)
  }

  const evaluations = new Map(records.evaluations.map((e) => [e.id, e]));
  const blessing = (id: string | null | undefined): number[] => {
    const e = id ? evaluations.get(id) : undefined;
    return e ? [artifact('ModelBlessing', uris.evaluation(e.id), '', { evaluationId: e.id, modelId: e.modelId, blessed: e.blessing.blessed }, e.createdAt)] : [];
  };
  for (const e of byTime(records.evaluations)) {
    const evaluation = artifact('ModelEvaluation', uris.evaluation(e.id), '', { evaluationId: e.id, modelId: e.modelId }, e.createdAt);
    hand(
      'Evaluator',
      'EVALUATE',
      { inputs: { examples: examples(e.datasetVersionId), model: model(e.modelId), baseline_model: model(e.baselineModelId) }, outputs: { evaluation: [evaluation], blessing: blessing(e.id) } },
      e.createdAt,
      { part: e.part },
    );
  }

  for (const a of [...records.aliases].sort((x, y) => x.updatedAt - y.updatedAt)) {
    if (!models.has(a.modelId)) continue;
    // the blessing that let it through: the override's evaluation, else the model's newest blessing
    const blessed = byTime(records.evaluations.filter((e) => e.modelId === a.modelId && e.blessing.blessed)).at(-1);
    const pushed = artifact('PushedModel', uris.alias(a.alias, a.modelId), '', { pushed: true, alias: a.alias, modelId: a.modelId }, a.updatedAt);
    hand('Pusher', 'DEPLOY', { inputs: { model: model(a.modelId), model_blessing: blessing(a.override?.evaluationId ?? blessed?.id) }, outputs: { pushed_model: [pushed] } }, a.updatedAt, { alias: a.alias });
  }
  return store;
}

/** Artifacts of the same type and URI become the first of them; events and attributions follow. */
export function oneArtifactPerUri(store: MlmdStore): MlmdStore {
  const first = new Map<string, number>();
  const same = new Map<number, number>();
  for (const a of [...store.artifacts].sort((x, y) => x.id - y.id)) {
    if (!a.uri) continue;
    const key = `${a.typeId}\n${a.uri}`;
    const kept = first.get(key);
    if (kept === undefined) first.set(key, a.id);
    else same.set(a.id, kept);
  }
  if (same.size === 0) return store;
  const to = (id: number) => same.get(id) ?? id;
  store.artifacts = store.artifacts.filter((a) => !same.has(a.id));
  store.events = store.events.map((e) => ({ ...e, artifactId: to(e.artifactId) }));
  const seen = new Set<string>();
  store.attributions = store.attributions
    .map((a) => ({ ...a, artifactId: to(a.artifactId) }))
    .filter((a) => {
      const key = `${a.artifactId}:${a.contextId}`;
      return !seen.has(key) && !!seen.add(key);
    });
  return store;
}
