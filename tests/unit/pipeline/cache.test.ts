/** Cache keys (same component, contract, settings and input artifacts: same key) and the cache lookup. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson, CACHE_CONTEXT_TYPE, findCached, type CacheDecision } from '../../../src/core/pipeline/cache';
import { MlmdRecorder } from '../../../src/core/pipeline/mlmd-record';
import type { ComponentSpec } from '../../../src/core/pipeline/spec';
import { demo } from './helpers';

const trainer = demo().components.find((c) => c.id === 'trainer')!;
const inputs = { examples: ['ex-1'], transform_graph: ['tg-1'] };
const keyOf = (d: CacheDecision) => (d.cacheable ? d.key : d.why);

describe('canonicalJson', () => {
  it('sorts keys at every depth, leaves out undefined fields and keeps list order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: true, x: null }], c: undefined }, e: 'é' })).toBe('{"a":{"d":[3,{"x":null,"y":true}]},"b":1,"e":"é"}');
    expect(canonicalJson([undefined, -0, 1e21])).toBe('[null,0,1e+21]');
  });

  it('refuses numbers JSON cannot hold', () => {
    expect(() => canonicalJson({ learningRate: NaN })).toThrow(RangeError);
    expect(() => canonicalJson([Infinity])).toThrow(RangeError);
  });
});

describe('cacheKey', () => {
  it('is the SHA-256 of the canonical JSON of type, contract version, settings, inputs and what was resolved', () => {
    const decision = cacheKey({ type: 'Quantizer', settings: { dtype: 'uint8' } }, { inputs: { model: [7] } });
    const text = '{"contract":1,"inputs":{"model":["7"]},"settings":{"dtype":"uint8"},"type":"Quantizer"}';
    expect(decision).toEqual({ cacheable: true, key: createHash('sha256').update(text).digest('hex') });
  });

  it('is equal for equal settings and inputs, whatever order the settings were written in', () => {
    const reversed = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reversed) : typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)])) : v;
    const reordered = reversed(trainer.settings) as ComponentSpec['settings'];
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(trainer.settings));
    expect(keyOf(cacheKey({ ...trainer, settings: reordered }, { inputs: { transform_graph: ['tg-1'], examples: ['ex-1'] } }))).toBe(keyOf(cacheKey(trainer, { inputs })));
  });

  it('changes with any setting, any input artifact, a port, the type, and the order of artifacts within a port', () => {
    const base = keyOf(cacheKey(trainer, { inputs }));
    const settings = trainer.settings as { hyper: { learningRate: number }; layers: { units?: number }[] };
    const variants = [
      cacheKey({ ...trainer, settings: { ...settings, hyper: { ...settings.hyper, learningRate: 0.0050001 } } as never }, { inputs }),
      cacheKey({ ...trainer, settings: { ...settings, layers: [{ ...settings.layers[0], units: 65 }, ...settings.layers.slice(1)] } as never }, { inputs }),
      cacheKey(trainer, { inputs: { ...inputs, examples: ['ex-2'] } }),
      cacheKey(trainer, { inputs: { examples: ['ex-1'], schema: ['tg-1'] } }),
      cacheKey({ ...trainer, type: 'Pruner' }, { inputs }),
      cacheKey(trainer, { inputs: { examples: ['ex-1', 'ex-2'], transform_graph: ['tg-1'] } }),
      cacheKey(trainer, { inputs: { examples: ['ex-2', 'ex-1'], transform_graph: ['tg-1'] } }),
    ].map(keyOf);
    expect(variants.every((k) => /^[0-9a-f]{64}$/.test(k))).toBe(true);
    expect(new Set([base, ...variants]).size).toBe(1 + variants.length);
  });

  it('keys what a component resolved at run time: ExampleGen\'s "latest" is the version it found', () => {
    const gen = demo().components[0]!;
    expect(() => cacheKey(gen, { inputs: {} })).toThrow(/resolved/);
    const v1 = keyOf(cacheKey(gen, { inputs: {}, resolved: { datasetVersionId: 'v1' } }));
    expect(keyOf(cacheKey(gen, { inputs: {}, resolved: { datasetVersionId: 'v1' } }))).toBe(v1);
    expect(keyOf(cacheKey(gen, { inputs: {}, resolved: { datasetVersionId: 'v2' } }))).not.toBe(v1);
  });

  it('never hits for a component opted out, or one with a side effect (no component is random: the Tuner is seeded, tuner.test.ts)', () => {
    expect(cacheKey({ ...trainer, cache: false }, { inputs })).toEqual({ cacheable: false, why: 'opted-out' });
    expect(cacheKey({ type: 'Pusher', settings: { alias: 'production' } }, { inputs: { model: [1], model_blessing: [2] } })).toEqual({ cacheable: false, why: 'side-effect' });
  });
});

describe('findCached', () => {
  /** Three executions under one key: an old complete one, a newer complete one, the newest failed (its output recorded). */
  function store(newerOutput: 'LIVE' | 'DELETED') {
    const r = new MlmdRecorder();
    const key = r.context(CACHE_CONTEXT_TYPE, 'k1');
    const other = r.context(CACHE_CONTEXT_TYPE, 'k2');
    const run = (time: number, state: 'COMPLETE' | 'FAILED', outputState: 'LIVE' | 'DELETED', context: number) => {
      const out = r.artifact('ExampleStatistics', { state: outputState, time });
      const id = r.execution('StatisticsGen', { componentId: 'statistics_gen', settings: {}, state, inputs: { examples: [99] }, outputs: { statistics: [out.id] }, time });
      r.attach(context, { executions: [id] });
      return { id, out: out.id };
    };
    const old = run(1000, 'COMPLETE', 'LIVE', key);
    const newer = run(2000, 'COMPLETE', newerOutput, key);
    run(3000, 'FAILED', 'LIVE', key);
    run(4000, 'COMPLETE', 'LIVE', other);
    return { store: r.store, old, newer };
  }

  it('gives the newest completed execution under the key with its outputs by port', () => {
    const { store: s, newer } = store('LIVE');
    const hit = findCached(s, 'k1')!;
    expect(hit.execution.id).toBe(newer.id);
    expect(Object.fromEntries(Object.entries(hit.outputs).map(([port, list]) => [port, list.map((a) => a.id)]))).toEqual({ statistics: [newer.out] });
  });

  it('passes over an execution whose output is no longer LIVE, and finds nothing under an unknown key', () => {
    const { store: s, old } = store('DELETED');
    expect(findCached(s, 'k1')!.execution.id).toBe(old.id);
    expect(findCached(s, 'k3')).toBeNull();
  });
});
