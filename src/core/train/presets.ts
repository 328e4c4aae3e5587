/**
 * Starting points for the model builder, one or two per task. Each makes a ModelSpec for the dataset's
 * input shape and class count, and suggests training settings that work for small data in a browser.
 */
import type { HeadSpec, InputSpec, LayerSpec, ModelSpec } from '../model/model-spec';
import type { OptimizerName } from './trainer';

export type Task = 'tabular-classification' | 'tabular-regression' | 'image-classification' | 'text-classification';

export interface TrainingDefaults {
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** Early-stopping patience in epochs. */
  patience: number;
}

export interface PresetDims {
  input: InputSpec;
  /** Number of classes for classification tasks. */
  classes?: number;
}

export interface Preset {
  id: string;
  task: Task;
  title: string;
  description: string;
  /** Which input the preset expects: the preprocessing has to produce it. */
  inputKind: InputSpec['kind'];
  training: TrainingDefaults;
  make(dims: PresetDims): ModelSpec;
}

function head(task: Task, classes: number | undefined): HeadSpec {
  if (task === 'tabular-regression') return { kind: 'regression' };
  // A missing class count still gives a spec; validateSpec then says what is wrong.
  return { kind: 'classification', classes: classes ?? 0 };
}

function spec(input: InputSpec, layers: LayerSpec[], h: HeadSpec): ModelSpec {
  return { version: 1, input, layers, head: h, seed: 42 };
}

/**
 * Conv blocks (3x3 conv + 2x2 pool) while the image is big enough for another one, so the same preset
 * fits 8x8 digits, 28x28 MNIST and 96x96 photos; then Flatten while that stays small, else global pooling.
 */
function cnnLayers(input: Extract<InputSpec, { kind: 'image' }>): LayerSpec[] {
  const layers: LayerSpec[] = [];
  let h = input.height;
  let w = input.width;
  let channels = input.channels;
  for (const filters of [16, 32, 64]) {
    // a valid 3x3 conv leaves size-2; the pool then needs at least 2 of those
    if (Math.min(h, w) - 2 < 2) break;
    if (filters === 64 && Math.min(input.height, input.width) < 48) break; // two blocks are plenty for small images
    layers.push({ type: 'conv2d', filters, kernelSize: 3, activation: 'relu', padding: 'valid' });
    layers.push({ type: 'maxPooling2d', poolSize: 2 });
    h = Math.floor((h - 2) / 2);
    w = Math.floor((w - 2) / 2);
    channels = filters;
  }
  if (layers.length === 0) layers.push({ type: 'conv2d', filters: 16, kernelSize: 1, activation: 'relu' });
  layers.push(h * w * channels <= 4096 ? { type: 'flatten' } : { type: 'globalAveragePooling2d' });
  layers.push({ type: 'dropout', rate: 0.25 });
  layers.push({ type: 'dense', units: 64, activation: 'relu' });
  return layers;
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'mlp-classifier',
    task: 'tabular-classification',
    title: 'MLP classifier',
    description: 'Two hidden dense layers (64 and 32, ReLU) with light dropout, softmax output.',
    inputKind: 'tabular',
    training: { optimizer: 'adam', learningRate: 0.005, batchSize: 32, epochs: 60, patience: 10 },
    make: ({ input, classes }) =>
      spec(
        input,
        [
          { type: 'dense', units: 64, activation: 'relu' },
          { type: 'dropout', rate: 0.1 },
          { type: 'dense', units: 32, activation: 'relu' },
        ],
        head('tabular-classification', classes),
      ),
  },
  {
    id: 'mlp-regressor',
    task: 'tabular-regression',
    title: 'MLP regressor',
    description: 'Two hidden dense layers (64 and 32, ReLU), one linear output.',
    inputKind: 'tabular',
    training: { optimizer: 'adam', learningRate: 0.005, batchSize: 32, epochs: 80, patience: 10 },
    make: ({ input }) =>
      spec(
        input,
        [
          { type: 'dense', units: 64, activation: 'relu' },
          { type: 'dense', units: 32, activation: 'relu' },
        ],
        head('tabular-regression', undefined),
      ),
  },
  {
    id: 'small-cnn',
    task: 'image-classification',
    title: 'Small CNN',
    description: 'Conv 3x3 + max-pool blocks (16, 32 filters; 64 for larger images), dropout, dense 64, softmax.',
    inputKind: 'image',
    training: { optimizer: 'adam', learningRate: 0.001, batchSize: 64, epochs: 10, patience: 3 },
    make: ({ input, classes }) =>
      spec(input, input.kind === 'image' ? cnnLayers(input) : [], head('image-classification', classes)),
  },
  {
    id: 'text-bag-of-words',
    task: 'text-classification',
    title: 'Bag of words',
    description: 'Which words occur (a multi-hot vector over the training vocabulary), one dense layer, softmax.',
    inputKind: 'tabular',
    training: { optimizer: 'adam', learningRate: 0.005, batchSize: 32, epochs: 20, patience: 4 },
    make: ({ input, classes }) =>
      spec(
        input,
        [
          { type: 'dropout', rate: 0.2 },
          { type: 'dense', units: 32, activation: 'relu' },
        ],
        head('text-classification', classes),
      ),
  },
  {
    id: 'text-embedding',
    task: 'text-classification',
    title: 'Embedding + average',
    description: 'Token ids, a learned 32-dimensional embedding averaged over the text, dense 32, softmax.',
    inputKind: 'tokens',
    training: { optimizer: 'adam', learningRate: 0.005, batchSize: 32, epochs: 20, patience: 4 },
    make: ({ input, classes }) =>
      spec(
        input,
        [
          { type: 'embedding', outputDim: 32 },
          { type: 'globalAveragePooling1d' },
          { type: 'dense', units: 32, activation: 'relu' },
        ],
        head('text-classification', classes),
      ),
  },
];

export function presetsFor(task: Task): Preset[] {
  return PRESETS.filter((p) => p.task === task);
}

export function presetById(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}
