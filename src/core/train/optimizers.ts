import type * as tfjs from '@tensorflow/tfjs';
import type { TF } from '../model/model-spec';
import { fusedAdam } from './fused-adam';

export type OptimizerName = 'adam' | 'sgd' | 'momentum' | 'rmsprop' | 'adagrad';
export const OPTIMIZERS: readonly OptimizerName[] = ['adam', 'sgd', 'momentum', 'rmsprop', 'adagrad'];

/** The optimizer a run's config names (shared by training, distillation and backend timing). */
export function makeOptimizer(tf: TF, name: OptimizerName, lr: number): tfjs.Optimizer {
  switch (name) {
    case 'adam':
      return fusedAdam(tf, lr);
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, 0.9);
    case 'rmsprop':
      return tf.train.rmsprop(lr);
    case 'adagrad':
      return tf.train.adagrad(lr);
    default:
      throw new RangeError(`unknown optimizer '${String(name)}'`);
  }
}
