/**
 * What one training example costs in matrix products: the multiply-adds of the dense and convolution
 * layers (and the head), forward and backward. Pooling, activations, biases, normalization and the
 * optimizer are O(size) and left out. The benches turn it into GFLOP/s; the training worker's thread
 * count follows it (core/train/threads.ts).
 */
import { inferShapes } from './shapes';
import type { ModelSpec } from './types';

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Per example: a dense layer in -> out costs in*out forward at each position it is applied to; a
 * convolution k x k, cin -> cout with an oh x ow output costs oh*ow*cout*k*k*cin. Backward costs the same
 * again for the weight gradient and once more for the input gradient, which only layers with a trainable
 * layer before them need (the inputs themselves need none). Null when a shape cannot be inferred.
 */
export function trainingMultiplyAdds(spec: ModelSpec): number | null {
  const report = inferShapes(spec);
  if (report.issues.length) return null;
  let total = 0;
  let trainableBefore = false;
  for (const layer of report.layers) {
    const out = layer.outputShape!;
    const isProduct = layer.type === 'dense' || layer.type === 'conv2d' || layer.type === 'output';
    if (isProduct) {
      // weights = params - one bias per output channel; applied at every position but the channel axis
      const channels = out[out.length - 1]!;
      const forward = (layer.params - channels) * (product(out) / channels);
      total += forward * (trainableBefore ? 3 : 2);
    }
    if (layer.trainableParams > 0) trainableBefore = true;
  }
  return total;
}
