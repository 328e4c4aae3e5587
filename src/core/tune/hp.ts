/**
 * One hyperparameter's arithmetic, as KerasTuner's hp_types: its default, the values it can take, and the
 * map between a value and a cumulative probability in [0, 1] (value_to_prob / prob_to_value) that random
 * draws and the Bayesian oracle's vectors use.
 */
import type { HpDef, HpValue, HpValues } from './types';

/** KerasTuner's defaults: Int and Float their min, Choice its first value, Boolean false. */
export function hpDefault(def: HpDef): HpValue {
  if (def.default !== undefined) return def.default;
  switch (def.kind) {
    case 'int':
    case 'float':
      return def.min;
    case 'choice':
      return def.values[0]!;
    case 'boolean':
      return false;
  }
}

type Numeric = Extract<HpDef, { kind: 'int' | 'float' }>;

/** The step a numeric parameter moves by: a linear Int without one steps by 1; else none (continuous). */
export function effectiveStep(def: Numeric): number | undefined {
  if (def.step !== undefined) return def.step;
  return def.kind === 'int' && def.sampling === 'linear' ? 1 : undefined;
}

/** hp_utils.prob_to_index: the bucket of `prob` among n equal ones. */
function probToIndex(prob: number, n: number): number {
  const index = Math.floor(prob / (1 / n));
  return index >= n ? n - 1 : index;
}

/** hp_utils.index_to_prob: the middle of bucket `index`. */
function indexToProb(index: number, n: number): number {
  return (index + 0.5) * (1 / n);
}

/** How many values a stepped parameter has (numerical.py _get_n_values). */
export function stepCount(def: Numeric, step: number): number {
  if (def.sampling === 'linear') return Math.floor((def.max - def.min) / step) + 1;
  return Math.floor(Math.log(def.max / def.min) / Math.log(step) + 1e-8) + 1;
}

function valueAt(def: Numeric, step: number, index: number): number {
  const v = def.sampling === 'linear' ? def.min + index * step : def.min * step ** index;
  // a Float's grid without binary noise (0.30000000000000004 -> 0.3); an Int's stays exact
  return def.kind === 'int' ? Math.round(v) : Number(v.toPrecision(12));
}

/** A value from a cumulative probability in [0, 1]. */
export function probToValue(def: HpDef, prob: number): HpValue {
  switch (def.kind) {
    case 'boolean':
      return prob >= 0.5;
    case 'choice':
      return def.values[probToIndex(prob, def.values.length)]!;
    case 'int':
    case 'float': {
      const step = effectiveStep(def);
      if (step !== undefined) return valueAt(def, step, probToIndex(prob, stepCount(def, step)));
      // continuous: an Int draws over [min, max + 1) and floors, as KerasTuner's
      const max = def.kind === 'int' ? def.max + 1 : def.max;
      const v = def.sampling === 'linear' ? prob * (max - def.min) + def.min : def.min * (max / def.min) ** prob;
      return def.kind === 'int' ? Math.min(def.max, Math.floor(v)) : v;
    }
  }
}

/** The cumulative probability of a value (the middle of its bucket for a stepped or discrete parameter). */
export function valueToProb(def: HpDef, value: HpValue): number {
  switch (def.kind) {
    case 'boolean':
      return value ? 0.75 : 0.25;
    case 'choice':
      return indexToProb(Math.max(0, def.values.indexOf(value)), def.values.length);
    case 'int':
    case 'float': {
      const v = Number(value);
      const step = effectiveStep(def);
      if (step !== undefined) {
        const n = stepCount(def, step);
        const index = def.sampling === 'linear' ? Math.floor((v - def.min) / step + 1e-9) : Math.round(Math.log(v / def.min) / Math.log(step));
        return indexToProb(Math.min(n - 1, Math.max(0, index)), n);
      }
      const shifted = def.kind === 'int' ? v + 0.5 : v;
      const max = def.kind === 'int' ? def.max + 1 : def.max;
      if (max === def.min) return 0.5;
      const p = def.sampling === 'linear' ? (shifted - def.min) / (max - def.min) : Math.log(shifted / def.min) / Math.log(max / def.min);
      return Math.min(1, Math.max(0, p));
    }
  }
}

/** Every value a parameter can take, or null when it is continuous (a Float without a step) or has more than `limit`. */
export function finiteValues(def: HpDef, limit = 10_000): HpValue[] | null {
  switch (def.kind) {
    case 'boolean':
      return [true, false];
    case 'choice':
      return [...def.values];
    case 'int':
    case 'float': {
      const step = effectiveStep(def);
      if (step === undefined) {
        if (def.kind === 'float') return null;
        const n = def.max - def.min + 1;
        return n > limit ? null : Array.from({ length: n }, (_, i) => def.min + i);
      }
      const n = stepCount(def, step);
      return n > limit ? null : Array.from({ length: n }, (_, i) => valueAt(def, step, i));
    }
  }
}

/** Whether the parameter can take `value` (a stepped parameter: on its grid). */
export function canTake(def: HpDef, value: HpValue): boolean {
  switch (def.kind) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'choice':
      return def.values.includes(value);
    case 'int':
    case 'float': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return false;
      if (def.kind === 'int' && !Number.isInteger(value)) return false;
      if (value < def.min || value > def.max) return false;
      const step = effectiveStep(def);
      if (step === undefined) return true;
      const index = def.sampling === 'linear' ? (value - def.min) / step : Math.log(value / def.min) / Math.log(step);
      return Math.abs(index - Math.round(index)) < 1e-6;
    }
  }
}

/** Whether a parameter is active given the active values chosen before it (its condition's parent). */
export function isActive(def: HpDef, active: HpValues): boolean {
  const c = def.condition;
  if (!c) return true;
  return Object.hasOwn(active, c.parent) && c.values.includes(active[c.parent]!);
}
