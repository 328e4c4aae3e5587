/** Every problem of a space at once, each naming its parameter; and a search's settings. */
import { describe, expect, it } from 'vitest';
import { checkSearch, checkSpace } from '../../../src/core/tune/check';
import type { SearchSpace } from '../../../src/core/tune/types';
import { BASE, BLOCK_SPACE, search, SPACE } from './helpers';

const codes = (space: SearchSpace) => checkSpace(space, BASE).map((e) => [e.code, e.details.param ?? e.details.field ?? '', e.details.params ?? {}]);

describe('checkSpace', () => {
  it('accepts good spaces', () => {
    expect(checkSpace(SPACE, BASE)).toEqual([]);
    expect(checkSpace(BLOCK_SPACE, BASE)).toEqual([]);
  });

  it('names every parameter that cannot be built', () => {
    const bad: SearchSpace = {
      version: 1,
      hps: [
        { name: 'lr', kind: 'float', min: 0.1, max: 0.01, sampling: 'linear' },
        { name: 'lr', kind: 'float', min: 0, max: 1, sampling: 'log' },
        { name: 'units', kind: 'int', min: 8, max: 64, step: 0, sampling: 'linear' },
        { name: 'half', kind: 'int', min: 1.5, max: 4, sampling: 'linear' },
        { name: 'opt', kind: 'choice', values: [] },
        { name: 'batch', kind: 'choice', values: [16, 0] },
        { name: 'mix', kind: 'choice', values: [1, 'a'] },
        { name: 'rate', kind: 'float', min: 0, max: 0.5, step: 0.1, sampling: 'linear', default: 0.25 },
        { name: 'child', kind: 'boolean', condition: { parent: 'ghost', values: [1] } },
        { name: 'child2', kind: 'boolean', condition: { parent: 'rate', values: [0.9] } },
      ],
      bindings: [
        { hp: 'lr', target: { kind: 'hyper', field: 'learningRate' } },
        { hp: 'units', target: { kind: 'layer', index: 7, field: 'units' } },
        { hp: 'rate', target: { kind: 'layer', index: 0, field: 'rate' } },
        { hp: 'half', target: { kind: 'hyper', field: 'batchSize' } },
        { hp: 'opt', target: { kind: 'hyper', field: 'optimizer' } },
        { hp: 'batch', target: { kind: 'hyper', field: 'epochs' } },
        { hp: 'mix', target: { kind: 'hyper', field: 'learningRate' } },
      ],
      blocks: [],
    };
    expect(codes(bad)).toEqual([
      ['min-above-max', 'lr', { min: 0.1, max: 0.01 }],
      ['duplicate-name', 'lr', {}],
      ['log-not-positive', 'lr', { min: 0 }],
      ['bad-step', 'units', { step: 0, sampling: 'linear' }],
      ['not-integer', 'half', { what: 'min', value: 1.5 }],
      ['no-values', 'opt', {}],
      ['mixed-values', 'mix', {}],
      ['default-outside', 'rate', { value: 0.25 }],
      ['condition-parent', 'child', { parent: 'ghost' }],
      ['condition-value', 'child2', { parent: 'rate', value: 0.9 }],
      ['bad-path', 'units', { path: 'layers[7].units' }],
      ['bad-path', 'rate', { path: 'layers[0].rate' }],
      ['bad-value', 'batch', { path: 'hyper.epochs', value: 0 }],
      ['bound-twice', 'mix', { path: 'hyper.learningRate' }],
      ['unused', 'child', {}],
      ['unused', 'child2', {}],
    ]);
  });

  it('checks values against their place: rate < 1, whole units, a known optimizer', () => {
    const space: SearchSpace = {
      version: 1,
      hps: [
        { name: 'rate', kind: 'float', min: 0, max: 1, sampling: 'linear' },
        { name: 'units', kind: 'float', min: 8, max: 64, sampling: 'linear' },
        { name: 'opt', kind: 'choice', values: ['adam', 'adamw'] },
      ],
      bindings: [
        { hp: 'rate', target: { kind: 'layer', index: 1, field: 'rate' } },
        { hp: 'units', target: { kind: 'layer', index: 0, field: 'units' } },
        { hp: 'opt', target: { kind: 'hyper', field: 'optimizer' } },
      ],
      blocks: [],
    };
    expect(codes(space)).toEqual([
      ['bad-value', 'rate', { path: 'layers[1].rate', value: 1 }],
      ['not-whole', 'units', { path: 'layers[0].units' }],
      ['bad-value', 'opt', { path: 'hyper.optimizer', value: 'adamw' }],
    ]);
  });

  it('checks blocks: a per-block parameter for each block the count allows, a whole count, the place', () => {
    const noUnits2 = { ...BLOCK_SPACE, hps: BLOCK_SPACE.hps.filter((h) => h.name !== 'units_2') };
    expect(codes(noUnits2)).toEqual([['block-param-missing', 'units_2', { block: 1, path: 'blocks[0].layers[0].units' }]]);
    const fractional: SearchSpace = { ...BLOCK_SPACE, hps: BLOCK_SPACE.hps.map((h) => (h.name === 'blocks' ? { name: 'blocks', kind: 'choice', values: [1, 2.5] } : h)) };
    expect(codes(fractional).map((c) => c[0])).toContain('bad-count');
    const outside: SearchSpace = { ...BLOCK_SPACE, blocks: [{ ...BLOCK_SPACE.blocks[0]!, at: 4 }] };
    expect(codes(outside)[0]).toEqual(['bad-block', '', { block: 1, at: 4 }]);
    expect(codes({ version: 1, hps: [], bindings: [], blocks: [] })).toEqual([['no-params', '', {}]]);
  });
});

describe('checkSearch', () => {
  it('names each setting out of range', () => {
    const s = search('hyperband', { hyperband: { maxEpochs: 0, factor: 1, iterations: 1.5 }, pruner: { kind: 'median', startupTrials: 5, warmupEpochs: 0 } });
    const epochsBound: SearchSpace = { ...SPACE, bindings: [...SPACE.bindings, { hp: 'units', target: { kind: 'hyper', field: 'epochs' } }] };
    expect(checkSearch(s, epochsBound).map((e) => [e.code, e.details.field ?? e.details.param])).toEqual([
      ['bad-setting', 'maxEpochs'],
      ['bad-setting', 'factor'],
      ['bad-setting', 'iterations'],
      ['epochs-bound', 'units'],
      ['bad-setting', 'pruner'],
    ]);
    expect(checkSearch(search('bayesian', { maxTrials: 0, bayesian: { alpha: 0, beta: -1 } }), SPACE).map((e) => e.details.field)).toEqual(['maxTrials', 'alpha', 'beta']);
    expect(checkSearch(search('random'), SPACE)).toEqual([]);
  });
});
