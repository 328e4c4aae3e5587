/**
 * module.py of a TFX export: `preprocessing_fn` (tfx-transform.ts) for the Transform component and
 * `run_fn(fn_args)` for the Trainer (TFX's GenericExecutor), as in TFX's penguin example
 * (tfx/examples/penguin/penguin_utils_base.py and penguin_utils_keras.py).
 *
 * run_fn trains as Pipette's Train stage does on a transform: raw tf.Examples from `fn_args.train_files`
 * go through the fitted transform (`tft.TFTransformOutput(fn_args.transform_output)`'s layer) into one
 * feature vector in Pipette's layout, the model is Pipette's layer stack in Keras with the same names and
 * seeds, the optimizer, learning rate, batch size, epochs, early stopping and balanced class weights are
 * the Trainer's settings, and the model is saved to `fn_args.serving_model_dir` with a serving signature
 * that applies the transform to raw serialized tf.Examples (no training/serving skew), plus the
 * `transform_features` signature the Evaluator's EvalConfig names for the label.
 */
import type { LayerSpec, ModelSpec, Size2 } from '../../model/model-spec/types';
import { layerName } from '../../model/model-spec/types';
import type { TransformSpec } from '../../transform/spec';
import type { SpecColumn } from '../../transform/check';
import type { TrainHyperparameters } from '../spec';
import { indent, note, py, pyFloat, pyString, type ExportNote } from './python';
import { dedupe, preprocessingFn, type FeatureOutput } from './tfx-transform';

export { preprocessingFn, type FeatureOutput, type PreprocessingExport } from './tfx-transform';

/** What run_fn needs besides the model: the label and the Trainer's training settings. */
export interface TrainSettings {
  label: string;
  /** Classification: the class names, in the order of the model's outputs. */
  classes: readonly string[];
  hyper: TrainHyperparameters;
  /** Seeds each epoch's shuffle (ExampleGen's split seed). */
  shuffleSeed: number;
}

/** The label's name among the transformed features the Evaluator reads (TFX's `_xf` convention). */
export function labelFeature(label: string): string {
  return `${label}_xf`;
}

const OPTIMIZERS: Record<TrainHyperparameters['optimizer'], (lr: string) => string> = {
  adam: (lr) => `tf.keras.optimizers.Adam(learning_rate=${lr})`,
  sgd: (lr) => `tf.keras.optimizers.SGD(learning_rate=${lr})`,
  // TF.js's momentum optimizer is SGD with momentum (core/train/optimizers.ts uses 0.9)
  momentum: (lr) => `tf.keras.optimizers.SGD(learning_rate=${lr}, momentum=0.9)`,
  rmsprop: (lr) => `tf.keras.optimizers.RMSprop(learning_rate=${lr})`,
  adagrad: (lr) => `tf.keras.optimizers.Adagrad(learning_rate=${lr})`,
};

const pair = (s: Size2) => (typeof s === 'number' ? `(${s}, ${s})` : `(${s[0]}, ${s[1]})`);
const activation = (a: string | undefined) => (a === 'relu6' ? 'tf.nn.relu6' : pyString(a ?? 'linear'));

/** Layers that need an image or token input, which a transform's flat feature vector is not. */
const NEEDS_GRID = new Set<LayerSpec['type']>(['conv2d', 'maxPooling2d', 'globalAveragePooling2d', 'embedding', 'globalAveragePooling1d']);

/** Pipette's initializer seeds: build.ts's seedFor(i) = (seed + i x 7919) >>> 0. */
function seedFor(seed: number | undefined, i: number): number | undefined {
  return seed === undefined ? undefined : (seed + i * 7919) >>> 0;
}

function layerCall(layer: LayerSpec, i: number, model: ModelSpec): string {
  const name = `name=${pyString(layerName(i, layer.type))}`;
  const seed = seedFor(model.seed, i);
  const kernel = seed === undefined ? '' : `, kernel_initializer=tf.keras.initializers.GlorotUniform(seed=${seed})`;
  switch (layer.type) {
    case 'dense':
      return `tf.keras.layers.Dense(${layer.units}, activation=${activation(layer.activation)}${kernel}, ${name})`;
    case 'conv2d':
      return `tf.keras.layers.Conv2D(${layer.filters}, kernel_size=${pair(layer.kernelSize)}, strides=${pair(layer.strides ?? 1)}, padding=${pyString(layer.padding ?? 'valid')}, activation=${activation(layer.activation)}${kernel}, ${name})`;
    case 'maxPooling2d':
      return `tf.keras.layers.MaxPooling2D(pool_size=${pair(layer.poolSize ?? 2)}, strides=${pair(layer.strides ?? layer.poolSize ?? 2)}, padding=${pyString(layer.padding ?? 'valid')}, ${name})`;
    case 'flatten':
      return `tf.keras.layers.Flatten(${name})`;
    case 'dropout':
      return `tf.keras.layers.Dropout(${pyFloat(layer.rate)}, ${name})`;
    case 'batchNormalization':
      return `tf.keras.layers.BatchNormalization(${name})`;
    case 'embedding': {
      const init = seed === undefined ? '' : `, embeddings_initializer=tf.keras.initializers.RandomUniform(-0.05, 0.05, seed=${seed})`;
      const vocab = model.input.kind === 'tokens' ? model.input.vocabSize : 0;
      return `tf.keras.layers.Embedding(${vocab}, ${layer.outputDim}${init}, ${name})`;
    }
    case 'globalAveragePooling1d':
      return `tf.keras.layers.GlobalAveragePooling1D(${name})`;
    case 'globalAveragePooling2d':
      return `tf.keras.layers.GlobalAveragePooling2D(${name})`;
  }
}

/** `_build_keras_model(input_width)`: the spec's layers on the feature vector, the head, compiled. */
function buildModelFn(model: ModelSpec, hyper: TrainHyperparameters, notes: ExportNote[]): string[] {
  const classification = model.head.kind === 'classification';
  const lines = ['inputs = tf.keras.Input(shape=(input_width,), name="features")', 'x = inputs'];
  if (model.input.kind !== 'tabular') {
    notes.push(note('input-not-read', `The model takes ${model.input.kind} input; the export feeds it the transform's flat feature vector, so its input needs reshaping by hand`, { kind: model.input.kind }));
  }
  model.layers.forEach((layer, i) => {
    if (model.input.kind === 'tabular' && NEEDS_GRID.has(layer.type)) {
      notes.push(note('layer-not-exported', `Layer ${i + 1} (${layer.type}) needs an image or token input, which the transform's flat features are not; it is left out of the Keras model`, { layer: i + 1, type: layer.type }));
      lines.push(`# TODO(pipette export): layer ${i + 1} (${layer.type}) needs an image or token input; left out.`);
      return;
    }
    lines.push(`x = ${layerCall(layer, i, model)}(x)`);
  });
  const headSeed = seedFor(model.seed, model.layers.length);
  const headKernel = headSeed === undefined ? '' : `, kernel_initializer=tf.keras.initializers.GlorotUniform(seed=${headSeed})`;
  const units = model.head.kind === 'classification' ? model.head.classes : 1;
  lines.push(`outputs = tf.keras.layers.Dense(${units}, activation=${pyString(classification ? 'softmax' : 'linear')}${headKernel}, name="output")(x)`);
  lines.push('model = tf.keras.Model(inputs=inputs, outputs=outputs)');
  const loss = classification ? 'sparse_categorical_crossentropy' : 'mean_squared_error';
  const metric = classification ? 'tf.keras.metrics.SparseCategoricalAccuracy()' : 'tf.keras.metrics.MeanAbsoluteError()';
  lines.push(`model.compile(optimizer=${OPTIMIZERS[hyper.optimizer](pyFloat(hyper.learningRate))}, loss=${pyString(loss)}, metrics=[${metric}])`);
  lines.push('return model');
  return ['def _build_keras_model(input_width):', '    """Pipette\'s layer stack (same names and initializer seeds) and its output head, compiled."""', ...indent(lines)];
}

const FEATURE_VECTOR = `def _feature_vector(features, widths):
    """The transformed features as one float32 vector per example, in Pipette's layout (reader.js)."""
    parts = []
    for name, kind, width in widths:
        if kind == 'number':
            parts.append(tf.reshape(tf.cast(features[name], tf.float32), [-1, 1]))
        elif kind == 'index':
            # one-hot over the size; -1 (missing, out of vocabulary) is all zeros
            parts.append(tf.one_hot(tf.reshape(features[name], [-1]), width, dtype=tf.float32))
        elif kind == 'indices':
            ids = tf.sparse.retain(features[name], features[name].values >= 0)
            counts = tf.sparse.bincount(ids, minlength=width, maxlength=width, axis=-1)
            parts.append(tf.cast(tf.sparse.to_dense(counts), tf.float32))
        elif kind == 'sparse':
            index, weight = features[name + '_index'], features[name + '_weight']
            at = tf.stack([index.indices[:, 0], index.values], axis=1)
            dense = tf.SparseTensor(at, tf.cast(weight.values, tf.float32), [index.dense_shape[0], width])
            parts.append(tf.sparse.to_dense(tf.sparse.reorder(dense)))
        else:  # vector
            parts.append(tf.reshape(tf.cast(features[name], tf.float32), [-1, width]))
    return tf.concat(parts, axis=1)`;

function labelFn(classification: boolean): string {
  const body = classification
    ? [
        '"""The class index of each label in CLASSES (-1 for a class the model does not know)."""',
        'matches = tf.equal(tf.reshape(_string(raw_label), [-1, 1]), tf.constant(CLASSES))',
        'return tf.where(tf.reduce_any(matches, axis=1), tf.argmax(tf.cast(matches, tf.int64), axis=1), tf.constant(-1, tf.int64))',
      ]
    : ['"""The label as the regression target."""', 'return _number(raw_label)'];
  return ['def _label(raw_label):', ...indent(body)].join('\n');
}

const DATASET = `def _dataset(file_pattern, data_accessor, tf_transform_output, widths, shuffle):
    """(feature vector, label) batches: raw examples through the fitted transform, as Pipette trains."""
    dataset = data_accessor.tf_dataset_factory(
        file_pattern,
        tfxio.TensorFlowDatasetOptions(batch_size=BATCH_SIZE, shuffle=shuffle, shuffle_seed=SHUFFLE_SEED, num_epochs=1),
        tf_transform_output.raw_metadata.schema)
    tft_layer = tf_transform_output.transform_features_layer()

    def to_model_input(raw):
        label = _label(raw.pop(LABEL_KEY))
        return _feature_vector(tft_layer(raw), widths), label

    return dataset.map(to_model_input)`;

const CLASS_WEIGHTS = `def _balanced_class_weights(dataset):
    """Pipette's balanced class weights: examples / (classes x examples of the class)."""
    counts = np.zeros(len(CLASSES))
    total = 0
    for _, labels in dataset:
        labels = labels.numpy()
        total += len(labels)
        counts += np.bincount(labels[labels >= 0], minlength=len(CLASSES))[:len(CLASSES)]
    return {c: float(total / (len(CLASSES) * counts[c])) if counts[c] else 1.0 for c in range(len(CLASSES))}`;

const SIGNATURES = `def _signatures(model, tf_transform_output, widths):
    """serving_default: serialized raw tf.Examples in, the model's outputs out, through the same transform.
    transform_features: the transformed features and the label's index, for the Evaluator (TFMA)."""
    model.tft_layer = tf_transform_output.transform_features_layer()

    @tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.string, name='examples')])
    def serve_tf_examples_fn(serialized_tf_examples):
        feature_spec = tf_transform_output.raw_feature_spec()
        feature_spec.pop(LABEL_KEY, None)
        raw = tf.io.parse_example(serialized_tf_examples, feature_spec)
        return {'outputs': model(_feature_vector(model.tft_layer(raw), widths))}

    @tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.string, name='examples')])
    def transform_features_fn(serialized_tf_examples):
        raw = tf.io.parse_example(serialized_tf_examples, tf_transform_output.raw_feature_spec())
        label = _label(raw.pop(LABEL_KEY))
        transformed = model.tft_layer(raw)
        transformed[LABEL_XF] = label
        return transformed

    return {'serving_default': serve_tf_examples_fn, 'transform_features': transform_features_fn}`;

export interface RunFnExport {
  source: string;
  notes: ExportNote[];
}

/**
 * `run_fn(fn_args)` and what it calls: the constants (label, classes, batch size, epochs, seeds), the
 * feature widths of the transform's outputs, the Keras model, the datasets and the signatures.
 */
export function runFn(model: ModelSpec, train: TrainSettings, features: readonly FeatureOutput[]): RunFnExport {
  const notes: ExportNote[] = [];
  const classification = model.head.kind === 'classification';
  const { hyper } = train;
  const constants = [
    `LABEL_KEY = ${pyString(train.label)}`,
    `LABEL_XF = ${pyString(labelFeature(train.label))}`,
    ...(classification ? [`CLASSES = ${py([...train.classes])}`] : []),
    `BATCH_SIZE = ${hyper.batchSize}`,
    `EPOCHS = ${hyper.epochs}`,
    `SHUFFLE_SEED = ${train.shuffleSeed}`,
  ];
  const widths = [
    'def _feature_widths(tf_transform_output):',
    '    """(transformed feature, kind, width) of each model feature, in Pipette\'s feature order."""',
    '    return [',
    ...features.map((f) => `        (${pyString(f.name)}, ${pyString(f.kind)}, ${f.width}),`),
    '    ]',
  ];
  const callbacks = hyper.patience > 0 ? [`callbacks = [tf.keras.callbacks.EarlyStopping(monitor='val_loss', patience=${hyper.patience}, restore_best_weights=True)]`] : ['callbacks = []'];
  const weights = classification && hyper.classWeights === 'balanced';
  const run = [
    'def run_fn(fn_args):',
    '    """TFX Trainer: trains the Pipette model on the transformed features and saves it for raw tf.Examples."""',
    ...indent([
      'tf_transform_output = tft.TFTransformOutput(fn_args.transform_output)',
      'widths = _feature_widths(tf_transform_output)',
      'train_dataset = _dataset(fn_args.train_files, fn_args.data_accessor, tf_transform_output, widths, shuffle=True)',
      'eval_dataset = _dataset(fn_args.eval_files, fn_args.data_accessor, tf_transform_output, widths, shuffle=False)',
      'model = _build_keras_model(sum(width for _, _, width in widths))',
      ...callbacks,
      `model.fit(train_dataset, validation_data=eval_dataset, epochs=EPOCHS, callbacks=callbacks${weights ? ', class_weight=_balanced_class_weights(train_dataset)' : ''})`,
      "tf.saved_model.save(model, fn_args.serving_model_dir, signatures=_signatures(model, tf_transform_output, widths))",
    ]),
  ];
  const parts = [constants.join('\n'), widths.join('\n'), FEATURE_VECTOR, labelFn(classification), DATASET];
  if (weights) parts.push(CLASS_WEIGHTS);
  parts.push(buildModelFn(model, hyper, notes).join('\n'), SIGNATURES, run.join('\n'));
  return { source: `${parts.join('\n\n\n')}\n`, notes };
}

export interface ModuleExport {
  /** module.py's text. */
  source: string;
  notes: ExportNote[];
}

/** What module.py is made of: the transform (for preprocessing_fn) and the model (for run_fn), each when there is one. */
export interface ModuleParts {
  title: string;
  transform: { spec: TransformSpec; columns: readonly SpecColumn[] } | null;
  trainer: { model: ModelSpec; train: TrainSettings } | null;
}

/** The whole module.py: imports, preprocessing_fn for the Transform, run_fn for the Trainer. */
export function moduleFile(parts: ModuleParts): ModuleExport {
  const pre = parts.transform ? preprocessingFn(parts.transform.spec, parts.transform.columns) : null;
  const run = parts.trainer ? runFn(parts.trainer.model, parts.trainer.train, pre?.features ?? []) : null;
  const header = [
    `"""${parts.title.replace(/["\\]/g, '')}: the Transform's preprocessing_fn and the Trainer's run_fn, exported by Pipette.`,
    '',
    'Used by the Transform and Trainer components of pipeline.py (module_file).',
    '"""',
    '',
    'import numpy as np',
    'import tensorflow as tf',
    'import tensorflow_transform as tft',
    'from tfx_bsl.public import tfxio',
  ];
  const noTransform = '# TODO(pipette export): the pipeline has no Transform; write preprocessing_fn by hand.\n';
  const body = [pre?.source ?? noTransform, run?.source].filter((x): x is string => x !== undefined);
  return { source: `${header.join('\n')}\n\n\n${body.join('\n\n')}`, notes: dedupe([...(pre?.notes ?? []), ...(run?.notes ?? [])]) };
}
