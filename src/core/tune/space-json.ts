/**
 * A search space read from JSON (a stored search, a pasted or imported space): its shape checked and a
 * clean copy returned, so checkSpace can then judge its values. A wrong shape is one TuneError 'bad-space'
 * naming where (params.path, e.g. `hps[2].kind`); `sampling` may be left out (linear, KerasTuner's
 * default) and so may `bindings` and `blocks` (none).
 */
import { TuneError } from './errors';
import type { Binding, BindingTarget, HpCondition, HpDef, HpValue, RepeatedBlock, SearchSpace } from './types';
import type { LayerSpec } from '../model/model-spec';

type Obj = Record<string, unknown>;

function bad(path: string, why: string): never {
  throw new TuneError('bad-space', { params: { path: path || '(root)' } }, `not a search space at ${path || '(root)'}: ${why}`);
}

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(path, 'expected an object');
  return v as Obj;
}

function arr(v: unknown, path: string, optional = false): unknown[] {
  if (v === undefined && optional) return [];
  if (!Array.isArray(v)) bad(path, 'expected a list');
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') bad(path, 'expected text');
  return v;
}

function num(v: unknown, path: string): number {
  if (typeof v !== 'number') bad(path, 'expected a number');
  return v;
}

function value(v: unknown, path: string): HpValue {
  if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean') bad(path, 'expected a number, text or true/false');
  return v;
}

function condition(v: unknown, path: string): HpCondition | undefined {
  if (v === undefined) return undefined;
  const c = obj(v, path);
  return { parent: str(c.parent, `${path}.parent`), values: arr(c.values, `${path}.values`).map((x, i) => value(x, `${path}.values[${i}]`)) };
}

function hp(v: unknown, path: string): HpDef {
  const h = obj(v, path);
  const name = str(h.name, `${path}.name`);
  const cond = condition(h.condition, `${path}.condition`);
  const common = cond ? { name, condition: cond } : { name };
  const dflt = h.default === undefined ? {} : { default: value(h.default, `${path}.default`) };
  switch (h.kind) {
    case 'int':
    case 'float': {
      const sampling = h.sampling ?? 'linear';
      if (sampling !== 'linear' && sampling !== 'log') bad(`${path}.sampling`, 'expected linear or log');
      const step = h.step === undefined || h.step === null ? {} : { step: num(h.step, `${path}.step`) };
      if ('default' in dflt && typeof dflt.default !== 'number') bad(`${path}.default`, 'expected a number');
      return { ...common, kind: h.kind, min: num(h.min, `${path}.min`), max: num(h.max, `${path}.max`), ...step, sampling, ...dflt } as HpDef;
    }
    case 'choice':
      return { ...common, kind: 'choice', values: arr(h.values, `${path}.values`).map((x, i) => value(x, `${path}.values[${i}]`)), ...dflt };
    case 'boolean':
      if ('default' in dflt && typeof dflt.default !== 'boolean') bad(`${path}.default`, 'expected true or false');
      return { ...common, kind: 'boolean', ...dflt } as HpDef;
    default:
      return bad(`${path}.kind`, 'expected int, float, choice or boolean');
  }
}

function target(v: unknown, path: string): BindingTarget {
  const t = obj(v, path);
  if (t.kind === 'hyper') return { kind: 'hyper', field: str(t.field, `${path}.field`) as Extract<BindingTarget, { kind: 'hyper' }>['field'] };
  if (t.kind === 'layer') return { kind: 'layer', index: num(t.index, `${path}.index`), field: str(t.field, `${path}.field`) };
  return bad(`${path}.kind`, 'expected hyper or layer');
}

function block(v: unknown, path: string): RepeatedBlock {
  const b = obj(v, path);
  const layers = arr(b.layers, `${path}.layers`).map((l, i) => {
    const layer = obj(l, `${path}.layers[${i}]`);
    str(layer.type, `${path}.layers[${i}].type`);
    return { ...layer } as LayerSpec;
  });
  const bindings = arr(b.bindings, `${path}.bindings`, true).map((x, i) => {
    const p = `${path}.bindings[${i}]`;
    const bb = obj(x, p);
    return { hp: str(bb.hp, `${p}.hp`), layer: num(bb.layer, `${p}.layer`), field: str(bb.field, `${p}.field`) };
  });
  return { count: str(b.count, `${path}.count`), at: num(b.at, `${path}.at`), layers, bindings };
}

/** The space in `json` (parsed), or a TuneError 'bad-space' saying where its shape is wrong. */
export function readSpace(json: unknown): SearchSpace {
  const s = obj(json, '');
  if (s.version !== undefined && s.version !== 1) bad('version', 'expected 1');
  const hps = arr(s.hps, 'hps').map((h, i) => hp(h, `hps[${i}]`));
  const bindings: Binding[] = arr(s.bindings, 'bindings', true).map((x, i) => {
    const b = obj(x, `bindings[${i}]`);
    return { hp: str(b.hp, `bindings[${i}].hp`), target: target(b.target, `bindings[${i}].target`) };
  });
  const blocks = arr(s.blocks, 'blocks', true).map((b, i) => block(b, `blocks[${i}]`));
  return { version: 1, hps, bindings, blocks };
}
