/** The Tune page's form model: the Hyperband schedule's totals (by hand from KerasTuner's _get_size and _get_epochs) and the suggested space. */
import { describe, expect, it } from 'vitest';
import { defaultSpace, formProblems, defaultFields, parseSpace } from '../../../src/app/tune-form';
import type { TuneError } from '../../../src/core/tune/errors';
import { hyperbandSchedule } from '../../../src/core/tune/hyperband';
import { checkSpace } from '../../../src/core/tune/check';

describe('tune form', () => {
  it('Hyperband 10/3: 30 trials and 120 epochs; 3/3 (the e2e search): 3 x 1 + 1 x (3 - 1) + 2 x 3 = 11 epochs over 6 trials', () => {
    expect(hyperbandSchedule({ maxEpochs: 10, factor: 3, iterations: 1 })).toEqual({ trials: 30, epochs: 120 });
    expect(hyperbandSchedule({ maxEpochs: 10, factor: 3, iterations: 2 })).toEqual({ trials: 60, epochs: 240 });
    expect(hyperbandSchedule({ maxEpochs: 3, factor: 3, iterations: 1 })).toEqual({ trials: 6, epochs: 11 });
  });

  it('suggests units of the first dense layer and the learning rate, a space the checker accepts', () => {
    const layers = [{ type: 'dropout' as const, rate: 0.1 }, { type: 'dense' as const, units: 64, activation: 'relu' as const }];
    const space = defaultSpace(layers);
    expect(space.bindings.map((b) => b.target)).toEqual([{ kind: 'layer', index: 1, field: 'units' }, { kind: 'hyper', field: 'learningRate' }]);
    expect(checkSpace(space, { layers, hyper: { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 5, patience: 0, classWeights: 'none' } })).toEqual([]);
  });

  it('refuses a space that is not JSON, and names the parameter of a bad one', () => {
    const f = { ...defaultFields(), spaceText: '{' };
    expect(formProblems(f, [])).toBe('not-json');
    const bad = { version: 1, hps: [{ name: 'lr', kind: 'float', min: 1, max: 0.1, sampling: 'linear' }], bindings: [{ hp: 'lr', target: { kind: 'hyper', field: 'learningRate' } }], blocks: [] };
    const problems = formProblems({ ...f, spaceText: JSON.stringify(bad) }, []);
    expect(problems).not.toBe('not-json');
    expect((problems as { code: string; details: { param?: string } }[]).map((e) => [e.code, e.details.param])).toContainEqual(['min-above-max', 'lr']);
  });

  it("reads the space with core's readSpace: a wrong shape is one 'bad-space' naming where, a left-out sampling is linear", () => {
    const f = defaultFields();
    const wrong = { version: 1, hps: [{ name: 'lr', kind: 'integer', min: 1, max: 2 }], bindings: [] };
    const problems = formProblems({ ...f, spaceText: JSON.stringify(wrong) }, []) as TuneError[];
    expect(problems.map((e) => [e.code, e.details.params?.path])).toEqual([['bad-space', 'hps[0].kind']]);
    const space = parseSpace(JSON.stringify({ hps: [{ name: 'lr', kind: 'float', min: 0.1, max: 1 }] }));
    expect(space).toEqual({ version: 1, hps: [{ name: 'lr', kind: 'float', min: 0.1, max: 1, sampling: 'linear' }], bindings: [], blocks: [] });
    expect(parseSpace('[1')).toBe('not-json');
  });
});
