/**
 * The model builder's starting points and defaults: which task a dataset suggests, which columns to use,
 * and the core presets plus one more (an MLP on pixels, the classic first MNIST model, which also trains
 * on wasm, the fastest backend here for small dense nets). Pure: no TF.js, no Arrow.
 */
import type { ColumnInfo, ColumnType } from '../core/data/types';
import type { LayerSpec, LayerType } from '../core/model/model-spec';
import { PRESETS, type Preset, type Task } from '../core/train/presets';
import type { FeatureChoice } from '../core/model/preprocess';

export const TASKS: readonly Task[] = ['tabular-classification', 'tabular-regression', 'image-classification', 'text-classification'];

const pixelMlp: Preset = {
  id: 'mlp-pixels',
  task: 'image-classification',
  title: 'MLP on pixels',
  description: 'Flatten the image, two dense layers (128 and 64, ReLU), softmax.',
  inputKind: 'image',
  training: { optimizer: 'adam', learningRate: 0.002, batchSize: 64, epochs: 8, patience: 3 },
  make: ({ input, classes }) => ({
    version: 1,
    input,
    layers: [
      { type: 'flatten' },
      { type: 'dense', units: 128, activation: 'relu' },
      { type: 'dropout', rate: 0.1 },
      { type: 'dense', units: 64, activation: 'relu' },
    ],
    head: { kind: 'classification', classes: classes ?? 0 },
    seed: 42,
  }),
};

export const ALL_PRESETS: readonly Preset[] = [...PRESETS, pixelMlp];

export function presetsForTask(task: Task): Preset[] {
  return ALL_PRESETS.filter((p) => p.task === task);
}

export function findPreset(id: string | null): Preset | undefined {
  return ALL_PRESETS.find((p) => p.id === id);
}

/** Columns that identify a row rather than describe it: as features they only memorize (or leak). */
function isIdentifier(name: string): boolean {
  return /^(id|path|file|filename|uuid|key|index)$/i.test(name.trim());
}

/** The label: the scope's target when the version has it, else a column named like a label. */
export function defaultLabel(columns: readonly ColumnInfo[], target: string): string {
  if (columns.some((c) => c.name === target)) return target;
  const named = columns.find((c) => /^(label|class|target|species|y)$/i.test(c.name));
  if (named) return named.name;
  const categorical = columns.filter((c) => c.type === 'categorical' || c.type === 'boolean');
  return (categorical[categorical.length - 1] ?? columns[columns.length - 1])?.name ?? '';
}

export function guessTask(columns: readonly ColumnInfo[], label: string): Task {
  const rest = columns.filter((c) => c.name !== label);
  if (rest.some((c) => c.type === 'image')) return 'image-classification';
  const labelType = columns.find((c) => c.name === label)?.type;
  if (labelType === 'number') return 'tabular-regression';
  const describing = rest.filter((c) => !isIdentifier(c.name));
  if (describing.some((c) => c.type === 'text') && !describing.some((c) => c.type === 'number' || c.type === 'integer')) return 'text-classification';
  return 'tabular-classification';
}

/** Column types each task can use as features. */
const USABLE: Record<Task, readonly ColumnType[]> = {
  'tabular-classification': ['number', 'integer', 'categorical', 'boolean', 'datetime'],
  'tabular-regression': ['number', 'integer', 'categorical', 'boolean', 'datetime'],
  'image-classification': ['image'],
  'text-classification': ['text', 'categorical'],
};

export function usableColumns(task: Task, columns: readonly ColumnInfo[], label: string): ColumnInfo[] {
  return columns.filter((c) => c.name !== label && USABLE[task].includes(c.type));
}

/** Default features: every usable describing column; one image; for token models one text column. */
export function defaultFeatures(task: Task, preset: Preset | undefined, columns: readonly ColumnInfo[], label: string): string[] {
  const usable = usableColumns(task, columns, label).filter((c) => !isIdentifier(c.name));
  if (task === 'image-classification') return usable.slice(0, 1).map((c) => c.name);
  if (task === 'text-classification') {
    const texts = usable.filter((c) => c.type === 'text');
    return (preset?.inputKind === 'tokens' ? texts.slice(0, 1) : texts).map((c) => c.name);
  }
  return usable.map((c) => c.name);
}

/** How each chosen column is encoded: text becomes token ids for an embedding preset. */
export function featureChoices(preset: Preset | undefined, columns: readonly ColumnInfo[], chosen: readonly string[]): FeatureChoice[] {
  return chosen.map((name) => {
    const type = columns.find((c) => c.name === name)?.type;
    return preset?.inputKind === 'tokens' && (type === 'text' || type === 'categorical') ? { column: name, encoding: 'tokens' } : { column: name };
  });
}

/** A new layer of a type, with settings that fit most places. */
export function defaultLayer(type: LayerType): LayerSpec {
  switch (type) {
    case 'dense':
      return { type, units: 32, activation: 'relu' };
    case 'conv2d':
      return { type, filters: 16, kernelSize: 3, activation: 'relu', padding: 'valid' };
    case 'maxPooling2d':
      return { type, poolSize: 2 };
    case 'dropout':
      return { type, rate: 0.2 };
    case 'embedding':
      return { type, outputDim: 16 };
    case 'flatten':
    case 'batchNormalization':
    case 'globalAveragePooling1d':
    case 'globalAveragePooling2d':
      return { type };
  }
}

/** A short description of a stack, e.g. "Dense 64 · Dropout 0.1 · Dense 32". */
export function describeLayers(layers: readonly LayerSpec[]): string {
  const one = (l: LayerSpec): string => {
    switch (l.type) {
      case 'dense':
        return `Dense ${l.units}`;
      case 'conv2d':
        return `Conv ${l.filters}`;
      case 'maxPooling2d':
        return 'Pool';
      case 'flatten':
        return 'Flatten';
      case 'dropout':
        return `Dropout ${l.rate}`;
      case 'batchNormalization':
        return 'BatchNorm';
      case 'embedding':
        return `Embedding ${l.outputDim}`;
      case 'globalAveragePooling1d':
      case 'globalAveragePooling2d':
        return 'GAP';
    }
  };
  return layers.map(one).join(' · ');
}
