/**
 * The places of a Train-stage config a hyperparameter can set, and what each can hold: the training
 * settings and the numeric or named fields of each layer type (the Train stage's LayerEditor fields).
 */
import { ACTIVATIONS, type LayerType } from '../model/model-spec';
import { OPTIMIZERS } from '../train/optimizers';
import type { HpValue, HyperField } from './types';

/** What a place holds: a whole number >= 1 or >= 0, a positive number, a rate in [0, 1), or one of names. */
export type PlaceRule = { kind: 'int'; min: number } | { kind: 'positive' } | { kind: 'rate' } | { kind: 'oneOf'; names: readonly string[] };

const POSITIVE_INT: PlaceRule = { kind: 'int', min: 1 };
const PADDINGS: PlaceRule = { kind: 'oneOf', names: ['valid', 'same'] };
const ACTIVATION: PlaceRule = { kind: 'oneOf', names: ACTIVATIONS };

export const HYPER_PLACES: Record<HyperField, PlaceRule> = {
  optimizer: { kind: 'oneOf', names: OPTIMIZERS },
  learningRate: { kind: 'positive' },
  batchSize: POSITIVE_INT,
  epochs: POSITIVE_INT,
  patience: { kind: 'int', min: 0 },
  classWeights: { kind: 'oneOf', names: ['none', 'balanced'] },
};

/** Per layer type, the fields a parameter can set (a square size or stride as one number). */
export const LAYER_PLACES: Record<LayerType, Record<string, PlaceRule>> = {
  dense: { units: POSITIVE_INT, activation: ACTIVATION },
  conv2d: { filters: POSITIVE_INT, kernelSize: POSITIVE_INT, strides: POSITIVE_INT, padding: PADDINGS, activation: ACTIVATION },
  maxPooling2d: { poolSize: POSITIVE_INT, strides: POSITIVE_INT, padding: PADDINGS },
  flatten: {},
  dropout: { rate: { kind: 'rate' } },
  batchNormalization: {},
  embedding: { outputDim: POSITIVE_INT },
  globalAveragePooling1d: {},
  globalAveragePooling2d: {},
};

export function layerPlace(type: LayerType, field: string): PlaceRule | undefined {
  const places = LAYER_PLACES[type];
  return places && Object.hasOwn(places, field) ? places[field] : undefined;
}

export function hyperPlace(field: string): PlaceRule | undefined {
  return Object.hasOwn(HYPER_PLACES, field) ? HYPER_PLACES[field as HyperField] : undefined;
}

/** Whether a place can hold a value. */
export function fits(rule: PlaceRule, value: HpValue): boolean {
  switch (rule.kind) {
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && value >= rule.min;
    case 'positive':
      return typeof value === 'number' && Number.isFinite(value) && value > 0;
    case 'rate':
      return typeof value === 'number' && value >= 0 && value < 1;
    case 'oneOf':
      return typeof value === 'string' && rule.names.includes(value);
  }
}
