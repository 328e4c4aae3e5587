/**
 * The trainer's loss (see trainer.ts's top): categorical cross-entropy on the softmax's probabilities,
 * clipped before the log as Keras clips them, or mean squared error; and a batch's correct count. The
 * tape's step (trainer.ts), the step without it (tapeless-step.ts) and the backend timing share them.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { TF } from '../model/model-spec';

/** The clip of predicted probabilities before the log (Keras's epsilon). */
export const LOG_EPS = 1e-7;

/** The task's per-example loss and a batch's correct count. */
export interface Losses {
  perExample: (y: tfjs.Tensor, pred: tfjs.Tensor) => tfjs.Tensor;
  correct: (y: tfjs.Tensor, pred: tfjs.Tensor, mask: tfjs.Tensor) => tfjs.Scalar;
}

export function lossesFor(tf: TF, classification: boolean): Losses {
  return {
    perExample: (y, pred) =>
      classification ? tf.neg(tf.sum(tf.mul(y, tf.log(tf.clipByValue(pred, LOG_EPS, 1 - LOG_EPS))), -1)) : tf.mean(tf.square(tf.sub(pred, y)), -1),
    correct: (y, pred, m) => tf.sum(tf.mul(m, tf.cast(tf.equal(tf.argMax(pred, -1), tf.argMax(y, -1)), 'float32'))),
  };
}
