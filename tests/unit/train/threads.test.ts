/**
 * The wasm thread count per model (core/train/threads.ts) and the multiply-adds it is decided by
 * (core/model/model-spec/macs.ts), against counts done by hand.
 */
import { describe, expect, it } from 'vitest';
import { trainingMultiplyAdds, type ModelSpec } from '../../../src/core/model/model-spec';
import { SPLIT_MIN_MACS, splitsBatches, wasmPlanFor } from '../../../src/core/train/threads';
import { ALL_PRESETS } from '../../../src/app/train-presets';

const MNIST = { input: { kind: 'image' as const, height: 28, width: 28, channels: 1 }, classes: 10 };
const preset = (id: string): ModelSpec => ALL_PRESETS.find((p) => p.id === id)!.make(MNIST);

describe('trainingMultiplyAdds', () => {
  it('counts the MNIST presets as done by hand (tests/bench/mnist-train.ts)', () => {
    // MLP 784-128-64-10: forward 784*128 + 128*64 + 64*10 = 109,184; weight gradients the same; input
    // gradients of all but the first layer 128*64 + 64*10 = 8,832
    expect(trainingMultiplyAdds(preset('mlp-pixels'))).toBe(2 * 109_184 + 8_832);
    // Small CNN: conv 26*26*16*9 = 97,344; conv 11*11*32*144 = 557,568; dense 800*64 = 51,200; 64*10 = 640
    expect(trainingMultiplyAdds(preset('small-cnn'))).toBe(2 * 706_752 + 557_568 + 51_200 + 640);
  });

  it('gives the first dense layer after a trainable embedding its input gradient', () => {
    const spec: ModelSpec = {
      version: 1,
      input: { kind: 'tokens', length: 20, vocabSize: 1000 },
      layers: [{ type: 'embedding', outputDim: 8 }, { type: 'globalAveragePooling1d' }, { type: 'dense', units: 4 }],
      head: { kind: 'classification', classes: 3 },
    };
    // dense 8 -> 4: 32 forward, x3 (the embedding before it needs the input gradient); head 4 -> 3: 12, x3
    expect(trainingMultiplyAdds(spec)).toBe(3 * 32 + 3 * 12);
  });

  it('is null for a spec whose shapes cannot be inferred', () => {
    const spec: ModelSpec = { version: 1, input: { kind: 'tabular', features: 0 }, layers: [], head: { kind: 'regression' } };
    expect(trainingMultiplyAdds(spec)).toBeNull();
  });
});

describe('wasmPlanFor', () => {
  it('trains the MLP (14.5 M multiply-adds a step) on one thread, and splits the Small CNN (129 M) between two workers sharing the cores', () => {
    expect(wasmPlanFor('auto', preset('mlp-pixels'), 64, 8)).toEqual({ threads: 1, split: false });
    expect(wasmPlanFor('auto', preset('small-cnn'), 64, 8)).toEqual({ threads: 4, split: true });
    expect(wasmPlanFor('auto', preset('small-cnn'), 64, 2)).toEqual({ threads: 1, split: true });
    expect(wasmPlanFor('auto', preset('small-cnn'), 64, 2)!.threads).toBe(1);
  });

  it('counts the whole batch: the threshold falls between batch sizes of the same model', () => {
    const mlp = preset('mlp-pixels');
    const perExample = trainingMultiplyAdds(mlp)!;
    const atLeast = Math.ceil(SPLIT_MIN_MACS / perExample);
    expect(wasmPlanFor('auto', mlp, atLeast - 1, 4)).toEqual({ threads: 1, split: false });
    expect(wasmPlanFor('auto', mlp, atLeast, 4)).toEqual({ threads: 2, split: true });
  });

  it('gives a model the split does not cover (batch normalization, tanh) every core in one worker from WASM_THREADS_MIN_MACS', () => {
    const cnn = preset('small-cnn');
    const normed: ModelSpec = { ...cnn, layers: [{ type: 'batchNormalization' }, ...cnn.layers] };
    const tanh: ModelSpec = { ...cnn, layers: cnn.layers.map((l) => (l.type === 'dense' ? { ...l, activation: 'tanh' as const } : l)) };
    expect(splitsBatches(cnn)).toBe(true);
    expect(splitsBatches(normed)).toBe(false);
    expect(splitsBatches(tanh)).toBe(false);
    expect(wasmPlanFor('auto', normed, 64, 2)).toEqual({ threads: 2, split: false });
    expect(wasmPlanFor('auto', tanh, 16, 2)).toEqual({ threads: 1, split: false });
    // one core, or a batch of one row, has nothing to split
    expect(wasmPlanFor('auto', cnn, 64, 1)).toEqual({ threads: 1, split: false });
    expect(wasmPlanFor('split', cnn, 1, 2)).toEqual({ threads: 2, split: false });
    // a caller with no partner to give (Tune's pool) gets the plan without the split
    expect(wasmPlanFor('auto', cnn, 64, 2, false)).toEqual({ threads: 2, split: false });
  });

  it('follows a fixed choice, and leaves the count alone when the model is unknown', () => {
    expect(wasmPlanFor('all', preset('mlp-pixels'), 64, 2)).toEqual({ threads: 2, split: false });
    expect(wasmPlanFor('one', preset('small-cnn'), 64, 2)).toEqual({ threads: 1, split: false });
    expect(wasmPlanFor('split', preset('mlp-pixels'), 64, 2)).toEqual({ threads: 1, split: true });
    expect(wasmPlanFor('split', preset('mlp-pixels'), 64, 4)).toEqual({ threads: 2, split: true });
    expect(wasmPlanFor('auto', null, 64, 2)).toBeNull();
    expect(wasmPlanFor('all', null, 64, 2)).toEqual({ threads: 2, split: false });
  });
});
