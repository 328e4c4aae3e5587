/**
 * The tab's PipelineHost (core/pipeline/runner.ts): each component calls the operation its stage page
 * calls, in the same worker, so everything a run makes also appears in that stage's page (a schema in the
 * Validate stage's versions, a transform in the Transform stage's). It lives with the page state because
 * the run loop is light (deciding, recording) and the work is in the workers; a component's cancel is the
 * worker job's cancel.
 *
 * Artifacts are named by `pipette:` URIs of the records they are: pipette:version/<id> (a dataset
 * version), pipette:statistics/<versionId>, pipette:schema/<id>, pipette:anomalies/<versionId>/<schemaId>,
 * pipette:transform/<id>; the training side's are in pipeline-train.ts (the Trainer, Evaluator and Pusher in
 * the training worker and the registry), the optimizers' in pipeline-optimize.ts (the Optimize stage's
 * operations), the Tuner's in pipeline-tune.ts (a Tune stage search: pipette:tune/<searchId>/<trialId>).
 * Without a training worker (the Node tests of the data side) the training components fail with
 * 'not-runnable' naming the component (never a made-up result).
 */
import * as Comlink from 'comlink';
import { SCHEMA_NOT_APPLIED } from '../core/pipeline/components';
import { PipelineError } from '../core/pipeline/errors';
import type { JsonValue } from '../core/pipeline/mlmd';
import { notBuilt, type ArtifactRef, type ExecuteContext, type OutputArtifact, type PipelineHost } from '../core/pipeline/runner';
import type { AnyComponentSpec, ComponentSpec } from '../core/pipeline/spec';
import { inferSchema, setRangesFromStats, type Schema } from '../core/validate/schema';
import type { DataWorkerApi } from '../protocol/data';
import type { SchemaWriteOutcome } from '../protocol/validate';
import { resolveExamples } from '../services/pipeline-examples';
import type { PipetteDB } from '../store/db';
import { runDistiller, runPruner, runQuantizer } from './pipeline-optimize';
import { runTuner, tuneExists, type TunerPool } from './pipeline-tune';
import { productionOf, runEvaluator, runPusher, runTrainer, type HostTrainApi } from './pipeline-train';

/** What the host asks of the data worker: the Validate and Transform stages' operations. */
export type HostDataApi = Pick<DataWorkerApi, 'statistics' | 'inferSchema' | 'saveSchema' | 'validate' | 'analyzeTransform' | 'cancel'>;

type Inputs = Readonly<Record<string, ArtifactRef[]>>;

/** The one artifact wired to a port (the runner gives every wired port its producer's artifact). */
function one(inputs: Inputs, port: string): ArtifactRef {
  const ref = inputs[port]?.[0];
  if (!ref) throw new Error(`no artifact on input ${port}`);
  return ref;
}

function text(ref: ArtifactRef, property: string): string {
  const value = ref.properties[property];
  if (typeof value !== 'string') throw new Error(`${ref.uri} has no ${property}`);
  return value;
}

function schemaOutput(outcome: SchemaWriteOutcome, component: ComponentSpec): OutputArtifact {
  if (!outcome.ok) {
    const first = outcome.issues[0];
    throw new PipelineError('bad-schema', { component: component.id, field: first?.path ?? '', params: { count: outcome.issues.length } }, `${component.id}: the schema is not valid`);
  }
  return { uri: `pipette:schema/${outcome.record.id}`, properties: { schemaId: outcome.record.id, version: outcome.record.version } };
}

export class TabPipelineHost implements PipelineHost {
  constructor(
    private readonly db: PipetteDB,
    private readonly projectId: string,
    private readonly data: HostDataApi,
    /** The training worker; without it the Trainer, Evaluator and optimizers are not runnable (the Node tests of the data side). */
    private readonly train: HostTrainApi | null = null,
    /** The Tuner's training workers (the Tune stage's pool); default: the one training worker. */
    private readonly tunePool: TunerPool | null = null,
  ) {}

  async resolve(component: ComponentSpec): Promise<Record<string, JsonValue>> {
    // a wired baseline_model is an input (in the cache key already); production matters only without one
    if (component.type === 'Evaluator') return component.inputs.baseline_model ? {} : { production: await productionOf(this.db, this.projectId) };
    if (component.type !== 'ExampleGen') return {};
    const { version } = await resolveExamples(this.db, this.projectId, component as ComponentSpec<'ExampleGen'>);
    return { datasetVersionId: version.id };
  }

  async execute(component: ComponentSpec, inputs: Inputs, _resolved: Record<string, JsonValue> | undefined, ctx: ExecuteContext): Promise<Record<string, OutputArtifact>> {
    const c = component as AnyComponentSpec;
    switch (c.type) {
      case 'ExampleGen':
        return { examples: await this.exampleGen(c) };
      case 'StatisticsGen':
        if (inputs.schema?.length) ctx.log(SCHEMA_NOT_APPLIED);
        return { statistics: await this.statisticsGen(one(inputs, 'examples'), ctx) };
      case 'SchemaGen':
        return { schema: await this.schemaGen(c, one(inputs, 'statistics'), ctx) };
      case 'ImportSchemaGen':
        return { schema: await this.importSchemaGen(c) };
      case 'ExampleValidator':
        return { anomalies: await this.exampleValidator(c, one(inputs, 'statistics'), one(inputs, 'schema'), ctx) };
      case 'Transform':
        return { transform_graph: await this.transform(c, one(inputs, 'examples'), ctx) };
      case 'Trainer':
        if (!this.train) throw notBuilt(c);
        return runTrainer(this.db, this.projectId, this.train, c, inputs, ctx);
      case 'Evaluator':
        if (!this.train) throw notBuilt(c);
        return runEvaluator(this.train, c, inputs, ctx);
      case 'Pusher':
        return runPusher(this.db, this.projectId, c, inputs, ctx);
      case 'Quantizer':
        if (!this.train) throw notBuilt(c);
        return runQuantizer(this.db, this.train, c, inputs, ctx);
      case 'Pruner':
        if (!this.train) throw notBuilt(c);
        return runPruner(this.db, this.train, c, inputs, ctx);
      case 'Distiller':
        if (!this.train) throw notBuilt(c);
        return runDistiller(this.db, this.train, c, inputs, ctx);
      case 'Tuner': {
        const train = this.train;
        if (!train) throw notBuilt(c);
        return runTuner(this.db, this.projectId, train, this.tunePool ?? { worker: () => train, size: 1 }, c, inputs, ctx);
      }
    }
  }

  async exists(artifact: ArtifactRef): Promise<boolean> {
    const [kind, id = '', second = ''] = artifact.uri.replace(/^pipette:/, '').split('/');
    switch (kind) {
      case 'version':
        return (await this.db.versions.get(id))?.status === 'ready';
      case 'statistics':
        return (await this.db.versions.get(id))?.status === 'ready' && (await this.db.statistics.get([id, String(artifact.properties.labelColumn ?? '')])) !== undefined;
      case 'schema':
        return (await this.db.schemas.get(id)) !== undefined;
      case 'anomalies':
        return (await this.db.versions.get(id))?.status === 'ready' && (await this.db.schemas.get(second)) !== undefined;
      case 'transform':
        return (await this.db.transforms.get(id)) !== undefined;
      case 'model':
        return (await this.db.models.get(id)) !== undefined;
      case 'run':
        return (await this.db.runs.get(id)) !== undefined;
      case 'evaluation':
        return (await this.db.evaluations.get(id)) !== undefined;
      case 'tune':
        return tuneExists(this.db, id, second);
      default:
        return false;
    }
  }

  /** Run a worker job under the component's signal: its abort is the job's cancel. */
  private async job<T>(ctx: ExecuteContext, call: (jobId: string) => Promise<T>): Promise<T> {
    const jobId = crypto.randomUUID();
    const cancel = () => void this.data.cancel(jobId);
    ctx.signal.addEventListener('abort', cancel);
    try {
      ctx.signal.throwIfAborted();
      return await call(jobId);
    } finally {
      ctx.signal.removeEventListener('abort', cancel);
    }
  }

  private rowsProgress(ctx: ExecuteContext) {
    return Comlink.proxy((p: { rows: number; totalRows: number }) => ctx.progress(p.totalRows > 0 ? Math.min(1, p.rows / p.totalRows) : null));
  }

  private async exampleGen(c: ComponentSpec<'ExampleGen'>): Promise<OutputArtifact> {
    const { dataset, version } = await resolveExamples(this.db, this.projectId, c);
    const { label, split } = c.settings;
    const fractions = { ...split.fractions };
    return { uri: `pipette:version/${version.id}`, properties: { versionId: version.id, datasetId: dataset.id, dataset: dataset.name, version: version.version, label: label ?? '', seed: split.seed, fractions } };
  }

  private async statisticsGen(examples: ArtifactRef, ctx: ExecuteContext): Promise<OutputArtifact> {
    const versionId = text(examples, 'versionId');
    const labelColumn = text(examples, 'label') || null;
    await this.job(ctx, (jobId) => this.data.statistics({ jobId, versionId, labelColumn }, this.rowsProgress(ctx)));
    return { uri: `pipette:statistics/${versionId}`, properties: { versionId, labelColumn: labelColumn ?? '' } };
  }

  private async schemaGen(c: ComponentSpec<'SchemaGen'>, statistics: ArtifactRef, ctx: ExecuteContext): Promise<OutputArtifact> {
    const versionId = text(statistics, 'versionId');
    const { maxDomainSize, inferRanges } = c.settings;
    if (maxDomainSize === undefined && !inferRanges) {
      // the Validate stage's "Infer schema": the same call, the same origin note
      const record = await this.job(ctx, (jobId) => this.data.inferSchema({ jobId, projectId: this.projectId, versionId }, this.rowsProgress(ctx)));
      return { uri: `pipette:schema/${record.id}`, properties: { schemaId: record.id, version: record.version } };
    }
    // options the stage's button does not have: infer here (schema.ts reads statistics only) and save as an edit
    const { stats } = await this.job(ctx, (jobId) => this.data.statistics({ jobId, versionId, labelColumn: null }, this.rowsProgress(ctx)));
    let schema: Schema = inferSchema(stats, maxDomainSize === undefined ? {} : { maxDomainSize });
    if (inferRanges) schema = setRangesFromStats(schema, stats);
    return schemaOutput(await this.data.saveSchema(this.projectId, schema, null), c);
  }

  private async importSchemaGen(c: ComponentSpec<'ImportSchemaGen'>): Promise<OutputArtifact> {
    if ('schema' in c.settings) return schemaOutput(await this.data.saveSchema(this.projectId, c.settings.schema, null), c);
    const id = c.settings.schemaVersionId;
    const record = await this.db.schemas.get(id);
    if (!record || record.projectId !== this.projectId) throw new PipelineError('no-schema', { component: c.id, params: { id } }, `${c.id}: no schema version ${id} in this project`);
    return { uri: `pipette:schema/${record.id}`, properties: { schemaId: record.id, version: record.version } };
  }

  private async exampleValidator(c: ComponentSpec<'ExampleValidator'>, statistics: ArtifactRef, schema: ArtifactRef, ctx: ExecuteContext): Promise<OutputArtifact> {
    const versionId = text(statistics, 'versionId');
    const schemaId = text(schema, 'schemaId');
    const outcome = await this.job(ctx, (jobId) => this.data.validate({ jobId, projectId: this.projectId, versionId, schemaId }, this.rowsProgress(ctx)));
    const count = outcome.anomalies.length;
    if (count > 0 && !c.settings.acceptAnomalies) {
      const columns = [...new Set(outcome.anomalies.map((a) => a.column))].join(', ');
      throw new PipelineError('anomalies', { component: c.id, params: { count, columns } }, `${c.id}: ${count} anomalies (${columns})`);
    }
    return { uri: `pipette:anomalies/${versionId}/${schemaId}`, properties: { versionId, schemaId, count } };
  }

  private async transform(c: ComponentSpec<'Transform'>, examples: ArtifactRef, ctx: ExecuteContext): Promise<OutputArtifact> {
    const fractions = examples.properties.fractions as { train: number; validation: number; test: number };
    const request = {
      projectId: this.projectId,
      datasetVersionId: text(examples, 'versionId'),
      labelColumn: text(examples, 'label') || null,
      seed: examples.properties.seed as number,
      fractions,
      name: c.settings.name,
      parentId: null,
      spec: c.settings.spec,
    };
    const onProgress = Comlink.proxy((p: { phase: string; pass: number; passes: number; rows: number; totalRows: number }) => {
      // labels, the fit passes, then statistics: each an equal share of the bar
      const phases = 2 + Math.max(1, p.passes);
      const done = p.phase === 'labels' ? 0 : p.phase === 'fit' ? Math.max(0, p.pass - 1) + 1 : phases - 1;
      ctx.progress(Math.min(1, (done + (p.totalRows > 0 ? p.rows / p.totalRows : 0)) / phases));
    });
    const record = await this.job(ctx, (jobId) => this.data.analyzeTransform({ jobId, ...request }, onProgress));
    return { uri: `pipette:transform/${record.id}`, properties: { transformId: record.id, name: record.name, version: record.version } };
  }
}
