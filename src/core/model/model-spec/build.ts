/** A valid spec as a tf.LayersModel, with TF.js passed in (so this module never loads it). */
import type * as tfjs from '@tensorflow/tfjs';
import { invalidSpecError } from '../errors';
import { validateSpec } from './shapes';
import { HEAD_NAME, inputShape, layerName, type ModelSpec, type TF } from './types';

/**
 * Build the tf.LayersModel of a valid spec (not compiled: the trainer owns the loss and the optimizer).
 * Throws TrainError('invalid-spec') listing every problem validateSpec finds.
 */
export function buildModel(tf: TF, spec: ModelSpec): tfjs.Sequential {
  const issues = validateSpec(spec);
  if (issues.length) throw invalidSpecError(issues);
  const seedFor = (i: number) => (spec.seed === undefined ? undefined : (spec.seed + i * 7919) >>> 0);
  const kernelInit = (i: number) => {
    const seed = seedFor(i);
    return seed === undefined ? undefined : tf.initializers.glorotUniform({ seed });
  };
  const model = tf.sequential();
  const shape = inputShape(spec.input);
  spec.layers.forEach((layer, i) => {
    const common = { name: layerName(i, layer.type), ...(i === 0 ? { inputShape: shape } : {}) };
    switch (layer.type) {
      case 'dense':
        model.add(tf.layers.dense({ ...common, units: layer.units, activation: layer.activation ?? 'linear', kernelInitializer: kernelInit(i) }));
        break;
      case 'conv2d':
        model.add(
          tf.layers.conv2d({
            ...common,
            filters: layer.filters,
            kernelSize: layer.kernelSize,
            strides: layer.strides ?? 1,
            padding: layer.padding ?? 'valid',
            activation: layer.activation ?? 'linear',
            kernelInitializer: kernelInit(i),
          }),
        );
        break;
      case 'maxPooling2d':
        model.add(
          tf.layers.maxPooling2d({ ...common, poolSize: layer.poolSize ?? 2, strides: layer.strides ?? layer.poolSize ?? 2, padding: layer.padding ?? 'valid' }),
        );
        break;
      case 'flatten':
        model.add(tf.layers.flatten(common));
        break;
      case 'dropout':
        // no seed: TF.js would then draw the same mask for every batch, which is not dropout
        model.add(tf.layers.dropout({ ...common, rate: layer.rate }));
        break;
      case 'batchNormalization':
        model.add(tf.layers.batchNormalization(common));
        break;
      case 'embedding': {
        const seed = seedFor(i);
        model.add(
          tf.layers.embedding({
            ...common,
            inputDim: (spec.input as { vocabSize: number }).vocabSize,
            outputDim: layer.outputDim,
            embeddingsInitializer: seed === undefined ? undefined : tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed }),
          }),
        );
        break;
      }
      case 'globalAveragePooling1d':
        model.add(tf.layers.globalAveragePooling1d(common));
        break;
      case 'globalAveragePooling2d':
        model.add(tf.layers.globalAveragePooling2d(common));
        break;
    }
  });
  const units = spec.head.kind === 'classification' ? spec.head.classes : 1;
  model.add(
    tf.layers.dense({
      name: HEAD_NAME,
      ...(spec.layers.length === 0 ? { inputShape: shape } : {}),
      units,
      activation: spec.head.kind === 'classification' ? 'softmax' : 'linear',
      kernelInitializer: kernelInit(spec.layers.length),
    }),
  );
  return model;
}
