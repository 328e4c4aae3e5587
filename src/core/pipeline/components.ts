/**
 * Each component type's contract, as TFX's standard component specs give it
 * (tfx/types/standard_component_specs.py): its input ports with the artifact kind each reads and whether
 * it is optional, its output ports with the kind each gives, and how far its outputs follow from its
 * inputs and settings (what caching may rely on, cache.ts). Artifact kinds carry their MLMD type name
 * (tfx/types/standard_artifacts.py), the name lineage records and exports use.
 *
 * Where Pipette differs from TFX, on purpose:
 *  - Evaluator's model and Pusher's model and model_blessing are required: Pipette pushes a model only
 *    through a blessing (TFX also allows an InfraBlessing instead).
 *  - Transform gives no transformed_examples: Pipette applies the fitted transform inside the model's
 *    preprocessing (training, evaluation and serving alike) instead of writing transformed rows.
 *  - ExampleValidator fails the run on anomalies unless its settings accept them (TFX only records them).
 *  - Quantizer, Pruner and Distiller are Pipette's optimizers (TFX has none): a model in, a model out.
 */
import type { ComponentType } from './spec';

export const ARTIFACT_KINDS = [
  'Examples',
  'Statistics',
  'Schema',
  'Anomalies',
  'TransformGraph',
  'Model',
  'ModelRun',
  'ModelEvaluation',
  'ModelBlessing',
  'PushedModel',
  'HyperParameters',
] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** The MLMD ArtifactType name of each kind (TFX's TYPE_NAME). */
export const MLMD_ARTIFACT_TYPE: Record<ArtifactKind, string> = {
  Examples: 'Examples',
  Statistics: 'ExampleStatistics',
  Schema: 'Schema',
  Anomalies: 'ExampleAnomalies',
  TransformGraph: 'TransformGraph',
  Model: 'Model',
  ModelRun: 'ModelRun',
  ModelEvaluation: 'ModelEvaluation',
  ModelBlessing: 'ModelBlessing',
  PushedModel: 'PushedModel',
  HyperParameters: 'HyperParameters',
};

/**
 * How a component's outputs follow from its inputs and settings:
 *  - deterministic: the same inputs and settings give the same outputs;
 *  - seeded: the same, given the seeds in its settings (training's shuffles and initial weights);
 *  - resolved: it reads something at run time (ExampleGen's "latest" version, the Evaluator's production
 *    baseline); once resolved, that goes into the cache key and it is deterministic;
 *  - random: it may give other outputs each time (never cached);
 *  - side-effect: it changes the world (Pusher moves an alias): never cached, it must run to act.
 */
export type Determinism = 'deterministic' | 'seeded' | 'resolved' | 'random' | 'side-effect';

/** MLMD's system execution types (ExecutionType.SystemDefinedBaseType), TFX's TYPE_ANNOTATION. */
export type ExecutionBaseType = 'mlmd.Process' | 'mlmd.Transform' | 'mlmd.Train' | 'mlmd.Evaluate' | 'mlmd.Deploy';

export interface InputPort {
  kind: ArtifactKind;
  optional: boolean;
}

export interface ComponentContract {
  inputs: Readonly<Record<string, InputPort>>;
  outputs: Readonly<Record<string, ArtifactKind>>;
  determinism: Determinism;
  /** Raised when what the component computes from the same inputs and settings changes (it is in the cache key). */
  version: number;
  baseType: ExecutionBaseType;
  /** The Pipette stage whose page has these settings (app/stages.ts ids). */
  stage: 'data' | 'validate' | 'transform' | 'train' | 'tune' | 'evaluate' | 'registry' | 'optimize';
}

const required = (kind: ArtifactKind): InputPort => ({ kind, optional: false });
const optional = (kind: ArtifactKind): InputPort => ({ kind, optional: true });

export const CONTRACTS: Readonly<Record<ComponentType, ComponentContract>> = {
  ExampleGen: { inputs: {}, outputs: { examples: 'Examples' }, determinism: 'resolved', version: 1, baseType: 'mlmd.Process', stage: 'data' },
  StatisticsGen: {
    // TFX's optional schema input: accepted and recorded in the lineage, but not applied (SCHEMA_NOT_APPLIED)
    inputs: { examples: required('Examples'), schema: optional('Schema') },
    outputs: { statistics: 'Statistics' },
    determinism: 'deterministic',
    version: 1,
    baseType: 'mlmd.Process',
    stage: 'validate',
  },
  SchemaGen: { inputs: { statistics: required('Statistics') }, outputs: { schema: 'Schema' }, determinism: 'deterministic', version: 1, baseType: 'mlmd.Process', stage: 'validate' },
  ImportSchemaGen: { inputs: {}, outputs: { schema: 'Schema' }, determinism: 'deterministic', version: 1, baseType: 'mlmd.Process', stage: 'validate' },
  ExampleValidator: {
    inputs: { statistics: required('Statistics'), schema: required('Schema') },
    outputs: { anomalies: 'Anomalies' },
    determinism: 'deterministic',
    version: 1,
    baseType: 'mlmd.Process',
    stage: 'validate',
  },
  Transform: {
    inputs: { examples: required('Examples'), schema: required('Schema') },
    outputs: { transform_graph: 'TransformGraph' },
    determinism: 'deterministic',
    version: 1,
    baseType: 'mlmd.Transform',
    stage: 'transform',
  },
  Trainer: {
    inputs: {
      examples: required('Examples'),
      transform_graph: optional('TransformGraph'),
      schema: optional('Schema'),
      hyperparameters: optional('HyperParameters'),
      base_model: optional('Model'),
    },
    outputs: { model: 'Model', model_run: 'ModelRun' },
    determinism: 'seeded',
    version: 1,
    baseType: 'mlmd.Train',
    stage: 'train',
  },
  Tuner: {
    // TFX's tuner_results output is the Tune stage's search record itself (the Tune page lists it); base_model is accepted and not used
    inputs: { examples: required('Examples'), schema: optional('Schema'), transform_graph: optional('TransformGraph'), base_model: optional('Model') },
    outputs: { best_hyperparameters: 'HyperParameters' },
    // the search's seed draws the trials, the model seed their weights: the same settings and inputs search alike
    determinism: 'seeded',
    version: 1,
    baseType: 'mlmd.Train',
    stage: 'tune',
  },
  Evaluator: {
    inputs: { examples: required('Examples'), model: required('Model'), baseline_model: optional('Model'), schema: optional('Schema') },
    outputs: { evaluation: 'ModelEvaluation', blessing: 'ModelBlessing' },
    determinism: 'resolved',
    version: 1,
    baseType: 'mlmd.Evaluate',
    stage: 'evaluate',
  },
  Pusher: {
    inputs: { model: required('Model'), model_blessing: required('ModelBlessing') },
    outputs: { pushed_model: 'PushedModel' },
    determinism: 'side-effect',
    version: 1,
    baseType: 'mlmd.Deploy',
    stage: 'registry',
  },
  Quantizer: { inputs: { model: required('Model') }, outputs: { model: 'Model' }, determinism: 'deterministic', version: 1, baseType: 'mlmd.Process', stage: 'optimize' },
  Pruner: { inputs: { model: required('Model') }, outputs: { model: 'Model' }, determinism: 'seeded', version: 1, baseType: 'mlmd.Train', stage: 'optimize' },
  Distiller: {
    // examples: another dataset version to distill on (whole); without it the teacher's own training rows
    inputs: { model: required('Model'), examples: optional('Examples') },
    outputs: { model: 'Model' },
    determinism: 'seeded',
    version: 1,
    baseType: 'mlmd.Train',
    stage: 'optimize',
  },
};

/** What a StatisticsGen with a wired schema logs: its statistics are the Validate stage's, typed by the data. */
export const SCHEMA_NOT_APPLIED = 'schema: recorded as an input; the statistics take each column\'s type from the data, as the Validate stage\'s do (a schema is not applied)';

/** Whether a component of this type may ever reuse an earlier execution's outputs. */
export function cacheable(type: ComponentType): boolean {
  const d = CONTRACTS[type].determinism;
  return d !== 'random' && d !== 'side-effect';
}
