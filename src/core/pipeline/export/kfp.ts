/**
 * A Pipette pipeline as a Kubeflow Pipelines v2 pipeline spec (KFP's IR,
 * kubeflow/pipelines api/v2alpha1/pipeline_spec.proto), in the shape TFX's KubeflowV2DagRunner compiles a
 * TFX pipeline into (tfx/orchestration/kubeflow/v2, schema 2.1.0): one task per component in root.dag
 * (componentRef, dependentTasks = the producers of its inputs and what it runs after, each input artifact
 * a taskOutputArtifact, TFX's exec properties as constant parameters), one component definition per task
 * (input and output artifacts typed by TFX's artifact titles, parameters typed), and one container
 * executor per component: TFX's image running kubeflow_v2_run_executor with the component's executor class
 * (CsvExampleGen's also runs TFX's file-based ExampleGen driver before the cache check).
 *
 * kfpYaml serializes it with the `yaml` package, loaded only when a person asks for the export, so it never
 * enters the page's main bundle.
 */
import { cacheable, CONTRACTS } from '../components';
import type { PipelineSpec } from '../spec';
import {
  EXAMPLE_GEN_DRIVER,
  KFP_ENTRYPOINT,
  planExport,
  schemaTitle,
  TFX_COMPONENTS,
  TFX_IMAGE,
  TFX_VERSION,
  type ExportContext,
  type PlannedComponent,
} from './export-plan';
import type { ExportNote } from './python';

interface ArtifactType {
  artifactType: { schemaTitle: string; schemaVersion: string };
  isOptional?: boolean;
}

export interface KfpComponent {
  inputDefinitions: { artifacts?: Record<string, ArtifactType>; parameters?: Record<string, { parameterType: string }> };
  outputDefinitions: { artifacts: Record<string, ArtifactType> };
  executorLabel: string;
}

export interface KfpTask {
  taskInfo: { name: string };
  componentRef: { name: string };
  dependentTasks?: string[];
  inputs: {
    artifacts?: Record<string, { taskOutputArtifact: { producerTask: string; outputArtifactKey: string } }>;
    parameters?: Record<string, { runtimeValue: { constant: string | number } }>;
  };
  cachingOptions: { enableCache: boolean };
}

export interface KfpContainer {
  image: string;
  command: string[];
  args: string[];
  lifecycle?: { preCacheCheck: { command: string[]; args: string[] } };
}

/** The pipeline spec: exactly these top-level keys. */
export interface KfpPipelineSpec {
  pipelineInfo: { name: string; description?: string };
  root: { dag: { tasks: Record<string, KfpTask> } };
  components: Record<string, KfpComponent>;
  deploymentSpec: { executors: Record<string, { container: KfpContainer }> };
  schemaVersion: '2.1.0';
  sdkVersion: string;
}

export interface KfpExport {
  spec: KfpPipelineSpec;
  notes: ExportNote[];
}

/** TFX's artifact type schemas carry this version (tfx/orchestration/kubeflow/v2/artifact_types). */
const ARTIFACT_SCHEMA_VERSION = '0.0.1';

export const componentName = (id: string) => `comp-${id}`;
export const executorName = (id: string) => `exec-${id}`;

/** KFP's pipeline name: lowercase letters, digits and dashes. */
export function kfpName(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return (s || 'pipeline').slice(0, 128);
}

const typed = (title: string, optional = false): ArtifactType => ({ artifactType: { schemaTitle: title, schemaVersion: ARTIFACT_SCHEMA_VERSION }, ...(optional ? { isOptional: true } : {}) });

function componentOf(c: PlannedComponent): KfpComponent {
  const artifacts: Record<string, ArtifactType> = {};
  for (const port of Object.keys(c.inputs).sort()) artifacts[port] = typed(schemaTitle(port, c.type, 'in'));
  const parameters = Object.fromEntries(Object.entries(c.parameters).map(([name, p]) => [name, { parameterType: p.type }]));
  const outputs = Object.fromEntries(Object.keys(CONTRACTS[c.type].outputs).map((port) => [port, typed(schemaTitle(port, c.type, 'out'))]));
  const inputDefinitions: KfpComponent['inputDefinitions'] = {};
  if (Object.keys(artifacts).length) inputDefinitions.artifacts = artifacts;
  if (Object.keys(parameters).length) inputDefinitions.parameters = parameters;
  return { inputDefinitions, outputDefinitions: { artifacts: outputs }, executorLabel: executorName(c.spec.id) };
}

function taskOf(c: PlannedComponent): KfpTask {
  const producers = [...new Set([...Object.values(c.inputs).map((r) => r.from), ...c.after])].sort();
  const inputs: KfpTask['inputs'] = {};
  const artifacts = Object.fromEntries(Object.entries(c.inputs).map(([port, r]) => [port, { taskOutputArtifact: { producerTask: r.from, outputArtifactKey: r.port } }]));
  if (Object.keys(artifacts).length) inputs.artifacts = artifacts;
  const parameters = Object.fromEntries(Object.entries(c.parameters).map(([name, p]) => [name, { runtimeValue: { constant: p.value } }]));
  if (Object.keys(parameters).length) inputs.parameters = parameters;
  return {
    taskInfo: { name: c.spec.id },
    componentRef: { name: componentName(c.spec.id) },
    ...(producers.length ? { dependentTasks: producers } : {}),
    inputs,
    cachingOptions: { enableCache: c.spec.cache !== false && cacheable(c.spec.type) },
  };
}

/** The executor: kubeflow_v2_run_executor with the executor class and the inputs spec (schema 2.1's args). */
function containerOf(c: PlannedComponent, component: KfpComponent): KfpContainer {
  const inputsSpec = JSON.stringify(sortKeys(component.inputDefinitions), null, 2);
  const args = ['--executor_class_path', TFX_COMPONENTS[c.type].executor, '--json_serialized_invocation_args', '{{$}}', '--json_serialized_inputs_spec_args', inputsSpec];
  const container: KfpContainer = { image: TFX_IMAGE, command: [...KFP_ENTRYPOINT], args };
  if (c.type === 'ExampleGen') {
    container.lifecycle = { preCacheCheck: { command: [...EXAMPLE_GEN_DRIVER], args: ['--json_serialized_invocation_args', '{{$}}', '--json_serialized_inputs_spec_args', inputsSpec] } };
  }
  return container;
}

/** JSON with keys in order at every level (the V2 runner writes the inputs spec with sort_keys=True). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}

/** The pipeline as a KFP v2 pipeline spec, and the notes on what could not be carried over exactly. */
export function toKfpPipelineSpec(spec: PipelineSpec, context: ExportContext): KfpExport {
  const plan = planExport(spec, context);
  const tasks: Record<string, KfpTask> = {};
  const components: Record<string, KfpComponent> = {};
  const executors: Record<string, { container: KfpContainer }> = {};
  for (const c of plan.components) {
    const component = componentOf(c);
    components[componentName(c.spec.id)] = component;
    tasks[c.spec.id] = taskOf(c);
    executors[executorName(c.spec.id)] = { container: containerOf(c, component) };
  }
  const pipelineInfo: KfpPipelineSpec['pipelineInfo'] = { name: kfpName(spec.name) };
  // what the export left out (Pipette's optimizers, the Tuner) is said in the spec itself, not only in the notes
  const leftOut = plan.notes.filter((n) => n.code === 'component-not-exported').map((n) => `Left out: ${n.message}.`);
  const description = [spec.description ?? '', ...leftOut].filter(Boolean).join(' ');
  if (description) pipelineInfo.description = description;
  return {
    spec: { pipelineInfo, root: { dag: { tasks } }, components, deploymentSpec: { executors }, schemaVersion: '2.1.0', sdkVersion: `tfx-${TFX_VERSION}` },
    notes: plan.notes,
  };
}

/** The spec as YAML (the file KFP's UI and `kfp` client upload). Loads the yaml package on first use. */
export async function kfpYaml(spec: KfpPipelineSpec): Promise<string> {
  const { stringify } = await import('yaml');
  return stringify(spec, { lineWidth: 0 });
}
