/**
 * AutoML ("find a model for me"): one search space that spans the model families fitting a task and its
 * input, for the ordinary tune searches to run. The first parameter is `family`, a Choice; every other
 * model parameter is conditional on it, and each family's layers are repeated blocks whose count is such a
 * conditional parameter, so a family that is not chosen adds no layers (blockCount in space.ts). The base
 * has no layers of its own and the preset's training settings; the learning rate and batch size are
 * searched for every family. The defaults make the preset's model where the space can (family first).
 */
import type { InputSpec, LayerSpec } from '../model/model-spec';
import type { Task, TrainingDefaults } from '../train/presets';
import type { BaseConfig, HpCondition, HpDef, Objective, RepeatedBlock, SearchSpace } from './types';

/** linear: the head alone; mlp: dense blocks (pixels flattened first); cnn: conv + pool blocks and a dense head; bag-of-words: dropout + dense on multi-hot words; embedding: an averaged embedding + dense. */
export type AutoMlFamily = 'linear' | 'mlp' | 'cnn' | 'bag-of-words' | 'embedding';

export const FAMILY_PARAM = 'family';

/** At most this many dense blocks in an MLP and conv blocks in a CNN. */
export const MAX_MLP_LAYERS = 3;
export const MAX_CNN_BLOCKS = 3;

/** How many 3x3 valid conv + 2x2 pool blocks an image takes (each needs a side of at least 4 before it), at most MAX_CNN_BLOCKS. */
export function maxConvBlocks(input: Extract<InputSpec, { kind: 'image' }>): number {
  let side = Math.min(input.height, input.width);
  let blocks = 0;
  while (blocks < MAX_CNN_BLOCKS && side - 2 >= 2) {
    side = Math.floor((side - 2) / 2);
    blocks++;
  }
  return blocks;
}

/**
 * The families for a task and the input its preprocessing makes, the preset's family first (the default).
 * Text as multi-hot words is a tabular input (bag of words); as token ids, an embedding. An image too small
 * for one conv block gets no CNN. A task the input cannot serve gets none.
 */
export function familiesFor(task: Task, input: InputSpec): AutoMlFamily[] {
  switch (task) {
    case 'tabular-classification':
    case 'tabular-regression':
      return input.kind === 'tabular' ? ['mlp', 'linear'] : [];
    case 'image-classification':
      if (input.kind !== 'image') return [];
      return maxConvBlocks(input) > 0 ? ['cnn', 'mlp'] : ['mlp'];
    case 'text-classification':
      if (input.kind === 'tokens') return ['embedding'];
      return input.kind === 'tabular' ? ['bag-of-words', 'linear'] : [];
  }
}

/** Regression is scored by validation loss (lower is better), classification by validation accuracy. */
export function automlObjective(task: Task): Objective {
  return task === 'tabular-regression' ? { metric: 'val_loss', direction: 'min' } : { metric: 'val_acc', direction: 'max' };
}

const when = (family: AutoMlFamily): HpCondition => ({ parent: FAMILY_PARAM, values: [family] });
/** Powers of two from `min` to `max` (log sampling, step 2). */
const pow2 = (name: string, min: number, max: number, def: number, condition: HpCondition): HpDef => ({ name, kind: 'int', min, max, step: 2, sampling: 'log', default: def, condition });
const rate = (name: string, def: number, condition: HpCondition): HpDef => ({ name, kind: 'float', min: 0, max: 0.5, step: 0.1, sampling: 'linear', default: def, condition });
/** A block that is there exactly once while its family is chosen (a Choice of the one count 1). */
const once = (name: string, condition: HpCondition): HpDef => ({ name, kind: 'choice', values: [1], condition });

interface FamilyPart {
  hps: HpDef[];
  blocks: RepeatedBlock[];
}

function mlpPart(input: InputSpec, defaults: number[]): FamilyPart {
  const c = when('mlp');
  const hps: HpDef[] = [];
  const blocks: RepeatedBlock[] = [];
  if (input.kind === 'image') {
    hps.push(once('mlp_flatten', c));
    blocks.push({ count: 'mlp_flatten', at: 0, layers: [{ type: 'flatten' }], bindings: [] });
  }
  hps.push({ name: 'mlp_layers', kind: 'int', min: 1, max: MAX_MLP_LAYERS, sampling: 'linear', default: defaults.length, condition: c });
  for (let i = 0; i < MAX_MLP_LAYERS; i++) {
    const inUse = Array.from({ length: MAX_MLP_LAYERS - i }, (_, k) => i + 1 + k);
    hps.push(pow2(`mlp_units_${i}`, 16, 256, defaults[i] ?? 32, { parent: 'mlp_layers', values: inUse }));
  }
  hps.push(rate('mlp_dropout', 0, c));
  blocks.push({
    count: 'mlp_layers',
    at: 0,
    layers: [{ type: 'dense', units: 64, activation: 'relu' }, { type: 'dropout', rate: 0 }],
    bindings: [
      { hp: 'mlp_units_{i}', layer: 0, field: 'units' },
      { hp: 'mlp_dropout', layer: 1, field: 'rate' },
    ],
  });
  return { hps, blocks };
}

function cnnPart(input: Extract<InputSpec, { kind: 'image' }>): FamilyPart {
  const c = when('cnn');
  const most = maxConvBlocks(input);
  const hps: HpDef[] = [{ name: 'cnn_blocks', kind: 'int', min: 1, max: most, sampling: 'linear', default: Math.min(2, most), condition: c }];
  for (let i = 0; i < most; i++) {
    const inUse = Array.from({ length: most - i }, (_, k) => i + 1 + k);
    hps.push(pow2(`cnn_filters_${i}`, 8, 128, Math.min(128, 16 * 2 ** i), { parent: 'cnn_blocks', values: inUse }));
  }
  hps.push(once('cnn_head', c), rate('cnn_dropout', 0.2, c), pow2('cnn_units', 16, 256, 64, c));
  // as the Small CNN preset: flatten small images, average larger ones (a 96x96 flatten is too wide)
  const pool: LayerSpec = Math.min(input.height, input.width) < 48 ? { type: 'flatten' } : { type: 'globalAveragePooling2d' };
  const blocks: RepeatedBlock[] = [
    {
      count: 'cnn_blocks',
      at: 0,
      layers: [{ type: 'conv2d', filters: 16, kernelSize: 3, activation: 'relu', padding: 'valid' }, { type: 'maxPooling2d', poolSize: 2 }],
      bindings: [{ hp: 'cnn_filters_{i}', layer: 0, field: 'filters' }],
    },
    {
      count: 'cnn_head',
      at: 0,
      layers: [pool, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 64, activation: 'relu' }],
      bindings: [
        { hp: 'cnn_dropout', layer: 1, field: 'rate' },
        { hp: 'cnn_units', layer: 2, field: 'units' },
      ],
    },
  ];
  return { hps, blocks };
}

function bagOfWordsPart(): FamilyPart {
  const c = when('bag-of-words');
  return {
    hps: [once('bow_head', c), rate('bow_dropout', 0.2, c), pow2('bow_units', 16, 256, 32, c)],
    blocks: [
      {
        count: 'bow_head',
        at: 0,
        layers: [{ type: 'dropout', rate: 0.2 }, { type: 'dense', units: 32, activation: 'relu' }],
        bindings: [
          { hp: 'bow_dropout', layer: 0, field: 'rate' },
          { hp: 'bow_units', layer: 1, field: 'units' },
        ],
      },
    ],
  };
}

function embeddingPart(): FamilyPart {
  const c = when('embedding');
  return {
    hps: [once('emb_head', c), pow2('emb_dim', 8, 128, 32, c), pow2('emb_units', 16, 256, 32, c)],
    blocks: [
      {
        count: 'emb_head',
        at: 0,
        layers: [{ type: 'embedding', outputDim: 32 }, { type: 'globalAveragePooling1d' }, { type: 'dense', units: 32, activation: 'relu' }],
        bindings: [
          { hp: 'emb_dim', layer: 0, field: 'outputDim' },
          { hp: 'emb_units', layer: 2, field: 'units' },
        ],
      },
    ],
  };
}

function familyPart(family: AutoMlFamily, input: InputSpec): FamilyPart {
  switch (family) {
    case 'linear':
      return { hps: [], blocks: [] };
    case 'mlp':
      // the MLP presets' 64 and 32; on pixels one wider layer to start
      return mlpPart(input, input.kind === 'image' ? [128] : [64, 32]);
    case 'cnn':
      return input.kind === 'image' ? cnnPart(input) : { hps: [], blocks: [] };
    case 'bag-of-words':
      return bagOfWordsPart();
    case 'embedding':
      return embeddingPart();
  }
}

export interface AutoMlSpace {
  families: AutoMlFamily[];
  space: SearchSpace;
  base: BaseConfig;
  objective: Objective;
}

/**
 * The AutoML space for a task and input, on a base with no layers and the preset's training settings:
 * family, each family's parameters, then the learning rate (log 1e-4..1e-2) and batch size (16..128) for all.
 * Null when no family fits.
 */
export function automlSpace(task: Task, input: InputSpec, training: TrainingDefaults): AutoMlSpace | null {
  const families = familiesFor(task, input);
  if (families.length === 0) return null;
  const hps: HpDef[] = [{ name: FAMILY_PARAM, kind: 'choice', values: [...families] }];
  const blocks: RepeatedBlock[] = [];
  for (const family of families) {
    const part = familyPart(family, input);
    hps.push(...part.hps);
    blocks.push(...part.blocks);
  }
  const learningRate = Math.min(1e-2, Math.max(1e-4, training.learningRate));
  const batchSizes = [16, 32, 64, 128];
  hps.push(
    { name: 'learning_rate', kind: 'float', min: 1e-4, max: 1e-2, sampling: 'log', default: learningRate },
    { name: 'batch_size', kind: 'choice', values: batchSizes, default: batchSizes.includes(training.batchSize) ? training.batchSize : 32 },
  );
  const space: SearchSpace = {
    version: 1,
    hps,
    bindings: [
      { hp: 'learning_rate', target: { kind: 'hyper', field: 'learningRate' } },
      { hp: 'batch_size', target: { kind: 'hyper', field: 'batchSize' } },
    ],
    blocks,
  };
  const base: BaseConfig = { layers: [], hyper: { ...training, classWeights: 'none' } };
  return { families, space, base, objective: automlObjective(task) };
}
