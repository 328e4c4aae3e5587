/**
 * What both exports (pipeline.py and kfp.yaml) share: the context an export needs besides the pipeline,
 * the components TFX has an equivalent for in dependency order with their wiring, and the facts of each
 * TFX component (its Python class, executor class, parameters), from tfx/types/standard_component_specs.py
 * and the Kubeflow V2 runner's compiled pipelines (tfx/orchestration/kubeflow/v2/testdata).
 */
import type { ModelSpec } from '../../model/model-spec/types';
import type { SpecColumn } from '../../transform/check';
import type { TransformSpec } from '../../transform/spec';
import { checkPipeline } from '../check';
import { CONTRACTS, MLMD_ARTIFACT_TYPE } from '../components';
import type { AnyComponentSpec, ComponentSpec, ComponentType, InputRef, PipelineSpec, SettingsOf } from '../spec';
import { evalConfig } from './eval-config';
import { featuresAsTransform } from './trainer-features';
import { labelFeature } from './tfx-module';
import { note, type ExportNote } from './python';

/** What the pipeline references but does not contain. */
export interface ExportContext {
  /** The columns of the dataset ExampleGen reads (their names are the CSV header). */
  columns: SpecColumn[];
  /** The label column (default: ExampleGen's label setting). */
  label?: string;
  /** Classification: the label's classes in the order of the model's outputs (the Train stage's order). */
  classes?: string[];
  /** The transform spec (default: the Transform component's settings.spec). */
  transform?: TransformSpec;
  /** The model the Trainer builds (default: its settings' layers and seed, a tabular input, a head for the task). */
  model?: ModelSpec;
  /** Where the exported pipeline reads and writes (defaults in DEFAULT_PATHS). */
  paths?: Partial<ExportPaths>;
}

export interface ExportPaths {
  /** CsvExampleGen's input_base: the folder of the dataset's CSV file(s). */
  dataRoot: string;
  pipelineRoot: string;
  /** The Pusher's filesystem destination (the alias is a folder under it). */
  servingModelDir: string;
  metadataPath: string;
  /** ImportSchemaGen's schema_file. */
  schemaFile: string;
  /** module.py as the containers see it (kfp.yaml); pipeline.py finds it beside itself. */
  moduleFile: string;
}

export const DEFAULT_PATHS: ExportPaths = {
  dataRoot: 'data',
  pipelineRoot: 'pipeline_root',
  servingModelDir: 'serving_model',
  metadataPath: 'metadata/metadata.db',
  schemaFile: 'schema/schema.pbtxt',
  moduleFile: 'module.py',
};

/** The TFX release the export targets: its container image and the sdkVersion its Kubeflow V2 runner writes. */
export const TFX_VERSION = '1.21.0';
export const TFX_IMAGE = `gcr.io/tfx-oss-public/tfx:${TFX_VERSION}`;
export const KFP_ENTRYPOINT = ['python', '-m', 'tfx.orchestration.kubeflow.v2.container.kubeflow_v2_run_executor'];
export const EXAMPLE_GEN_DRIVER = ['python', '-m', 'tfx.orchestration.kubeflow.v2.file_based_example_gen.driver'];

export type ExportedType = Exclude<ComponentType, 'Tuner' | 'Quantizer' | 'Pruner' | 'Distiller'>;

/** Each exported type's TFX component class (tfx.v1.components) and executor class. */
export const TFX_COMPONENTS: Record<ExportedType, { className: string; executor: string }> = {
  ExampleGen: { className: 'CsvExampleGen', executor: 'tfx.components.example_gen.csv_example_gen.executor.Executor' },
  StatisticsGen: { className: 'StatisticsGen', executor: 'tfx.components.statistics_gen.executor.Executor' },
  SchemaGen: { className: 'SchemaGen', executor: 'tfx.components.schema_gen.executor.Executor' },
  ImportSchemaGen: { className: 'ImportSchemaGen', executor: 'tfx.components.schema_gen.import_schema_gen.executor.Executor' },
  ExampleValidator: { className: 'ExampleValidator', executor: 'tfx.components.example_validator.executor.Executor' },
  Transform: { className: 'Transform', executor: 'tfx.components.transform.executor.Executor' },
  Trainer: { className: 'Trainer', executor: 'tfx.components.trainer.executor.GenericExecutor' },
  Evaluator: { className: 'Evaluator', executor: 'tfx.components.evaluator.executor.Executor' },
  Pusher: { className: 'Pusher', executor: 'tfx.components.pusher.executor.Executor' },
};

const isExported = (type: ComponentType): type is ExportedType => type in TFX_COMPONENTS;

/** ExampleGen's split as hash buckets: the smallest whole numbers in the fractions' ratio (at most 100 buckets). */
export function splitBuckets(f: { train: number; validation: number; test: number }): { name: string; hash_buckets: number }[] {
  const named = [
    ['train', f.train],
    ['eval', f.validation],
    ['test', f.test],
  ] as const;
  let total = 100;
  for (let d = 1; d <= 100; d++) {
    if (named.every(([, x]) => Math.abs(x * d - Math.round(x * d)) < 1e-9)) {
      total = d;
      break;
    }
  }
  return named.map(([name, x]) => ({ name, hash_buckets: Math.round(x * total) })).filter((s) => s.hash_buckets > 0);
}

/** A TFX execution parameter as KFP passes it (STRING or NUMBER_INTEGER, as the V2 runner types them). */
export interface TfxParameter {
  type: 'STRING' | 'NUMBER_INTEGER';
  value: string | number;
}

export interface PlannedComponent {
  spec: AnyComponentSpec;
  type: ExportedType;
  /** Input port -> producer, with optimizers passed through (an input from a Quantizer reads its model). */
  inputs: Record<string, InputRef>;
  after: string[];
  /** The KFP parameters: TFX's exec properties as the V2 runner passes them (protos as JSON text). */
  parameters: Record<string, TfxParameter>;
}

export interface ExportPlan {
  name: string;
  components: PlannedComponent[];
  label: string;
  paths: ExportPaths;
  notes: ExportNote[];
  /** The Evaluator's EvalConfig as proto JSON, by component id. */
  evalConfigs: Record<string, Record<string, unknown>>;
  /** Relative thresholds without a wired baseline: TFX resolves the latest blessed model instead. */
  needsBaselineResolver: Set<string>;
}

const json = (v: unknown) => JSON.stringify(v, null, 2);

function parameters(c: AnyComponentSpec, plan: ExportPlan, exampleGens: number): Record<string, TfxParameter> {
  const S = (value: string): TfxParameter => ({ type: 'STRING', value });
  const I = (value: number): TfxParameter => ({ type: 'NUMBER_INTEGER', value });
  const { paths } = plan;
  switch (c.type) {
    case 'ExampleGen':
      return {
        input_base: S(exampleGens > 1 ? `${paths.dataRoot}/${c.id}` : paths.dataRoot),
        input_config: S(json({ splits: [{ name: 'single_split', pattern: '*' }] })),
        output_config: S(json({ split_config: { splits: splitBuckets(c.settings.split.fractions) } })),
        output_data_format: I(6), // FORMAT_TF_EXAMPLE
        output_file_format: I(5), // FORMAT_TFRECORDS_GZIP
      };
    case 'StatisticsGen':
    case 'ExampleValidator':
      return { exclude_splits: S('[]') };
    case 'SchemaGen':
      return { infer_feature_shape: I(1), exclude_splits: S('[]') };
    case 'ImportSchemaGen':
      return { schema_file: S(paths.schemaFile) };
    case 'Transform':
      return { module_file: S(paths.moduleFile), custom_config: S('null'), force_tf_compat_v1: I(0), disable_statistics: I(0) };
    case 'Trainer':
      return { module_file: S(paths.moduleFile), train_args: S(json({ splits: ['train'] })), eval_args: S(json({ splits: ['eval'] })), custom_config: S('null') };
    case 'Evaluator':
      return { eval_config: S(json(plan.evalConfigs[c.id])), example_splits: S(json(evaluationSplits(plan, c))), fairness_indicator_thresholds: S('null') };
    case 'Pusher':
      return { push_destination: S(json({ filesystem: { base_directory: `${paths.servingModelDir}/${c.settings.alias}` } })), custom_config: S('null') };
    default:
      return {};
  }
}

/** The Evaluator scores the test split (Pipette's Evaluate stage), or eval when there is no test split. */
export function evaluationSplits(plan: ExportPlan, c: ComponentSpec): string[] {
  const source = plan.components.find((p) => p.spec.id === c.inputs.examples?.from)?.spec;
  if (source?.type === 'ExampleGen' && source.settings.split.fractions.test <= 0) return ['eval'];
  return ['test'];
}

/** Follow an input through components TFX has no equivalent for to the model they were given. */
function passThrough(ref: InputRef, byId: Map<string, ComponentSpec>): InputRef | null {
  let at: InputRef | undefined = ref;
  for (let hops = 0; at && hops <= byId.size; hops++) {
    const producer = byId.get(at.from);
    if (!producer || isExported(producer.type)) return at;
    if (producer.type === 'Tuner') return null;
    at = producer.inputs.model;
  }
  return null;
}

/** The output an optimizer's model input comes from once optimizers are passed through: "trainer.model". */
function describeRef(ref: InputRef | undefined, byId: Map<string, ComponentSpec>): string {
  const to = ref ? passThrough(ref, byId) : null;
  return to ? `${to.from}.${to.port}` : 'nothing';
}

function first<T extends ComponentType>(spec: PipelineSpec, type: T): ComponentSpec<T> | undefined {
  return spec.components.find((c) => c.type === type) as ComponentSpec<T> | undefined;
}

/**
 * The plan of an export: the components TFX has, wired, in dependency order, with their parameters, and
 * the notes. A pipeline that could not run in Pipette is refused the same way (checkPipeline's PipelineError).
 */
export function planExport(spec: PipelineSpec, context: ExportContext): ExportPlan {
  const checked = checkPipeline(spec);
  const byId = new Map(spec.components.map((c) => [c.id, c]));
  const exampleGen = first(spec, 'ExampleGen');
  const label = context.label ?? exampleGen?.settings.label ?? '';
  const plan: ExportPlan = { name: spec.name, components: [], label, paths: { ...DEFAULT_PATHS, ...context.paths }, notes: [], evalConfigs: {}, needsBaselineResolver: new Set() };
  const planned: PlannedComponent[] = [];
  for (const id of checked.order) {
    const c = byId.get(id)! as AnyComponentSpec;
    if (!isExported(c.type)) {
      const given = c.type === 'Tuner' ? '' : ` and what reads its model reads ${describeRef(c.inputs.model, byId)} in its place`;
      const what = c.type === 'Tuner' ? 'has no TFX component' : "is one of Pipette's optimizers, which TFX has no component for";
      plan.notes.push(note('component-not-exported', `${c.id} (${c.type}) ${what}: it is left out${given}`, { type: c.type }, c.id));
      continue;
    }
    const inputs: Record<string, InputRef> = {};
    for (const [port, ref] of Object.entries(c.inputs)) {
      const resolved = passThrough(ref, byId);
      if (resolved) inputs[port] = resolved;
    }
    const after = (c.after ?? []).filter((id) => byId.has(id) && isExported(byId.get(id)!.type));
    planned.push({ spec: c, type: c.type, inputs, after, parameters: {} });
  }
  plan.components = planned;
  for (const trainer of planned.filter((c) => c.type === 'Trainer' && !c.inputs.transform_graph)) addFeaturesTransform(plan, trainer, context);
  for (const type of ['Transform', 'Trainer'] as const) {
    if (spec.components.filter((c) => c.type === type).length > 1) {
      plan.notes.push(note('one-module', `module.py holds one ${type}'s code: every ${type} of the export uses the first one's`, { kind: type }));
    }
  }
  addComponentNotes(plan, label, context.classes?.length ?? 0);
  const exampleGens = plan.components.filter((c) => c.type === 'ExampleGen').length;
  for (const c of plan.components) c.parameters = parameters(c.spec, plan, exampleGens);
  return plan;
}

/**
 * A Trainer that encodes its columns itself gets a Transform of its own (TFX encodes in a Transform): its
 * features as transform steps (trainer-features.ts), reading the Trainer's examples and the pipeline's schema.
 */
function addFeaturesTransform(plan: ExportPlan, trainer: PlannedComponent, context: ExportContext): void {
  const spec = trainer.spec as ComponentSpec<'Trainer'>;
  const features = featuresAsTransform(spec.settings.features, context.columns, spec.id);
  plan.notes.push(...features.notes);
  const schemaSource = plan.components.find((c) => c.type === 'SchemaGen' || c.type === 'ImportSchemaGen');
  const schema = trainer.inputs.schema ?? (schemaSource ? { from: schemaSource.spec.id, port: 'schema' } : undefined);
  const examples = trainer.inputs.examples;
  if (!schema || !examples || features.spec.steps.length === 0) {
    plan.notes.push(note('no-transform', `${spec.id} reads no transform_graph and the export cannot add one (it needs a schema and a column it can encode): write its preprocessing_fn by hand`, {}, spec.id));
    return;
  }
  let id = `${spec.id}_transform`;
  while (plan.components.some((c) => c.spec.id === id)) id = `${id}_`;
  const inputs = { examples, schema };
  const added: PlannedComponent = { spec: { id, type: 'Transform', settings: { name: id, spec: features.spec }, inputs }, type: 'Transform', inputs, after: [], parameters: {} };
  plan.components.splice(plan.components.indexOf(trainer), 0, added);
  trainer.inputs = { ...trainer.inputs, transform_graph: { from: id, port: 'transform_graph' } };
  plan.notes.push(note('added-transform', `${spec.id} encodes its columns itself; TFX does that in a Transform, so the export adds ${id}, whose preprocessing_fn encodes them as the Train stage does`, { transform: id }, spec.id));
}

function addComponentNotes(plan: ExportPlan, label: string, classes: number): void {
  for (const c of plan.components) {
    const s = c.spec;
    switch (s.type) {
      case 'ExampleGen':
        plan.notes.push(note('split-differs', `${s.id}: CsvExampleGen splits by hash buckets in the same proportions, not by Pipette's seeded, stratified split, so the rows in each split differ`, {}, s.id));
        break;
      case 'SchemaGen':
        if (s.settings.maxDomainSize !== undefined || s.settings.inferRanges !== undefined) plan.notes.push(note('schema-options', `${s.id}: SchemaGen has no setting for the domain size or value ranges; TFDV's defaults apply`, {}, s.id));
        break;
      case 'ImportSchemaGen':
        plan.notes.push(note('schema-file', `${s.id}: ImportSchemaGen reads a TFMD schema (schema.pbtxt) that the export does not write; export the schema from the Validate stage and convert it`, {}, s.id));
        break;
      case 'ExampleValidator':
        if (!s.settings.acceptAnomalies) plan.notes.push(note('validator-does-not-stop', `${s.id}: TFX's ExampleValidator records anomalies but does not stop the run as Pipette's does`, {}, s.id));
        break;
      case 'Evaluator': {
        const exported = evalConfig(s.settings as SettingsOf['Evaluator'], labelFeature(label), s.id, classes);
        plan.evalConfigs[s.id] = exported.config;
        plan.notes.push(...exported.notes);
        if (!c.inputs.baseline_model && s.settings.thresholds.some((t) => t.kind === 'relative')) {
          plan.needsBaselineResolver.add(s.id);
          plan.notes.push(note('baseline-resolver', `${s.id}: relative thresholds compare with TFX's latest blessed model (pipeline.py adds a resolver; kfp.yaml has none, so they pass as without a baseline), not with the model aliased production`, {}, s.id));
        }
        break;
      }
      default:
        break;
    }
  }
}

/** The artifact type title TFX gives each kind (tfx/orchestration/kubeflow/v2/artifact_types). */
export function schemaTitle(port: string, type: ExportedType, direction: 'in' | 'out'): string {
  const contract = CONTRACTS[type];
  const kind = direction === 'in' ? contract.inputs[port]?.kind : contract.outputs[port];
  return `tfx.${kind ? MLMD_ARTIFACT_TYPE[kind] : 'Artifact'}`;
}
