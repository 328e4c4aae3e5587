/**
 * A Pipette pipeline as a TFX Python pipeline: pipeline.py wires TFX's standard components exactly as the
 * Pipette pipeline wires its components (each input port reads the same producer's output port, `after` is
 * add_upstream_node), after TFX's penguin and taxi examples; module.py holds preprocessing_fn and run_fn
 * (tfx-module.ts). `python pipeline.py --data_root DIR` runs it with TFX's LocalDagRunner; the comment at
 * its end shows the KubeflowV2DagRunner compilation for Kubeflow Pipelines or Vertex AI.
 */
import type { ModelSpec } from '../../model/model-spec/types';
import type { AnyComponentSpec, ComponentSpec, PipelineSpec } from '../spec';
import { planExport, TFX_COMPONENTS, TFX_IMAGE, splitBuckets, evaluationSplits, type ExportContext, type ExportPlan, type PlannedComponent } from './export-plan';
import { indent, note, py, pyPretty, pyString, type ExportNote } from './python';
import { moduleFile, type ModuleParts } from './tfx-module';
import { dedupe } from './tfx-transform';

export interface TfxExport {
  'pipeline.py': string;
  'module.py': string;
  notes: ExportNote[];
}

/** Names pipeline.py uses itself: a component id equal to one gets a trailing _. */
const TAKEN = new Set([
  ...['False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except'],
  ...['finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield'],
  ...['os', 'argparse', 'tfx', 'tfma', 'json_format', 'components', 'pipeline_root', 'data_root', 'serving_model_dir', 'metadata_path', 'schema_file', 'args', 'parser'],
]);

export function variableName(id: string): string {
  return TAKEN.has(id) ? `${id}_` : id;
}

const output = (ref: { from: string; port: string }) => `${variableName(ref.from)}.outputs[${pyString(ref.port)}]`;

/** The keyword arguments of one component's constructor, besides its wired inputs. */
function settingsArgs(c: PlannedComponent, plan: ExportPlan): string[] {
  const s = c.spec as AnyComponentSpec;
  switch (s.type) {
    case 'ExampleGen': {
      const splits = splitBuckets(s.settings.split.fractions).map((x) => `tfx.proto.SplitConfig.Split(name=${pyString(x.name)}, hash_buckets=${x.hash_buckets})`);
      const base = plan.components.filter((x) => x.type === 'ExampleGen').length > 1 ? `os.path.join(data_root, ${pyString(s.id)})` : 'data_root';
      return [`input_base=${base}`, `output_config=tfx.proto.Output(split_config=tfx.proto.SplitConfig(splits=[${splits.join(', ')}]))`];
    }
    case 'SchemaGen':
      return ['infer_feature_shape=True'];
    case 'ImportSchemaGen':
      return ['schema_file=schema_file'];
    case 'Transform':
      // Pipette's Transform gives the fitted transform only; the Trainer applies it to raw examples
      return ['module_file=MODULE_FILE', 'materialize=False'];
    case 'Trainer':
      return ['module_file=MODULE_FILE', "train_args=tfx.proto.TrainArgs(splits=['train'])", "eval_args=tfx.proto.EvalArgs(splits=['eval'])"];
    case 'Evaluator': {
      const args = [`eval_config=json_format.ParseDict(EVAL_CONFIG_${s.id.toUpperCase()}, tfma.EvalConfig())`, `example_splits=${py(evaluationSplits(plan, s))}`];
      if (plan.needsBaselineResolver.has(s.id)) args.push("baseline_model=latest_blessed_model_resolver.outputs['model']");
      return args;
    }
    case 'Pusher':
      return [`push_destination=tfx.proto.PushDestination(filesystem=tfx.proto.PushDestination.Filesystem(base_directory=os.path.join(serving_model_dir, ${pyString(s.settings.alias)})))`];
    default:
      return [];
  }
}

function componentLines(c: PlannedComponent, plan: ExportPlan): string[] {
  const name = variableName(c.spec.id);
  const args = [...Object.entries(c.inputs).map(([port, ref]) => `${port}=${output(ref)}`), ...settingsArgs(c, plan)];
  const lines = [`${name} = tfx.components.${TFX_COMPONENTS[c.type].className}(`, ...args.map((a) => `    ${a},`), `).with_id(${pyString(c.spec.id)})`];
  for (const a of c.after) lines.push(`${name}.add_upstream_node(${variableName(a)})`);
  return lines;
}

const RESOLVER = [
  '# Relative thresholds compare with the latest blessed model (Pipette compares with the model aliased production).',
  'latest_blessed_model_resolver = tfx.dsl.Resolver(',
  '    strategy_class=tfx.dsl.experimental.LatestBlessedModelStrategy,',
  '    model=tfx.dsl.Channel(type=tfx.types.standard_artifacts.Model),',
  '    model_blessing=tfx.dsl.Channel(type=tfx.types.standard_artifacts.ModelBlessing),',
  ").with_id('latest_blessed_model_resolver')",
];

function pipelineSource(spec: PipelineSpec, plan: ExportPlan): string {
  // what the export left out (Pipette's optimizers, the Tuner), said where a reader of the wiring looks
  const body: string[] = plan.notes.filter((n) => n.code === 'component-not-exported').map((n) => `# Left out: ${n.message}.`);
  if (body.length) body.push('');
  const names: string[] = [];
  for (const c of plan.components) {
    if (c.type === 'Evaluator' && plan.needsBaselineResolver.has(c.spec.id) && !names.includes('latest_blessed_model_resolver')) {
      body.push(...RESOLVER, '');
      names.push('latest_blessed_model_resolver');
    }
    body.push(...componentLines(c, plan), '');
    names.push(variableName(c.spec.id));
  }
  const evalConfigs = Object.entries(plan.evalConfigs).map(([id, config]) => `EVAL_CONFIG_${id.toUpperCase()} = ${pyPretty(config)}`);
  const title = `${spec.name}${spec.description ? `: ${spec.description}` : ''}`.replace(/["\\]/g, '');
  const p = plan.paths;
  return [
    `"""${title}`,
    '',
    'A TFX pipeline exported by Pipette, wired as the Pipette pipeline is. module.py beside this file holds',
    "the Transform's preprocessing_fn and the Trainer's run_fn.",
    '',
    'Run it with TFX\'s local runner:  python pipeline.py --data_root DIR_WITH_THE_CSV',
    '"""',
    '',
    'import argparse',
    'import os',
    '',
    'import tensorflow_model_analysis as tfma',
    'from google.protobuf import json_format',
    'from tfx import v1 as tfx',
    '',
    `PIPELINE_NAME = ${pyString(spec.name)}`,
    "MODULE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'module.py')",
    ...evalConfigs,
    '',
    '',
    'def create_pipeline(pipeline_root, data_root, serving_model_dir, metadata_path, schema_file=None):',
    '    """The pipeline\'s components, each reading what it reads in Pipette."""',
    ...indent(body),
    '    return tfx.dsl.Pipeline(',
    '        pipeline_name=PIPELINE_NAME,',
    '        pipeline_root=pipeline_root,',
    `        components=[${names.join(', ')}],`,
    '        enable_cache=True,',
    '        metadata_connection_config=tfx.orchestration.metadata.sqlite_metadata_connection_config(metadata_path),',
    '    )',
    '',
    '',
    "if __name__ == '__main__':",
    "    parser = argparse.ArgumentParser(description='Run the pipeline with TFX\\'s LocalDagRunner.')",
    `    parser.add_argument('--data_root', default=${pyString(p.dataRoot)}, help='the folder of the CSV file(s) CsvExampleGen reads')`,
    `    parser.add_argument('--pipeline_root', default=${pyString(p.pipelineRoot)})`,
    `    parser.add_argument('--serving_model_dir', default=${pyString(p.servingModelDir)})`,
    `    parser.add_argument('--metadata_path', default=${pyString(p.metadataPath)})`,
    `    parser.add_argument('--schema_file', default=${pyString(p.schemaFile)})`,
    '    args = parser.parse_args()',
    '    tfx.orchestration.LocalDagRunner().run(',
    '        create_pipeline(args.pipeline_root, args.data_root, args.serving_model_dir, args.metadata_path, args.schema_file))',
    '',
    '# Kubeflow Pipelines v2 or Vertex AI: compile the same pipeline into a pipeline spec (kfp.yaml beside this',
    '# file is the spec Pipette writes without TFX, in the shape this runner gives):',
    '#',
    '#   runner = tfx.orchestration.experimental.KubeflowV2DagRunner(',
    `#       config=tfx.orchestration.experimental.KubeflowV2DagRunnerConfig(default_image=${pyString(TFX_IMAGE)}),`,
    "#       output_filename='pipeline.json')",
    "#   runner.run(create_pipeline('gs://BUCKET/root', 'gs://BUCKET/data', 'gs://BUCKET/serving', metadata_path=None))",
    '',
  ].join('\n');
}

/** The model the Trainer builds: the context's, else its settings' layers on the transform's features. */
function trainerModel(trainer: ComponentSpec<'Trainer'>, classes: number, context: ExportContext): ModelSpec {
  if (context.model) return context.model;
  const classification = trainer.settings.task !== 'tabular-regression';
  return {
    version: 1,
    input: { kind: 'tabular', features: 0 },
    layers: trainer.settings.layers,
    head: classification ? { kind: 'classification', classes } : { kind: 'regression' },
    seed: trainer.settings.modelSeed,
  };
}

/** pipeline.py, module.py, and the notes on what could not be carried over exactly. */
export function toTfxPipeline(spec: PipelineSpec, context: ExportContext): TfxExport {
  const plan = planExport(spec, context);
  const notes = [...plan.notes];
  // the pipeline's Transform, or the one the export adds for a Trainer that encodes its own columns
  const transform = plan.components.find((c) => c.type === 'Transform')?.spec as ComponentSpec<'Transform'> | undefined;
  const trainer = spec.components.find((c): c is ComponentSpec<'Trainer'> => c.type === 'Trainer');
  const exampleGen = spec.components.find((c): c is ComponentSpec<'ExampleGen'> => c.type === 'ExampleGen');
  const classes = context.classes ?? [];
  const transformSpec = context.transform ?? transform?.settings.spec;
  const parts: ModuleParts = {
    title: spec.name,
    transform: transformSpec ? { spec: transformSpec, columns: context.columns } : null,
    trainer: trainer
      ? {
          model: trainerModel(trainer, classes.length, context),
          train: {
            label: plan.label,
            classes,
            hyper: trainer.settings.hyper,
            shuffleSeed: exampleGen?.settings.split.seed ?? 0,
          },
        }
      : null,
  };
  if (trainer && trainer.settings.task !== 'tabular-regression' && classes.length === 0) {
    notes.push(note('no-classes', `${trainer.id}: the context gives no classes, so the label's class order in module.py is empty`, {}, trainer.id));
  }
  const module = moduleFile(parts);
  return { 'pipeline.py': pipelineSource(spec, plan), 'module.py': module.source, notes: dedupe([...notes, ...module.notes]) };
}
