/**
 * run_fn's Keras model and training settings from Pipette's model spec and Trainer settings, the Evaluator's
 * thresholds as TFMA's EvalConfig, and pipeline.py's wiring of the demo pipeline.
 */
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../../src/core/model/model-spec/types';
import { evalConfig, sliceFeatureValues } from '../../../src/core/pipeline/export/eval-config';
import { runFn, type TrainSettings } from '../../../src/core/pipeline/export/tfx-module';
import { toTfxPipeline } from '../../../src/core/pipeline/export/tfx-pipeline';
import { DEMO_CONTEXT, demoPipeline, richPipeline } from './fixture';
import { syntaxErrors } from './python-syntax';

const TRAIN: TrainSettings = {
  label: 'price',
  classes: [],
  hyper: { optimizer: 'momentum', learningRate: 0.001, batchSize: 64, epochs: 12, patience: 0, classWeights: 'none' },
  shuffleSeed: 7,
};

describe('run_fn', () => {
  it('builds the layers in Keras with Pipette\'s names and seeds, the optimizer, loss and settings', () => {
    const model: ModelSpec = {
      version: 1,
      input: { kind: 'tabular', features: 5 },
      layers: [
        { type: 'dense', units: 32, activation: 'elu' },
        { type: 'dropout', rate: 0.5 },
        { type: 'batchNormalization' },
      ],
      head: { kind: 'regression' },
      seed: 1,
    };
    const out = runFn(model, TRAIN, [{ name: 'z', kind: 'number', width: '1' }]);
    // seeds as build.ts: (seed + i * 7919) >>> 0, so 1 for layer 0 and 1 + 3 * 7919 = 23758 for the head
    expect(out.source).toContain('x = tf.keras.layers.Dense(32, activation="elu", kernel_initializer=tf.keras.initializers.GlorotUniform(seed=1), name="dense_1")(x)');
    expect(out.source).toContain('x = tf.keras.layers.Dropout(0.5, name="dropout_2")(x)');
    expect(out.source).toContain('x = tf.keras.layers.BatchNormalization(name="batch_normalization_3")(x)');
    expect(out.source).toContain('outputs = tf.keras.layers.Dense(1, activation="linear", kernel_initializer=tf.keras.initializers.GlorotUniform(seed=23758), name="output")(x)');
    expect(out.source).toContain('optimizer=tf.keras.optimizers.SGD(learning_rate=0.001, momentum=0.9), loss="mean_squared_error"');
    expect(out.source).toContain('BATCH_SIZE = 64\nEPOCHS = 12\nSHUFFLE_SEED = 7');
    expect(out.source).toContain('callbacks = []');
    expect(out.source).not.toContain('CLASSES');
    expect(out.source).not.toContain('class_weight=');
    expect(out.source).toContain('tft.TFTransformOutput(fn_args.transform_output)');
    expect(out.source).toContain('tf.saved_model.save(model, fn_args.serving_model_dir, signatures=_signatures(model, tf_transform_output, widths))');
    expect(out.notes).toEqual([]);
    expect(syntaxErrors(out.source)).toEqual([]);
  });

  it('classification: softmax over the classes, their order, early stopping and balanced class weights', () => {
    const model: ModelSpec = { version: 1, input: { kind: 'tabular', features: 4 }, layers: [{ type: 'dense', units: 4, activation: 'relu6' }], head: { kind: 'classification', classes: 2 } };
    const train: TrainSettings = { ...TRAIN, label: 'spam', classes: ['ham', 'spam'], hyper: { ...TRAIN.hyper, optimizer: 'adam', patience: 3, classWeights: 'balanced' } };
    const out = runFn(model, train, [{ name: 'z', kind: 'number', width: '1' }]);
    expect(out.source).toContain('CLASSES = ["ham", "spam"]');
    expect(out.source).toContain('tf.keras.layers.Dense(4, activation=tf.nn.relu6, name="dense_1")');
    expect(out.source).toContain('tf.keras.layers.Dense(2, activation="softmax", name="output")');
    expect(out.source).toContain('loss="sparse_categorical_crossentropy", metrics=[tf.keras.metrics.SparseCategoricalAccuracy()]');
    expect(out.source).toContain("tf.keras.callbacks.EarlyStopping(monitor='val_loss', patience=3, restore_best_weights=True)");
    expect(out.source).toContain('class_weight=_balanced_class_weights(train_dataset)');
    expect(syntaxErrors(out.source)).toEqual([]);
  });

  it('a layer that needs an image input on the flat features is left out and said', () => {
    const model: ModelSpec = { version: 1, input: { kind: 'tabular', features: 4 }, layers: [{ type: 'conv2d', filters: 8, kernelSize: 3 }], head: { kind: 'regression' } };
    const out = runFn(model, TRAIN, [{ name: 'z', kind: 'number', width: '1' }]);
    expect(out.source).not.toContain('Conv2D(');
    expect(out.notes.map((n) => [n.code, n.params.type])).toEqual([['layer-not-exported', 'conv2d']]);
  });
});

describe("the Evaluator's thresholds as TFMA's EvalConfig", () => {
  it('absolute bounds and relative tolerances in both directions', () => {
    const out = evalConfig(
      {
        thresholds: [
          { kind: 'absolute', metric: 'rmse', op: '<=', value: 3 },
          { kind: 'relative', metric: 'rmse', tolerance: 0.1, toleranceKind: 'relative' },
          { kind: 'absolute', metric: 'r2', op: '>=', value: 0.5 },
          { kind: 'absolute', metric: 'r2', op: '>=', value: 0.7 },
          { kind: 'absolute', metric: 'auc', op: '>=', value: 0.8 },
        ],
      },
      'price_xf',
      'evaluator',
      0,
    );
    const [plain, binary] = out.config.metrics_specs as { metrics: Record<string, unknown>[]; binarize?: unknown }[];
    expect(plain!.metrics).toEqual([
      // worse by at most 10 % of the baseline: LOWER_IS_BETTER with relative +0.1
      { class_name: 'RootMeanSquaredError', threshold: { value_threshold: { upper_bound: 3 }, change_threshold: { direction: 'LOWER_IS_BETTER', relative: 0.1 } } },
      // two lower bounds: the stricter holds
      { class_name: 'R2Score', threshold: { value_threshold: { lower_bound: 0.7 } } },
    ]);
    expect(binary).toEqual({ metrics: [{ class_name: 'AUC', threshold: { value_threshold: { lower_bound: 0.8 } } }], binarize: { class_ids: { values: [1] } } });
    expect(out.notes).toEqual([]);
  });

  it('names value slices; a range slice or an unknown metric is left out with a note', () => {
    expect(sliceFeatureValues('Island="Dream" & Sex="MALE"')).toEqual({ Island: 'Dream', Sex: 'MALE' });
    expect(sliceFeatureValues('rooms=3')).toEqual({ rooms: '3' });
    expect(sliceFeatureValues('age∈[20, 30)')).toBeNull();
    const out = evalConfig(
      { thresholds: [{ kind: 'absolute', metric: 'accuracy', op: '>=', value: 0.5, slice: 'age∈[20, 30)' }, { kind: 'absolute', metric: 'brier', op: '<=', value: 0.2 }] },
      'y_xf',
      'evaluator',
      2,
    );
    expect(out.notes.map((n) => n.code)).toEqual(['slice-not-exported', 'metric-not-exported']);
  });
});

describe('pipeline.py of the demo pipeline', () => {
  const py = toTfxPipeline(demoPipeline(), DEMO_CONTEXT)['pipeline.py'];

  it('wires each TFX component as the Pipette component reads its inputs', () => {
    expect(py).toContain('trainer = tfx.components.Trainer(\n        examples=example_gen.outputs["examples"],\n        transform_graph=transform.outputs["transform_graph"],\n        module_file=MODULE_FILE,');
    expect(py).toContain('transform = tfx.components.Transform(\n        examples=example_gen.outputs["examples"],\n        schema=schema_gen.outputs["schema"],\n        module_file=MODULE_FILE,\n        materialize=False,');
    expect(py).toContain('trainer.add_upstream_node(example_validator)');
    expect(py).toContain('pusher = tfx.components.Pusher(\n        model=trainer.outputs["model"],\n        model_blessing=evaluator.outputs["blessing"],');
    expect(py).toContain('base_directory=os.path.join(serving_model_dir, "production")');
    expect(py).toContain('tfx.proto.SplitConfig.Split(name="train", hash_buckets=14)');
    expect(py).toContain('tfx.orchestration.LocalDagRunner().run(');
    expect(py).toContain('#   runner = tfx.orchestration.experimental.KubeflowV2DagRunner(');
  });

  it('carries the thresholds in EVAL_CONFIG and adds the blessed-model resolver for the relative one', () => {
    expect(py).toContain('"lower_bound": 0.9,');
    expect(py).toContain('"direction": "HIGHER_IS_BETTER",\n                            "absolute": -0.02,');
    expect(toTfxPipeline(richPipeline(), DEMO_CONTEXT)['pipeline.py']).toContain('"macro_average": True,');
    expect(py).toContain("baseline_model=latest_blessed_model_resolver.outputs['model']");
    expect(py).toContain('components=[example_gen, statistics_gen, schema_gen, example_validator, transform, trainer, latest_blessed_model_resolver, evaluator, pusher]');
  });
});
