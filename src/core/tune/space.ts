/**
 * A search space's values: which parameters are active, random draws, the key that finds duplicates, the
 * [0, 1] vectors of the Bayesian oracle, a KerasTuner-style summary, and the concrete Train-stage config a
 * set of values makes (applyValues; checkSpace in check.ts says first whether the space can be built).
 */
import type { Rng } from '../math/random';
import type { LayerSpec } from '../model/model-spec';
import { canTake, finiteValues, hpDefault, isActive, probToValue, valueToProb } from './hp';
import type { Algorithm, BaseConfig, BindingTarget, HpCondition, HpKind, HpValue, HpValues, RepeatedBlock, Sampling, SearchSpace } from './types';

export { canTake, finiteValues, hpDefault, isActive, probToValue, valueToProb };

/** The space with nothing in it: the editor's start. */
export function emptySpace(): SearchSpace {
  return { version: 1, hps: [], bindings: [], blocks: [] };
}

/**
 * The active parameters' values, in the space's order: a parameter is active when its condition's parent
 * is active and takes one of the listed values. Missing values are the parameter's default; values of
 * inactive or unknown parameters are dropped (KerasTuner keeps only active values).
 */
export function activeValues(space: SearchSpace, values: HpValues): HpValues {
  const active: HpValues = {};
  for (const def of space.hps) {
    if (!isActive(def, active)) continue;
    active[def.name] = Object.hasOwn(values, def.name) ? values[def.name]! : hpDefault(def);
  }
  return active;
}

/** A random value for every active parameter, drawn in the space's order (as KerasTuner's _random_values). */
export function sampleValues(space: SearchSpace, rng: Rng): HpValues {
  const values: HpValues = {};
  for (const def of space.hps) if (isActive(def, values)) values[def.name] = probToValue(def, rng.next());
  return values;
}

/** The same key for the same active values in any key order: duplicates are found by it. */
export function valuesKey(values: HpValues): string {
  return Object.keys(values)
    .sort()
    .map((k) => `${JSON.stringify(k)}=${JSON.stringify(values[k])}`)
    .join(',');
}

/** One number in [0, 1] per parameter (inactive ones at their default), as KerasTuner's _vectorize_trials. */
export function toVector(space: SearchSpace, values: HpValues): number[] {
  const active = activeValues(space, values);
  return space.hps.map((def) => valueToProb(def, Object.hasOwn(active, def.name) ? active[def.name]! : hpDefault(def)));
}

/** The active values a vector stands for (KerasTuner's _vector_to_values). */
export function fromVector(space: SearchSpace, vector: readonly number[]): HpValues {
  const values: HpValues = {};
  space.hps.forEach((def, i) => {
    if (isActive(def, values)) values[def.name] = probToValue(def, vector[i] ?? 0.5);
  });
  return values;
}

/** `hyper.learningRate`, `layers[2].units`: how a binding's place is written everywhere (problems, summary). */
export function targetPath(target: BindingTarget): string {
  return target.kind === 'hyper' ? `hyper.${target.field}` : `layers[${target.index}].${target.field}`;
}

export function blockPath(block: number, layer: number, field: string): string {
  return `blocks[${block}].layers[${layer}].${field}`;
}

/** The name of a per-block parameter for block `i`: `{i}` replaced (a name without it is shared). */
export function blockParam(template: string, i: number): string {
  return template.replaceAll('{i}', String(i));
}

/** One row of the space's summary, like KerasTuner's search_space_summary(). */
export interface SummaryRow {
  name: string;
  kind: HpKind;
  min?: number;
  max?: number;
  step?: number;
  sampling?: Sampling;
  values?: HpValue[];
  default: HpValue;
  condition?: HpCondition;
  /** Where its value goes (paths), and the blocks whose count it is. */
  uses: string[];
}

export function spaceSummary(space: SearchSpace): SummaryRow[] {
  return space.hps.map((def) => {
    const row: SummaryRow = { name: def.name, kind: def.kind, default: hpDefault(def), uses: usesOf(space, def.name) };
    if (def.kind === 'int' || def.kind === 'float') Object.assign(row, { min: def.min, max: def.max, sampling: def.sampling }, def.step !== undefined ? { step: def.step } : {});
    if (def.kind === 'choice') row.values = [...def.values];
    if (def.condition) row.condition = { parent: def.condition.parent, values: [...def.condition.values] };
    return row;
  });
}

/** Whether `name` is block `template`'s parameter for some block index. */
export function matchesTemplate(template: string, name: string): boolean {
  if (!template.includes('{i}')) return template === name;
  const pattern = template.split('{i}').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\d+');
  return new RegExp(`^${pattern}$`).test(name);
}

/** The places a parameter's value goes, and `blocks[b].count` for a block count. */
export function usesOf(space: SearchSpace, name: string): string[] {
  const uses = space.bindings.filter((b) => b.hp === name).map((b) => targetPath(b.target));
  space.blocks.forEach((block, b) => {
    if (block.count === name) uses.push(`blocks[${b}].count`);
    for (const bb of block.bindings) if (matchesTemplate(bb.hp, name)) uses.push(blockPath(b, bb.layer, bb.field));
  });
  return uses;
}

function setField(layer: LayerSpec, field: string, value: HpValue): LayerSpec {
  return { ...layer, [field]: value } as LayerSpec;
}

/**
 * How many times a block repeats for these active values (its count's default when absent). A count whose
 * condition does not hold repeats it 0 times: KerasTuner builds nothing inside an inactive conditional
 * scope, and AutoML (automl.ts) gives each model family its blocks this way.
 */
export function blockCount(space: SearchSpace, block: RepeatedBlock, active: HpValues): number {
  const def = space.hps.find((h) => h.name === block.count);
  if (def?.condition && !Object.hasOwn(active, block.count)) return 0;
  const v = Object.hasOwn(active, block.count) ? active[block.count] : def ? hpDefault(def) : 0;
  return typeof v === 'number' && Number.isFinite(v) ? Math.max(0, Math.floor(v)) : 0;
}

function blockLayers(space: SearchSpace, block: RepeatedBlock, active: HpValues): LayerSpec[] {
  const out: LayerSpec[] = [];
  const count = blockCount(space, block, active);
  for (let i = 0; i < count; i++) {
    const layers = block.layers.map((l) => ({ ...l }) as LayerSpec);
    for (const bb of block.bindings) {
      const name = blockParam(bb.hp, i);
      const def = space.hps.find((h) => h.name === name);
      const value = Object.hasOwn(active, name) ? active[name] : def ? hpDefault(def) : undefined;
      if (value !== undefined && layers[bb.layer]) layers[bb.layer] = setField(layers[bb.layer]!, bb.field, value);
    }
    out.push(...layers);
  }
  return out;
}

/**
 * The concrete config for these values: the base with each active parameter's value at its place and
 * each block repeated its count times before base layer `at` (blocks at the same place in the space's
 * order). An inactive parameter leaves its place as the base has it. The base is never changed.
 */
export function applyValues(base: BaseConfig, space: SearchSpace, values: HpValues): BaseConfig {
  const active = activeValues(space, values);
  const hyper = { ...base.hyper };
  const layers = base.layers.map((l) => ({ ...l }) as LayerSpec);
  for (const { hp, target } of space.bindings) {
    if (!Object.hasOwn(active, hp)) continue;
    if (target.kind === 'hyper') (hyper as Record<string, HpValue>)[target.field] = active[hp]!;
    else if (layers[target.index]) layers[target.index] = setField(layers[target.index]!, target.field, active[hp]!);
  }
  const out: LayerSpec[] = [];
  for (let at = 0; at <= layers.length; at++) {
    for (const block of space.blocks) if (block.at === at) out.push(...blockLayers(space, block, active));
    if (at < layers.length) out.push(layers[at]!);
  }
  return { layers: out, hyper };
}

/**
 * A trial's model layers and training settings: the base with its values applied, trained to the trial's
 * epochs; Hyperband's trials train every epoch of their round (no early stopping: a promoted trial
 * continues the state after its parent's last epoch): the tab's trials (services/tune.ts trialConfig) and
 * the command-line Tuner's (src/cli/tuner.ts).
 */
export function trialTraining(base: BaseConfig, space: SearchSpace, algorithm: Algorithm, trial: { values: HpValues; epochs: number }): BaseConfig {
  const applied = applyValues(base, space, trial.values);
  return { layers: applied.layers, hyper: { ...applied.hyper, epochs: trial.epochs, ...(algorithm === 'hyperband' ? { patience: 0 } : {}) } };
}
