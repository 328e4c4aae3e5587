/**
 * A model as plain JSON: the input, a stack of layers and an output head. The page edits it, shows each
 * layer's output shape and parameter count (inferShapes: pure arithmetic, no TF.js, so it is instant and
 * keeps TF.js out of the main bundle), and refuses an invalid stack before any training starts
 * (validateSpec). The training worker turns it into a tf.LayersModel with buildModel.
 *
 * Shapes here never include the batch dimension: [features], [height, width, channels] or [steps, dims].
 */
export * from './types';
export { buildModel } from './build';
export { inferShapes, validateSpec } from './shapes';
export { trainingMultiplyAdds } from './macs';
