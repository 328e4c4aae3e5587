import type * as tfjs from '@tensorflow/tfjs';
import type { BackendControl } from '../../../src/services/train-backend';

/** The cpu backend only, as Node has it. */
export function cpuOnly(tf: typeof tfjs): BackendControl {
  return {
    reports: async () => [{ name: 'cpu', available: true, msPerStep: 1 }],
    use: async () => {
      await tf.setBackend('cpu');
    },
  };
}
