/**
 * The command-line runner's PipelineHost (core/pipeline/runner.ts): each component's work on files. Data
 * comes from --data (example-gen.ts); each output is a directory `artifacts/<component>/<execution id>/`
 * under --out, staged and renamed into place whole (files.ts), its uri relative to --out.
 *
 * The execution id is the one the runner's recorder gives next (MLMD's ids count up from 1), which is
 * exact because this runner runs one component at a time (Node's one thread does the work either way);
 * main.ts checks it after each execution.
 */
import { SCHEMA_NOT_APPLIED } from '../core/pipeline/components';
import type { JsonValue, MlmdStore } from '../core/pipeline/mlmd';
import type { ArtifactRef, ExecuteContext, OutputArtifact, PipelineHost } from '../core/pipeline/runner';
import type { AnyComponentSpec, ComponentSpec } from '../core/pipeline/spec';
import { resolveExampleGen, runExampleGen, type ResolvedVersion } from './example-gen';
import { artifactExists, StagedArtifact } from './files';
import type { TF } from '../core/model/model-spec';
import { resolveEvaluator, runEvaluator, runPusher } from './evaluator';
import { loadTf, type BackendName } from './tf';
import { runDistiller, runPruner, runQuantizer } from './optimizer';
import { runTrainer } from './trainer';
import { runTuner } from './tuner';
import { runTransform } from './transform-component';
import { runExampleValidator, runImportSchemaGen, runSchemaGen, runStatisticsGen } from './validate-components';


export interface NodeHostOptions {
  dataDir: string;
  out: string;
  /** The store the runner records into: the next execution id is read off it, and the optimizers find their model's training rows in its lineage. */
  store: MlmdStore;
  /** TF.js backend of the Trainer, Tuner, Evaluator, Pruner and Distiller (default cpu). */
  backend?: BackendName;
}

export class NodeHost implements PipelineHost {
  constructor(private readonly options: NodeHostOptions) {}

  /** The id the recorder gives the next execution. */
  nextExecutionId(): number {
    return this.options.store.executions.reduce((max, e) => Math.max(max, e.id), 0) + 1;
  }

  async resolve(component: ComponentSpec): Promise<Record<string, JsonValue>> {
    const c = component as AnyComponentSpec;
    if (c.type === 'ExampleGen') return { ...(await resolveExampleGen(this.options.dataDir, c)) };
    if (c.type === 'Evaluator') return resolveEvaluator(this.options.out);
    throw new Error(`${component.id}: a ${component.type} resolves nothing`);
  }

  async execute(component: ComponentSpec, inputs: Readonly<Record<string, ArtifactRef[]>>, resolved: Record<string, JsonValue> | undefined, ctx: ExecuteContext): Promise<Record<string, OutputArtifact>> {
    const c = component as AnyComponentSpec;
    const { out, dataDir } = this.options;
    const staged = await new StagedArtifact(out, c.id, this.nextExecutionId()).open();
    try {
      switch (c.type) {
        case 'ExampleGen':
          return { examples: await runExampleGen(dataDir, c, resolved as unknown as ResolvedVersion, staged, ctx.signal) };
        case 'StatisticsGen':
          if (inputs.schema?.length) ctx.log(SCHEMA_NOT_APPLIED);
          return { statistics: await runStatisticsGen(out, inputs, staged, ctx.signal) };
        case 'SchemaGen':
          return { schema: await runSchemaGen(out, c, inputs, staged) };
        case 'ImportSchemaGen':
          return { schema: await runImportSchemaGen(c, staged) };
        case 'ExampleValidator':
          return { anomalies: await runExampleValidator(out, c, inputs, staged, ctx.signal) };
        case 'Transform':
          return { transform_graph: await runTransform(out, c, inputs, staged, ctx) };
        case 'Trainer':
          return await runTrainer(await this.#tf(), out, c, inputs, staged, ctx);
        case 'Tuner':
          return await runTuner(await this.#tf(), out, c, inputs, staged, ctx);
        case 'Evaluator':
          return await runEvaluator(() => this.#tf(), out, c, inputs, resolved, staged, ctx.signal, (line) => ctx.log(line));
        case 'Pusher':
          return { pushed_model: await runPusher(out, c, inputs, staged) };
        case 'Quantizer':
          return { model: await runQuantizer(out, c, inputs, staged) };
        case 'Pruner':
          return { model: await runPruner(await this.#tf(), out, this.options.store, c, inputs, staged, ctx) };
        case 'Distiller':
          return { model: await runDistiller(await this.#tf(), out, this.options.store, c, inputs, staged, ctx) };
      }
    } finally {
      // nothing half written: a directory not committed is removed
      await staged.discard();
    }
  }

  #tf(): Promise<TF> {
    return loadTf(this.options.backend ?? 'cpu');
  }

  exists(artifact: ArtifactRef): Promise<boolean> {
    return Promise.resolve(artifactExists(this.options.out, artifact.uri));
  }
}
