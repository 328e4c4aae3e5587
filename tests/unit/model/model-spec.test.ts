import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TrainError } from '../../../src/core/model/errors';
import { buildModel, inferShapes, validateSpec, type InputSpec, type LayerSpec, type ModelSpec } from '../../../src/core/model/model-spec';
import { PRESETS, presetById, presetsFor } from '../../../src/core/train/presets';
import { useCpu } from '../train/helpers';

let tf: typeof tfjs;
beforeAll(async () => {
  tf = await useCpu();
});

const tabular: InputSpec = { kind: 'tabular', features: 7 };
const mnist: InputSpec = { kind: 'image', height: 28, width: 28, channels: 1 };
const tokens: InputSpec = { kind: 'tokens', length: 20, vocabSize: 500 };

function spec(input: InputSpec, layers: LayerSpec[], classes = 3): ModelSpec {
  return { version: 1, input, layers, head: { kind: 'classification', classes } };
}

/** inferShapes must agree with what TF.js itself builds: every layer's output shape and parameter count. */
function expectMatchesTfjs(s: ModelSpec) {
  const report = inferShapes(s);
  expect(report.issues).toEqual([]);
  const model = buildModel(tf, s);
  try {
    expect(model.layers.length).toBe(report.layers.length);
    model.layers.forEach((layer, i) => {
      const mine = report.layers[i]!;
      expect(layer.name).toBe(mine.name);
      expect((layer.outputShape as number[]).slice(1)).toEqual(mine.outputShape);
      expect(layer.countParams()).toBe(mine.params);
      const trainable = layer.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
      expect(trainable).toBe(mine.trainableParams);
    });
    expect(model.countParams()).toBe(report.totalParams);
  } finally {
    model.dispose();
  }
}

describe('presets', () => {
  const dims: Record<string, { input: InputSpec; classes?: number }[]> = {
    'mlp-classifier': [{ input: tabular, classes: 3 }],
    'mlp-regressor': [{ input: tabular }],
    'small-cnn': [
      { input: mnist, classes: 10 },
      { input: { kind: 'image', height: 8, width: 8, channels: 1 }, classes: 10 },
      { input: { kind: 'image', height: 64, width: 48, channels: 3 }, classes: 5 },
      { input: { kind: 'image', height: 3, width: 3, channels: 3 }, classes: 2 },
    ],
    'text-bag-of-words': [{ input: { kind: 'tabular', features: 1000 }, classes: 2 }],
    'text-embedding': [{ input: tokens, classes: 4 }],
  };

  it('covers every task', () => {
    expect(presetsFor('tabular-classification').length).toBeGreaterThan(0);
    expect(presetsFor('tabular-regression').length).toBeGreaterThan(0);
    expect(presetsFor('image-classification').length).toBeGreaterThan(0);
    expect(presetsFor('text-classification').map((p) => p.id)).toEqual(['text-bag-of-words', 'text-embedding']);
    expect(Object.keys(dims).sort()).toEqual(PRESETS.map((p) => p.id).sort());
  });

  for (const preset of PRESETS) {
    for (const d of dims[preset.id]!) {
      it(`${preset.id} on ${JSON.stringify(d.input)}: shapes and params match TF.js`, () => {
        const s = preset.make(d);
        expect(s.input.kind).toBe(preset.inputKind);
        // plain JSON: survives a round trip unchanged
        expect(JSON.parse(JSON.stringify(s))).toEqual(s);
        expectMatchesTfjs(s);
      });
    }
  }

  it('the MNIST CNN has the shapes worked out by hand', () => {
    const r = inferShapes(presetById('small-cnn')!.make({ input: mnist, classes: 10 }));
    // 28 -conv3-> 26 -pool2-> 13 -conv3-> 11 -pool2-> 5; flatten 5*5*32 = 800
    expect(r.layers.map((l) => l.outputShape)).toEqual([[26, 26, 16], [13, 13, 16], [11, 11, 32], [5, 5, 32], [800], [800], [64], [10]]);
    // conv1 3*3*1*16+16 = 160; conv2 3*3*16*32+32 = 4640; dense 800*64+64 = 51264; head 64*10+10 = 650
    expect(r.layers.map((l) => l.params)).toEqual([160, 0, 4640, 0, 0, 0, 51264, 650]);
    expect(r.totalParams).toBe(160 + 4640 + 51264 + 650);
  });
});

describe('inferShapes arithmetic against TF.js', () => {
  it('strides, same padding, batch norm, pooling variants', () => {
    expectMatchesTfjs(
      spec({ kind: 'image', height: 17, width: 12, channels: 3 }, [
        { type: 'conv2d', filters: 8, kernelSize: [3, 5], strides: 2, padding: 'same', activation: 'relu' },
        { type: 'batchNormalization' },
        { type: 'maxPooling2d', poolSize: 3, strides: 1 },
        { type: 'conv2d', filters: 4, kernelSize: 2, strides: [2, 1], padding: 'valid' },
        { type: 'maxPooling2d', poolSize: [2, 1], padding: 'same' },
        { type: 'globalAveragePooling2d' },
        { type: 'dropout', rate: 0.5 },
        { type: 'dense', units: 5, activation: 'tanh' },
        { type: 'batchNormalization' },
      ]),
    );
  });

  it('embedding, flatten and batch norm over a sequence', () => {
    expectMatchesTfjs(
      spec(tokens, [{ type: 'embedding', outputDim: 6 }, { type: 'batchNormalization' }, { type: 'flatten' }, { type: 'dense', units: 3 }]),
    );
  });

  it('a head straight on the input, and regression', () => {
    expectMatchesTfjs(spec(tabular, []));
    expectMatchesTfjs({ version: 1, input: tabular, layers: [{ type: 'dense', units: 4 }], head: { kind: 'regression' } });
  });
});

describe('validateSpec', () => {
  const at = (s: ModelSpec) => validateSpec(s).map((i) => [i.at, i.message]);

  it('accepts every preset', () => {
    expect(validateSpec(presetById('mlp-classifier')!.make({ input: tabular, classes: 2 }))).toEqual([]);
  });

  it('Conv2D after Flatten', () => {
    const issues = validateSpec(spec(mnist, [{ type: 'flatten' }, { type: 'conv2d', filters: 4, kernelSize: 3 }]));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.at).toBe(1);
    expect(issues[0]!.message).toMatch(/^Layer 2 \(Conv2D\): needs an image-shaped input .* gets a flat vector of 784 \(it comes after Flatten/);
  });

  it('Dense on an image or a sequence without Flatten', () => {
    const image = validateSpec(spec(mnist, [{ type: 'dense', units: 8 }]));
    expect(image[0]).toMatchObject({ at: 0 });
    expect(image[0]!.message).toMatch(/Layer 1 \(Dense\): needs a flat vector but gets an image-shaped 28 x 28 x 1 .*add Flatten or GlobalAveragePooling2D/);
    const seq = validateSpec(spec(tokens, [{ type: 'embedding', outputDim: 4 }, { type: 'dense', units: 8 }]));
    expect(seq[0]!.at).toBe(1);
    expect(seq[0]!.message).toMatch(/sequence of 20 x 4.*GlobalAveragePooling1D/);
  });

  it('Embedding that is not first, or without token input', () => {
    const notFirst = at(spec(tokens, [{ type: 'dropout', rate: 0.1 }, { type: 'embedding', outputDim: 4 }, { type: 'globalAveragePooling1d' }]));
    expect(notFirst).toContainEqual([0, 'Token ids need an Embedding layer first: add Embedding as layer 1']);
    expect(notFirst).toContainEqual([1, 'Layer 2 (Embedding): must be the first layer (it turns token ids into vectors)']);
    expect(at(spec(tabular, [{ type: 'embedding', outputDim: 4 }]))[0]).toEqual([0, 'Layer 1 (Embedding): needs token ids as input, but the input is tabular']);
  });

  it('non-positive or non-integer sizes name the field', () => {
    const issues = validateSpec(
      spec(tabular, [
        { type: 'dense', units: 0 },
        { type: 'dense', units: 2.5 },
        { type: 'dropout', rate: 1 },
      ]),
    );
    expect(issues.map((i) => [i.at, i.field])).toEqual([
      [0, 'units'],
      [1, 'units'],
      [2, 'rate'],
    ]);
    expect(issues[0]!.message).toBe('Layer 1 (Dense): units must be a positive integer (got 0)');
  });

  it('a kernel or pool larger than its input', () => {
    const small: InputSpec = { kind: 'image', height: 4, width: 4, channels: 1 };
    const k = validateSpec(spec(small, [{ type: 'conv2d', filters: 2, kernelSize: 5 }, { type: 'flatten' }]));
    expect(k[0]).toMatchObject({ at: 0, field: 'kernelSize' });
    expect(k[0]!.message).toContain('kernel 5x5 is larger than its 4x4 input');
    // 'same' padding is fine with a big kernel
    expect(validateSpec(spec(small, [{ type: 'conv2d', filters: 2, kernelSize: 5, padding: 'same' }, { type: 'flatten' }]))).toEqual([]);
    const p = validateSpec(spec(small, [{ type: 'conv2d', filters: 2, kernelSize: 3 }, { type: 'maxPooling2d', poolSize: 3 }, { type: 'flatten' }]));
    expect(p[0]).toMatchObject({ at: 1, field: 'poolSize' });
    expect(p[0]!.message).toContain('pool 3x3 is larger than its 2x2 input');
  });

  it('the output needs a flat vector and two classes', () => {
    expect(at(spec(mnist, [{ type: 'conv2d', filters: 2, kernelSize: 3 }]))).toEqual([
      ['output', 'Output: the last layer gives an image-shaped 26 x 26 x 2 tensor, but the output layer needs a flat vector: add Flatten or GlobalAveragePooling2D at the end'],
    ]);
    expect(validateSpec(spec(tabular, [], 1))[0]).toMatchObject({ at: 'output', field: 'classes' });
  });

  it('unknown layer types, activations, and global pooling of the wrong rank', () => {
    const s = spec(mnist, [{ type: 'lstm' } as unknown as LayerSpec, { type: 'flatten' }]);
    expect(validateSpec(s)[0]).toMatchObject({ at: 0, field: 'type' });
    expect(validateSpec(spec(tabular, [{ type: 'dense', units: 3, activation: 'gelu' as never }]))[0]!.field).toBe('activation');
    expect(validateSpec(spec(mnist, [{ type: 'globalAveragePooling1d' }]))[0]!.message).toContain('use GlobalAveragePooling2D for images');
  });

  it('bad inputs and absurd sizes', () => {
    expect(validateSpec(spec({ kind: 'image', height: 0, width: 28, channels: 1 }, [{ type: 'flatten' }]))[0]).toMatchObject({ at: 'input', field: 'height' });
    const huge = validateSpec(spec({ kind: 'tabular', features: 100_000 }, [{ type: 'dense', units: 4096 }]));
    expect(huge.at(-1)!.message).toMatch(/parameters; at most 50,000,000/);
  });

  it('shapes after an invalid layer are unknown, but later layers are still checked', () => {
    const r = inferShapes(spec(mnist, [{ type: 'dense', units: 4 }, { type: 'dense', units: -1 }]));
    expect(r.layers.map((l) => l.outputShape)).toEqual([null, null, null]);
    expect(r.issues.map((i) => i.at)).toEqual([0, 1]);
  });

  it('buildModel refuses an invalid stack with every reason', () => {
    const s = spec(mnist, [{ type: 'flatten' }, { type: 'conv2d', filters: 4, kernelSize: 3 }, { type: 'dense', units: 0 }]);
    try {
      buildModel(tf, s);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TrainError);
      expect((e as TrainError).code).toBe('invalid-spec');
      expect((e as TrainError).details.layer).toBe(1);
      expect((e as Error).message.split('\n')).toHaveLength(2);
    }
  });
});

describe('buildModel', () => {
  it('a seeded spec builds the same initial weights every time', async () => {
    const s = presetById('small-cnn')!.make({ input: { kind: 'image', height: 8, width: 8, channels: 1 }, classes: 3 });
    const a = buildModel(tf, s);
    const b = buildModel(tf, s);
    const wa = await Promise.all(a.getWeights().map((w) => w.data()));
    const wb = await Promise.all(b.getWeights().map((w) => w.data()));
    expect(wa).toEqual(wb);
    a.dispose();
    b.dispose();
  });
});
