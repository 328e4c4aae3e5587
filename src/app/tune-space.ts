/**
 * The Tune page's search-space form as pure functions (each returns a new space): the places of a
 * Train-stage config a number or name can be tuned at, making a place an Int, Float or Choice with a
 * range taken from its current value, a free Boolean for conditions, a condition, a repeated block whose
 * count is itself a hyperparameter with one `units_{i}` per block (active only when the count reaches it,
 * as KerasTuner's), and the check's problems grouped by the parameter they name.
 */
import { LAYER_DISPLAY_NAMES, type LayerSpec } from '../core/model/model-spec';
import { canTake, hpDefault } from '../core/tune/hp';
import { HYPER_PLACES, LAYER_PLACES, type PlaceRule } from '../core/tune/places';
import { targetPath } from '../core/tune/space';
import type { TuneError } from '../core/tune/errors';
import type { BaseConfig, BindingTarget, HpCondition, HpDef, HpValue, HyperField, RepeatedBlock, SearchSpace } from '../core/tune/types';

export interface Place {
  target: BindingTarget;
  path: string;
  /** The layer's display name (Keras's class name) for a layer's field. */
  layerName?: string;
  current: HpValue | undefined;
  rule: PlaceRule;
}

/** Every place of the base config a parameter can set: the training settings, then each layer's fields. */
export function placesOf(base: BaseConfig): Place[] {
  const out: Place[] = (Object.keys(HYPER_PLACES) as HyperField[]).map((field) => ({ target: { kind: 'hyper', field }, path: `hyper.${field}`, current: base.hyper[field], rule: HYPER_PLACES[field] }));
  base.layers.forEach((layer, index) => {
    for (const [field, rule] of Object.entries(LAYER_PLACES[layer.type])) {
      const value = (layer as Record<string, unknown>)[field];
      const current = Array.isArray(value) ? value[0] : (value as HpValue | undefined);
      out.push({ target: { kind: 'layer', index, field }, path: targetPath({ kind: 'layer', index, field }), layerName: LAYER_DISPLAY_NAMES[layer.type], current, rule });
    }
  });
  return out;
}

type TunedKind = 'int' | 'float' | 'choice';

/** The kinds that fit a place: whole numbers as Int or Choice, other numbers as Float or Choice, names as Choice. */
export function kindsFor(rule: PlaceRule): TunedKind[] {
  if (rule.kind === 'int') return ['int', 'choice'];
  if (rule.kind === 'oneOf') return ['choice'];
  return ['float', 'choice'];
}

/** The parameter's name for a place: the setting's own name, or layer<n>_<field> (1-based as the editor numbers layers). */
export function hpNameFor(target: BindingTarget): string {
  return target.kind === 'hyper' ? target.field : `layer${target.index + 1}_${target.field}`;
}

const same = (a: BindingTarget, b: BindingTarget) => targetPath(a) === targetPath(b);

/** The parameter bound to a place, if any. */
export function boundAt(space: SearchSpace, target: BindingTarget): HpDef | undefined {
  const binding = space.bindings.find((b) => same(b.target, target));
  return binding ? space.hps.find((h) => h.name === binding.hp) : undefined;
}

function uniqueName(space: SearchSpace, wanted: string): string {
  const taken = new Set(space.hps.map((h) => h.name));
  if (!taken.has(wanted)) return wanted;
  let i = 2;
  while (taken.has(`${wanted}_${i}`)) i++;
  return `${wanted}_${i}`;
}

/** A first range around the place's current value, which stays the default when the range holds it. */
export function startingDef(name: string, place: Pick<Place, 'current' | 'rule'>, kind: TunedKind): HpDef {
  const { rule } = place;
  const cur = typeof place.current === 'number' && Number.isFinite(place.current) ? place.current : undefined;
  let def: HpDef;
  if (kind === 'choice') {
    if (rule.kind === 'oneOf') def = { name, kind, values: [...rule.names] };
    else if (rule.kind === 'int') def = { name, kind, values: [...new Set([Math.max(rule.min, Math.round((cur ?? 2) / 2)), cur ?? 2, (cur ?? 2) * 2])] };
    else if (rule.kind === 'rate') def = { name, kind, values: [0, 0.25, 0.5] };
    else def = { name, kind, values: [(cur ?? 0.01) / 10, cur ?? 0.01, (cur ?? 0.01) * 10] };
  } else if (kind === 'int') {
    const c = Math.max(cur ?? 1, 1);
    const min = Math.max(rule.kind === 'int' ? rule.min : 0, Math.floor(c / 2));
    def = { name, kind, min, max: Math.max(min + 1, c * 2), step: c >= 16 ? 8 : 1, sampling: 'linear' };
  } else if (rule.kind === 'rate') def = { name, kind, min: 0, max: 0.5, step: 0.1, sampling: 'linear' };
  else def = { name, kind, min: (cur ?? 0.01) / 10, max: (cur ?? 0.01) * 10, sampling: 'log' };
  if (place.current !== undefined && canTake(def, place.current)) def = { ...def, default: place.current } as HpDef;
  return def;
}

/** Tunes a place as `kind` (replacing whatever was bound there). */
export function tunePlace(space: SearchSpace, place: Place, kind: TunedKind): SearchSpace {
  const cleared = untunePlace(space, place.target);
  const name = uniqueName(cleared, hpNameFor(place.target));
  return { ...cleared, hps: [...cleared.hps, startingDef(name, place, kind)], bindings: [...cleared.bindings, { hp: name, target: place.target }] };
}

/** Fixes a place again: its binding goes, and its parameter with it when nothing else uses it. */
export function untunePlace(space: SearchSpace, target: BindingTarget): SearchSpace {
  const binding = space.bindings.find((b) => same(b.target, target));
  if (!binding) return space;
  const rest = { ...space, bindings: space.bindings.filter((b) => b !== binding) };
  const stillUsed = rest.bindings.some((b) => b.hp === binding.hp) || rest.blocks.some((b) => b.count === binding.hp) || rest.hps.some((h) => h.condition?.parent === binding.hp);
  return stillUsed ? rest : { ...rest, hps: rest.hps.filter((h) => h.name !== binding.hp) };
}

/** Changes a parameter's definition (its name and kind stay). */
export function updateHp(space: SearchSpace, name: string, patch: Partial<Record<string, unknown>>): SearchSpace {
  return { ...space, hps: space.hps.map((h) => (h.name === name ? ({ ...h, ...patch, name: h.name, kind: h.kind } as HpDef) : h)) };
}

/** Makes a parameter conditional on another (null: always active). */
export function setCondition(space: SearchSpace, name: string, condition: HpCondition | null): SearchSpace {
  return {
    ...space,
    hps: space.hps.map((h) => {
      if (h.name !== name) return h;
      const { condition: _old, ...rest } = h;
      return (condition ? { ...rest, condition } : rest) as HpDef;
    }),
  };
}

/** A free Boolean (true/false), to make other parameters conditional on it. */
export function addBoolean(space: SearchSpace, wanted: string): SearchSpace {
  return { ...space, hps: [...space.hps, { name: uniqueName(space, wanted || 'flag'), kind: 'boolean' }] };
}

/** Removes a parameter with its bindings, and the conditions that named it. */
export function removeHp(space: SearchSpace, name: string): SearchSpace {
  const hps = space.hps.filter((h) => h.name !== name).map((h) => (h.condition?.parent === name ? setCondition({ ...space, hps: [h] }, h.name, null).hps[0]! : h));
  return { ...space, hps, bindings: space.bindings.filter((b) => b.hp !== name) };
}

/** The per-block parameter names of a block's template for blocks 0..count-1. */
const perBlock = (template: string, count: number) => Array.from({ length: count }, (_, i) => template.replaceAll('{i}', String(i)));

/**
 * Sets a block's count range and keeps one parameter per block for each per-block field: block i's is
 * active only when the count exceeds i (none for block 0, which every count >= 1 has).
 */
export function setBlockCount(space: SearchSpace, block: number, min: number, max: number): SearchSpace {
  const b = space.blocks[block];
  if (!b) return space;
  let out = updateHp(space, b.count, { min, max });
  for (const bb of b.bindings) {
    const template = out.hps.find((h) => h.name === perBlock(bb.hp, 1)[0]);
    const keep = new Set(perBlock(bb.hp, Math.max(0, max)));
    const stale = out.hps.filter((h) => h.name !== perBlock(bb.hp, 1)[0] && perBlock(bb.hp, 64).includes(h.name) && !keep.has(h.name));
    for (const s of stale) out = removeHp(out, s.name);
    perBlock(bb.hp, Math.max(0, max)).forEach((name, i) => {
      const counts = Array.from({ length: max - Math.max(min, i + 1) + 1 }, (_, k) => Math.max(min, i + 1) + k);
      const condition: HpCondition | null = i < min ? null : { parent: b.count, values: counts };
      if (!out.hps.some((h) => h.name === name) && template) out = { ...out, hps: [...out.hps, { ...template, name }] };
      out = setCondition(out, name, condition);
    });
  }
  return out;
}

/**
 * Adds a repeated block before base layer `at`: Dense(units_{i}, ReLU) repeated `blocks` times (Int 1..3),
 * units_{i} an Int 16..128 step 16 per block, KerasTuner's usual example.
 */
export function addBlock(space: SearchSpace, at: number, layers: LayerSpec[] = [{ type: 'dense', units: 64, activation: 'relu' }]): SearchSpace {
  const count = uniqueName(space, 'blocks');
  const n = space.blocks.length;
  const prefix = n === 0 ? 'units' : `block${n + 1}_units`;
  const block: RepeatedBlock = { count, at, layers, bindings: [{ hp: `${prefix}_{i}`, layer: 0, field: 'units' }] };
  const withBlock: SearchSpace = {
    ...space,
    hps: [...space.hps, { name: count, kind: 'int', min: 1, max: 3, sampling: 'linear', default: 1 }, { name: `${prefix}_0`, kind: 'int', min: 16, max: 128, step: 16, sampling: 'linear', default: 64 }],
    blocks: [...space.blocks, block],
  };
  return setBlockCount(withBlock, n, 1, 3);
}

/** Removes a block with its count and per-block parameters. */
export function removeBlock(space: SearchSpace, block: number): SearchSpace {
  const b = space.blocks[block];
  if (!b) return space;
  let out: SearchSpace = { ...space, blocks: space.blocks.filter((_, i) => i !== block) };
  for (const bb of b.bindings) for (const name of perBlock(bb.hp, 64)) if (out.hps.some((h) => h.name === name)) out = removeHp(out, name);
  return removeHp(out, b.count);
}

/** A Choice's values typed as text: all numbers, all true/false, else text (trimmed, empty parts dropped). */
export function parseValues(text: string): HpValue[] {
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length > 0 && parts.every((s) => s !== '' && Number.isFinite(Number(s)))) return parts.map(Number);
  if (parts.length > 0 && parts.every((s) => s === 'true' || s === 'false')) return parts.map((s) => s === 'true');
  return parts;
}

export function valuesText(values: readonly HpValue[]): string {
  return values.map(String).join(', ');
}

/** The check's problems by the parameter they name; those naming none (a block, a setting) under ''. */
export function problemsByParam(errors: readonly TuneError[]): Map<string, TuneError[]> {
  const out = new Map<string, TuneError[]>();
  for (const e of errors) {
    const key = e.details.param ?? '';
    out.set(key, [...(out.get(key) ?? []), e]);
  }
  return out;
}

/** The value a parameter starts a search at (its default), as shown in the form. */
export function defaultOf(def: HpDef): HpValue {
  return hpDefault(def);
}
