/**
 * The Kubeflow Pipelines v2 spec of the demo pipeline: the YAML parses back to exactly the spec's top-level
 * keys, one task per component whose dependentTasks are its producers (written out by hand from the demo's
 * wiring), every componentRef and executorLabel resolves, artifacts flow between matching types, and the
 * executors are TFX's image, entrypoint and executor classes (tfx/orchestration/kubeflow/v2). A Trainer that
 * encodes its own columns gets a Transform of its own in both exports.
 *
 * Checked once by hand, not here (the tests must not need Python): the demo's and the richer pipeline's spec
 * parse with Python's protobuf (json_format.ParseDict, unknown fields refused) as KFP's PipelineSpec and
 * PipelineDeploymentConfig (kubeflow/pipelines api/v2alpha1/pipeline_spec.proto, compiled with protoc), the
 * eval_config parameter as TFMA's EvalConfig (tensorflow_model_analysis/proto/config.proto), and the other
 * JSON parameters as TFX's Input, Output, TrainArgs, EvalArgs and PushDestination (tfx/proto).
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kfpYaml, toKfpPipelineSpec, type KfpPipelineSpec } from '../../../src/core/pipeline/export/kfp';
import type { PipelineSpec } from '../../../src/core/pipeline/spec';
import { toTfxPipeline } from '../../../src/core/pipeline/export/tfx-pipeline';
import { syntaxErrors } from './python-syntax';
import { DEMO_CONTEXT, demoPipeline, richPipeline } from './fixture';

const demo = demoPipeline();
const exported = toKfpPipelineSpec(demo, DEMO_CONTEXT);
const yamlText = await kfpYaml(exported.spec);
const spec = parse(yamlText) as KfpPipelineSpec;
const tasks = spec.root.dag.tasks;

describe('the KFP v2 pipeline spec of the demo pipeline', () => {
  it('parses back from YAML to exactly the spec\'s top-level keys', () => {
    expect(Object.keys(spec).sort()).toEqual(['components', 'deploymentSpec', 'pipelineInfo', 'root', 'schemaVersion', 'sdkVersion']);
    expect(spec.schemaVersion).toBe('2.1.0');
    expect(spec.sdkVersion).toBe('tfx-1.21.0');
    expect(spec.pipelineInfo.name).toBe('penguins');
    expect(spec).toEqual(JSON.parse(JSON.stringify(exported.spec)));
  });

  it('has one task per component, each depending on exactly its producers and what it runs after', () => {
    expect(Object.keys(tasks).sort()).toEqual(demo.components.map((c) => c.id).sort());
    const dependencies = Object.fromEntries(Object.entries(tasks).map(([id, t]) => [id, t.dependentTasks ?? []]));
    expect(dependencies).toEqual({
      example_gen: [],
      statistics_gen: ['example_gen'],
      schema_gen: ['statistics_gen'],
      example_validator: ['schema_gen', 'statistics_gen'],
      transform: ['example_gen', 'schema_gen'],
      trainer: ['example_gen', 'example_validator', 'transform'],
      evaluator: ['example_gen', 'trainer'],
      pusher: ['evaluator', 'trainer'],
    });
  });

  it('resolves every componentRef and executorLabel', () => {
    for (const [id, task] of Object.entries(tasks)) {
      const component = spec.components[task.componentRef.name];
      expect(component, id).toBeDefined();
      expect(spec.deploymentSpec.executors[component!.executorLabel], id).toBeDefined();
    }
    expect(Object.keys(spec.components)).toHaveLength(demo.components.length);
    expect(Object.keys(spec.deploymentSpec.executors)).toHaveLength(demo.components.length);
  });

  it('passes each input artifact from the producer and port the Pipette wiring names, of the same type', () => {
    for (const c of demo.components) {
      const task = tasks[c.id]!;
      const inputs = task.inputs.artifacts ?? {};
      expect(Object.keys(inputs).sort(), c.id).toEqual(Object.keys(c.inputs).sort());
      for (const [port, ref] of Object.entries(c.inputs)) {
        expect(inputs[port]!.taskOutputArtifact, `${c.id}.${port}`).toEqual({ producerTask: ref.from, outputArtifactKey: ref.port });
        const wanted = spec.components[task.componentRef.name]!.inputDefinitions.artifacts![port]!.artifactType.schemaTitle;
        const given = spec.components[tasks[ref.from]!.componentRef.name]!.outputDefinitions.artifacts[ref.port]!.artifactType.schemaTitle;
        expect(given, `${c.id}.${port}`).toBe(wanted);
      }
    }
    expect(spec.components['comp-transform']!.outputDefinitions.artifacts.transform_graph!.artifactType.schemaTitle).toBe('tfx.TransformGraph');
    expect(spec.components['comp-statistics_gen']!.outputDefinitions.artifacts.statistics!.artifactType.schemaTitle).toBe('tfx.ExampleStatistics');
  });

  it("runs TFX's executors in TFX's image through kubeflow_v2_run_executor", () => {
    const executor = (id: string) => spec.deploymentSpec.executors[`exec-${id}`]!.container;
    for (const id of Object.keys(tasks)) {
      expect(executor(id).image).toBe('gcr.io/tfx-oss-public/tfx:1.21.0');
      expect(executor(id).command).toEqual(['python', '-m', 'tfx.orchestration.kubeflow.v2.container.kubeflow_v2_run_executor']);
      expect(executor(id).args.slice(2, 4)).toEqual(['--json_serialized_invocation_args', '{{$}}']);
    }
    expect(executor('trainer').args.slice(0, 2)).toEqual(['--executor_class_path', 'tfx.components.trainer.executor.GenericExecutor']);
    expect(executor('evaluator').args[1]).toBe('tfx.components.evaluator.executor.Executor');
    expect(executor('example_gen').args[1]).toBe('tfx.components.example_gen.csv_example_gen.executor.Executor');
    expect(executor('example_gen').lifecycle!.preCacheCheck.command.at(-1)).toBe('tfx.orchestration.kubeflow.v2.file_based_example_gen.driver');
    // the inputs spec the 2.1 schema passes is the component's own input definitions
    expect(JSON.parse(executor('pusher').args[5]!)).toEqual(spec.components['comp-pusher']!.inputDefinitions);
  });

  it('carries the settings as TFX parameters: the split, the EvalConfig thresholds, the push destination, caching', () => {
    const constant = (id: string, name: string) => tasks[id]!.inputs.parameters![name]!.runtimeValue.constant;
    // 0.7 / 0.15 / 0.15 is 14 : 3 : 3
    expect(JSON.parse(constant('example_gen', 'output_config') as string).split_config.splits).toEqual([
      { name: 'train', hash_buckets: 14 },
      { name: 'eval', hash_buckets: 3 },
      { name: 'test', hash_buckets: 3 },
    ]);
    const evalConfig = JSON.parse(constant('evaluator', 'eval_config') as string);
    expect(evalConfig.model_specs).toEqual([{ signature_name: 'serving_default', label_key: 'Species_xf', preprocessing_function_names: ['transform_features'] }]);
    // accuracy >= 0.9, and at most 0.02 below the baseline
    expect(evalConfig.metrics_specs).toEqual([
      { metrics: [{ class_name: 'SparseCategoricalAccuracy', threshold: { value_threshold: { lower_bound: 0.9 }, change_threshold: { direction: 'HIGHER_IS_BETTER', absolute: -0.02 } } }] },
    ]);
    expect(JSON.parse(constant('evaluator', 'example_splits') as string)).toEqual(['test']);
    expect(JSON.parse(constant('pusher', 'push_destination') as string)).toEqual({ filesystem: { base_directory: 'serving_model/production' } });
    expect(tasks.pusher!.cachingOptions.enableCache).toBe(false);
    expect(tasks.trainer!.cachingOptions.enableCache).toBe(true);
  });

  it('carries a slice threshold and macro F1 of the richer pipeline', () => {
    const rich = toKfpPipelineSpec(richPipeline(), DEMO_CONTEXT).spec;
    const evalConfig = JSON.parse(rich.root.dag.tasks.evaluator!.inputs.parameters!.eval_config!.runtimeValue.constant as string);
    expect(evalConfig.slicing_specs).toEqual([{}, { feature_keys: ['Island'] }]);
    const accuracy = evalConfig.metrics_specs[0].metrics[0];
    expect(accuracy.per_slice_thresholds).toEqual([{ slicing_specs: [{ feature_values: { Island: 'Dream' } }], threshold: { value_threshold: { lower_bound: 0.5 } } }]);
    // macro averaging names its classes by class_weights (config.proto): the three species, each 1
    expect(evalConfig.metrics_specs[1]).toEqual({
      metrics: [{ class_name: 'F1Score', config: '"top_k": 1', threshold: { value_threshold: { lower_bound: 0.55 } } }],
      aggregate: { macro_average: true, class_weights: { 0: 1, 1: 1, 2: 1 } },
    });
  });

  it('leaves out a component TFX has no equivalent for, passing its model through, and says so', () => {
    const withQuantizer: PipelineSpec = {
      ...demo,
      components: [
        ...demo.components.filter((c) => c.id !== 'pusher'),
        { id: 'quantizer', type: 'Quantizer', settings: { dtype: 'uint8' }, inputs: { model: { from: 'trainer', port: 'model' } } },
        { id: 'pusher', type: 'Pusher', settings: { alias: 'production' }, inputs: { model: { from: 'quantizer', port: 'model' }, model_blessing: { from: 'evaluator', port: 'blessing' } } },
      ],
    };
    const out = toKfpPipelineSpec(withQuantizer, DEMO_CONTEXT);
    expect(out.spec.root.dag.tasks.quantizer).toBeUndefined();
    expect(out.spec.root.dag.tasks.pusher!.inputs.artifacts!.model!.taskOutputArtifact).toEqual({ producerTask: 'trainer', outputArtifactKey: 'model' });
    expect(out.notes.filter((n) => n.code === 'component-not-exported').map((n) => n.component)).toEqual(['quantizer']);
  });
});

describe('a Trainer that encodes its own columns', () => {
  it('gets a Transform of its own in both exports, its features as transform steps', () => {
    const pipeline = demoPipeline();
    pipeline.components = pipeline.components.filter((c) => c.id !== 'transform');
    const trainer = pipeline.components.find((c) => c.id === 'trainer')!;
    trainer.inputs = { examples: { from: 'example_gen', port: 'examples' } };
    (trainer.settings as { features: unknown }).features = [{ column: 'Beak Length (mm)' }, { column: 'Island' }, { column: 'Sex', encoding: 'tokens' }];
    const kfp = toKfpPipelineSpec(pipeline, DEMO_CONTEXT);
    expect(kfp.spec.root.dag.tasks.trainer!.inputs.artifacts!.transform_graph!.taskOutputArtifact).toEqual({ producerTask: 'trainer_transform', outputArtifactKey: 'transform_graph' });
    expect(kfp.spec.root.dag.tasks.trainer_transform!.dependentTasks).toEqual(['example_gen', 'schema_gen']);
    expect(kfp.notes.map((n) => n.code)).toEqual(expect.arrayContaining(['added-transform', 'encoding-not-exported']));
    const tfx = toTfxPipeline(pipeline, DEMO_CONTEXT);
    const module = tfx['module.py'];
    expect(tfx['pipeline.py']).toContain('trainer_transform = tfx.components.Transform(\n        examples=example_gen.outputs["examples"],\n        schema=schema_gen.outputs["schema"],');
    expect(tfx['pipeline.py']).toContain('transform_graph=trainer_transform.outputs["transform_graph"],');
    expect(syntaxErrors(tfx['pipeline.py'])).toEqual([]);
    expect(syntaxErrors(module)).toEqual([]);
    // standardize: the mean for a missing value, then the z-score; onehot: a vocabulary with one OOV bucket
    expect(module).toContain('values["Beak Length (mm)_filled"] = tf.where(tf.math.is_nan(values["Beak Length (mm)"]), tft.mean(_finite(values["Beak Length (mm)"])), values["Beak Length (mm)"])');
    expect(module).toContain('values["Beak Length (mm)_xf"] = tft.scale_to_z_score(values["Beak Length (mm)_filled"])');
    expect(module).toContain('values["Island_xf"] = tft.compute_and_apply_vocabulary(values["Island"], num_oov_buckets=1, default_value=-1, vocab_filename="vocab_Island_xf")');
    expect(module).not.toContain('values["Sex');
  });
});
