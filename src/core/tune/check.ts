/**
 * Whether a search space can be built on a base config, and whether a search's settings are in range:
 * every problem at once, each a TuneError naming the hyperparameter (or the setting) it is about, so a
 * space that cannot be built is refused before any trial runs.
 */
import { canTake, finiteValues } from './hp';
import { fits, hyperPlace, layerPlace, type PlaceRule } from './places';
import { blockParam, blockPath, matchesTemplate, targetPath } from './space';
import { TuneError, type TuneErrorCode, type TuneErrorDetails } from './errors';
import type { BaseConfig, HpDef, HpValue, SearchConfig, SearchSpace } from './types';

const shown = (v: HpValue): string | number => (typeof v === 'boolean' ? String(v) : v);

function problem(code: TuneErrorCode, details: TuneErrorDetails, message: string): TuneError {
  return new TuneError(code, details, message);
}

function numericProblems(def: Extract<HpDef, { kind: 'int' | 'float' }>, out: TuneError[]): boolean {
  const param = def.name;
  const parts: [string, number | undefined][] = [['min', def.min], ['max', def.max], ['step', def.step], ['default', def.default]];
  let ok = true;
  for (const [what, v] of parts) {
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      out.push(problem('not-finite', { param, params: { what } }, `${param}: ${what} is not a finite number`));
      ok = false;
    } else if (def.kind === 'int' && !Number.isInteger(v)) {
      out.push(problem('not-integer', { param, params: { what, value: v } }, `${param}: an Int's ${what} must be a whole number (got ${v})`));
      ok = false;
    }
  }
  if (!ok) return false;
  if (def.min > def.max) {
    out.push(problem('min-above-max', { param, params: { min: def.min, max: def.max } }, `${param}: min ${def.min} is above max ${def.max}`));
    ok = false;
  }
  if (def.step !== undefined && (def.step <= 0 || (def.sampling === 'log' && def.step <= 1))) {
    out.push(problem('bad-step', { param, params: { step: def.step, sampling: def.sampling } }, `${param}: step ${def.step} must be > ${def.sampling === 'log' ? 1 : 0}`));
    ok = false;
  }
  if (def.sampling === 'log' && def.min <= 0) {
    out.push(problem('log-not-positive', { param, params: { min: def.min } }, `${param}: log sampling needs min > 0 (got ${def.min})`));
    ok = false;
  }
  return ok;
}

function choiceProblems(def: Extract<HpDef, { kind: 'choice' }>, out: TuneError[]): boolean {
  const param = def.name;
  if (!Array.isArray(def.values) || def.values.length === 0) {
    out.push(problem('no-values', { param }, `${param}: a Choice needs at least one value`));
    return false;
  }
  if (new Set(def.values.map((v) => typeof v)).size > 1) {
    out.push(problem('mixed-values', { param }, `${param}: a Choice's values must be all numbers, all text or all booleans`));
    return false;
  }
  const seen = new Set<HpValue>();
  for (const v of def.values) {
    if (seen.has(v)) {
      out.push(problem('repeated-value', { param, params: { value: shown(v) } }, `${param}: the value ${String(v)} is listed twice`));
      return false;
    }
    seen.add(v);
  }
  return true;
}

/** The defined parameters by name, and the ones whose own definition is wrong (their places are not checked: one problem each). */
function hpProblems(space: SearchSpace, out: TuneError[]): { defs: Map<string, HpDef>; invalid: Set<string> } {
  const defs = new Map<string, HpDef>();
  const invalid = new Set<string>();
  space.hps.forEach((def, index) => {
    const param = def.name;
    if (typeof param !== 'string' || param.trim() === '') {
      out.push(problem('no-name', { params: { index } }, `hyperparameter ${index + 1} has no name`));
      return;
    }
    if (defs.has(param)) out.push(problem('duplicate-name', { param }, `${param} is defined twice`));
    const valid = def.kind === 'int' || def.kind === 'float' ? numericProblems(def, out) : def.kind === 'choice' ? choiceProblems(def, out) : true;
    if (!valid) invalid.add(param);
    if (valid && def.default !== undefined && !canTake(def, def.default)) {
      out.push(problem('default-outside', { param, params: { value: shown(def.default) } }, `${param}: the default ${String(def.default)} is not a value it can take`));
    }
    const c = def.condition;
    if (c) {
      const parent = defs.get(c.parent);
      if (!parent) out.push(problem('condition-parent', { param, params: { parent: c.parent } }, `${param}: its condition's parent ${c.parent} is not defined before it`));
      else if (!Array.isArray(c.values) || c.values.length === 0) out.push(problem('condition-empty', { param, params: { parent: c.parent } }, `${param}: its condition lists no values of ${c.parent}`));
      else {
        for (const v of c.values) {
          if (!canTake(parent, v)) out.push(problem('condition-value', { param, params: { parent: c.parent, value: shown(v) } }, `${param}: ${c.parent} cannot take ${String(v)}`));
        }
      }
    }
    if (!defs.has(param)) defs.set(param, def);
  });
  return { defs, invalid };
}

/** The values to try against a place: every value when finite, else the ends of the range. */
function fitProblem(def: HpDef, rule: PlaceRule, path: string): TuneError | null {
  const param = def.name;
  const all = finiteValues(def);
  if (!all && def.kind === 'float' && rule.kind === 'int' && def.min < def.max) {
    return problem('not-whole', { param, params: { path } }, `${param} draws fractions, but ${path} needs a whole number`);
  }
  const candidates = all ?? (def.kind === 'int' || def.kind === 'float' ? [def.min, def.max] : []);
  const bad = candidates.find((v) => !fits(rule, v));
  return bad === undefined ? null : problem('bad-value', { param, params: { path, value: shown(bad) } }, `${param}: ${path} cannot hold ${String(bad)}`);
}

function bindingProblems(space: SearchSpace, base: BaseConfig, { defs, invalid }: ReturnType<typeof hpProblems>, out: TuneError[]): void {
  const paths = new Set<string>();
  for (const { hp, target } of space.bindings) {
    const path = targetPath(target);
    if (paths.has(path)) out.push(problem('bound-twice', { param: hp, params: { path } }, `${path} is set by two hyperparameters`));
    paths.add(path);
    const layer = target.kind === 'layer' ? base.layers[target.index] : undefined;
    const rule = target.kind === 'hyper' ? hyperPlace(target.field) : layer ? layerPlace(layer.type, target.field) : undefined;
    if (!rule) {
      out.push(problem('bad-path', { param: hp, params: { path } }, `${hp}: the base config has no ${path}`));
      continue;
    }
    const def = defs.get(hp);
    if (!def) out.push(problem('unknown-param', { param: hp, params: { path } }, `${path}: ${hp} is not defined`));
    else if (!invalid.has(hp)) {
      const p = fitProblem(def, rule, path);
      if (p) out.push(p);
    }
  }
}

/** The largest count a block can have, or null when its count parameter cannot be one. */
function maxCount(def: HpDef): number | null {
  if (def.kind === 'int') return def.min >= 0 ? def.max : null;
  if (def.kind === 'choice' && def.values.length > 0 && def.values.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0)) return Math.max(...(def.values as number[]));
  return null;
}

function blockProblems(space: SearchSpace, base: BaseConfig, { defs, invalid }: ReturnType<typeof hpProblems>, out: TuneError[]): void {
  space.blocks.forEach((block, b) => {
    if (!Number.isInteger(block.at) || block.at < 0 || block.at > base.layers.length || block.layers.length === 0) {
      out.push(problem('bad-block', { params: { block: b + 1, at: block.at } }, `block ${b + 1}: it must hold layers and go before a layer 0..${base.layers.length} (got ${block.at})`));
      return;
    }
    const countDef = defs.get(block.count);
    const most = countDef ? maxCount(countDef) : null;
    if (!countDef) out.push(problem('unknown-param', { param: block.count, params: { path: `blocks[${b}].count` } }, `block ${b + 1}: its count ${block.count} is not defined`));
    else if (most === null) out.push(problem('bad-count', { param: block.count, params: { block: b + 1 } }, `${block.count}: a block count must be an Int or a Choice of whole numbers >= 0`));
    for (const bb of block.bindings) {
      const layer = block.layers[bb.layer];
      const path = blockPath(b, bb.layer, bb.field);
      const rule = layer ? layerPlace(layer.type, bb.field) : undefined;
      if (!rule) {
        out.push(problem('bad-path', { param: bb.hp, params: { path } }, `${bb.hp}: block ${b + 1} has no ${path}`));
        continue;
      }
      const names = bb.hp.includes('{i}') ? Array.from({ length: most ?? 0 }, (_, i) => blockParam(bb.hp, i)) : [bb.hp];
      for (const name of names) {
        const def = defs.get(name);
        if (!def) out.push(problem(bb.hp.includes('{i}') ? 'block-param-missing' : 'unknown-param', { param: name, params: { block: b + 1, path } }, `block ${b + 1}: ${name} is not defined`));
        else if (!invalid.has(name)) {
          const p = fitProblem(def, rule, path);
          if (p) out.push(p);
        }
      }
    }
  });
}

function unusedProblems(space: SearchSpace, out: TuneError[]): void {
  for (const def of space.hps) {
    const name = def.name;
    const used =
      space.bindings.some((b) => b.hp === name) ||
      space.blocks.some((block) => block.count === name || block.bindings.some((bb) => matchesTemplate(bb.hp, name))) ||
      space.hps.some((h) => h.condition?.parent === name);
    if (!used && name) out.push(problem('unused', { param: name }, `${name} is not used: bind it to a place, a block count or a condition`));
  }
}

/** Every problem of a space on this base config; [] when it can be built. */
export function checkSpace(space: SearchSpace, base: BaseConfig): TuneError[] {
  const out: TuneError[] = [];
  if (space.hps.length === 0) out.push(problem('no-params', {}, 'the space has no hyperparameters'));
  const defs = hpProblems(space, out);
  bindingProblems(space, base, defs, out);
  blockProblems(space, base, defs, out);
  unusedProblems(space, out);
  return out;
}

function setting(out: TuneError[], ok: boolean, field: string, value: number | string): void {
  if (!ok) out.push(problem('bad-setting', { field, params: { value } }, `${field} is out of range (got ${value})`));
}

const wholeAtLeast = (v: number, min: number) => Number.isInteger(v) && v >= min;

/** Every problem of a search's settings (with its space: Hyperband sets the epochs itself). */
export function checkSearch(search: SearchConfig, space: SearchSpace): TuneError[] {
  const out: TuneError[] = [];
  setting(out, typeof search.objective.metric === 'string' && search.objective.metric !== '', 'metric', search.objective.metric);
  if (search.algorithm !== 'hyperband') setting(out, wholeAtLeast(search.maxTrials, 1), 'maxTrials', search.maxTrials);
  if (search.algorithm === 'hyperband') {
    const { maxEpochs, factor, iterations } = search.hyperband;
    setting(out, wholeAtLeast(maxEpochs, 1), 'maxEpochs', maxEpochs);
    setting(out, wholeAtLeast(factor, 2), 'factor', factor);
    setting(out, wholeAtLeast(iterations, 1), 'iterations', iterations);
    for (const b of space.bindings) {
      if (b.target.kind === 'hyper' && b.target.field === 'epochs') out.push(problem('epochs-bound', { param: b.hp }, `${b.hp}: Hyperband sets each trial's epochs itself`));
    }
    if (search.pruner) out.push(problem('bad-setting', { field: 'pruner', params: { value: 'hyperband' } }, 'Hyperband stops trials itself: no pruner'));
  }
  if (search.algorithm === 'bayesian') {
    const { numInitialPoints, alpha, beta } = search.bayesian;
    if (numInitialPoints !== undefined) setting(out, wholeAtLeast(numInitialPoints, 1), 'numInitialPoints', numInitialPoints);
    setting(out, Number.isFinite(alpha) && alpha > 0, 'alpha', alpha);
    setting(out, Number.isFinite(beta) && beta >= 0, 'beta', beta);
  }
  if (search.pruner) {
    setting(out, wholeAtLeast(search.pruner.startupTrials, 0), 'startupTrials', search.pruner.startupTrials);
    setting(out, wholeAtLeast(search.pruner.warmupEpochs, 0), 'warmupEpochs', search.pruner.warmupEpochs);
  }
  return out;
}
