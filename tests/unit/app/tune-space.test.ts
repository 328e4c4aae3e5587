/** The Tune page's space form: places, tuning a place, conditions, a repeated block, problems by parameter. */
import { describe, expect, it } from 'vitest';
import { checkSpace } from '../../../src/core/tune/check';
import { applyValues, emptySpace } from '../../../src/core/tune/space';
import { addBlock, addBoolean, boundAt, kindsFor, parseValues, placesOf, problemsByParam, removeBlock, removeHp, setBlockCount, setCondition, startingDef, tunePlace, untunePlace } from '../../../src/app/tune-space';
import { BASE } from '../tune/helpers';

const place = (path: string) => placesOf(BASE).find((p) => p.path === path)!;

describe('the space form', () => {
  it('lists the training settings and every tunable layer field with its current value', () => {
    const places = placesOf(BASE);
    expect(places.map((p) => p.path)).toEqual([
      'hyper.optimizer', 'hyper.learningRate', 'hyper.batchSize', 'hyper.epochs', 'hyper.patience', 'hyper.classWeights',
      'layers[0].units', 'layers[0].activation', 'layers[1].rate', 'layers[2].units', 'layers[2].activation',
    ]);
    expect(place('layers[1].rate')).toMatchObject({ layerName: 'Dropout', current: 0.1 });
    expect(kindsFor(place('layers[0].units').rule)).toEqual(['int', 'choice']);
    expect(kindsFor(place('hyper.learningRate').rule)).toEqual(['float', 'choice']);
    expect(kindsFor(place('hyper.optimizer').rule)).toEqual(['choice']);
  });

  it('starts a range around the current value, keeping it as the default', () => {
    expect(startingDef('u', place('layers[0].units'), 'int')).toEqual({ name: 'u', kind: 'int', min: 32, max: 128, step: 8, sampling: 'linear', default: 64 });
    expect(startingDef('lr', place('hyper.learningRate'), 'float')).toEqual({ name: 'lr', kind: 'float', min: 0.0005, max: 0.05, sampling: 'log', default: 0.005 });
    expect(startingDef('r', place('layers[1].rate'), 'float')).toEqual({ name: 'r', kind: 'float', min: 0, max: 0.5, step: 0.1, sampling: 'linear', default: 0.1 });
    expect(startingDef('o', place('hyper.optimizer'), 'choice')).toMatchObject({ values: ['adam', 'sgd', 'momentum', 'rmsprop', 'adagrad'], default: 'adam' });
    expect(startingDef('b', place('hyper.batchSize'), 'choice')).toEqual({ name: 'b', kind: 'choice', values: [16, 32, 64], default: 32 });
  });

  it('tunes and fixes places; the space it makes checks clean and applies', () => {
    let s = tunePlace(emptySpace(), place('hyper.learningRate'), 'float');
    s = tunePlace(s, place('layers[0].units'), 'int');
    s = tunePlace(s, place('layers[0].units'), 'choice'); // replaces the Int
    expect(s.hps.map((h) => [h.name, h.kind])).toEqual([['learningRate', 'float'], ['layer1_units', 'choice']]);
    expect(boundAt(s, { kind: 'layer', index: 0, field: 'units' })?.name).toBe('layer1_units');
    expect(checkSpace(s, BASE)).toEqual([]);
    expect(applyValues(BASE, s, { learningRate: 0.01, layer1_units: 128 }).layers[0]).toEqual({ type: 'dense', units: 128, activation: 'relu' });
    s = untunePlace(s, { kind: 'hyper', field: 'learningRate' });
    expect(s.hps.map((h) => h.name)).toEqual(['layer1_units']);
  });

  it('makes a parameter conditional on a Boolean; removing the Boolean drops the condition', () => {
    let s = tunePlace(emptySpace(), place('layers[1].rate'), 'float');
    s = addBoolean(s, 'dropout');
    s = { ...s, hps: [s.hps[1]!, s.hps[0]!] }; // the parent first
    s = setCondition(s, 'layer2_rate', { parent: 'dropout', values: [true] });
    expect(checkSpace(s, BASE)).toEqual([]);
    expect(applyValues(BASE, s, { dropout: false, layer2_rate: 0.4 }).layers[1]).toEqual({ type: 'dropout', rate: 0.1 });
    expect(applyValues(BASE, s, { dropout: true, layer2_rate: 0.4 }).layers[1]).toEqual({ type: 'dropout', rate: 0.4 });
    s = removeHp(s, 'dropout');
    expect(s.hps).toEqual([{ name: 'layer2_rate', kind: 'float', min: 0, max: 0.5, step: 0.1, sampling: 'linear', default: 0.1 }]);
  });

  it('adds a repeated block with units_{i} active only when blocks > i (KerasTuner), and resizes it', () => {
    let s = addBlock(emptySpace(), 2);
    expect(s.hps.map((h) => [h.name, h.condition?.values ?? null])).toEqual([['blocks', null], ['units_0', null], ['units_1', [2, 3]], ['units_2', [3]]]);
    expect(checkSpace(s, BASE)).toEqual([]);
    expect(applyValues(BASE, s, { blocks: 2, units_0: 16, units_1: 32 }).layers.map((l) => (l.type === 'dense' ? l.units : l.type))).toEqual([64, 'dropout', 16, 32, 32]);
    s = setBlockCount(s, 0, 2, 4);
    expect(s.hps.map((h) => [h.name, h.condition?.values ?? null])).toEqual([['blocks', null], ['units_0', null], ['units_1', null], ['units_2', [3, 4]], ['units_3', [4]]]);
    s = setBlockCount(s, 0, 1, 2);
    expect(s.hps.map((h) => h.name)).toEqual(['blocks', 'units_0', 'units_1']);
    expect(checkSpace(s, BASE)).toEqual([]);
    expect(removeBlock(s, 0)).toEqual(emptySpace());
  });

  it('reads choice values as numbers, booleans or text, and groups problems by parameter', () => {
    expect(parseValues('16, 32,64')).toEqual([16, 32, 64]);
    expect(parseValues('true,false')).toEqual([true, false]);
    expect(parseValues('adam, sgd, ')).toEqual(['adam', 'sgd']);
    const s = { ...tunePlace(emptySpace(), place('layers[0].units'), 'int'), blocks: [{ count: 'x', at: 9, layers: [], bindings: [] }] };
    const by = problemsByParam(checkSpace({ ...s, hps: [{ ...s.hps[0]!, min: 200 } as never] }, BASE));
    expect([...by.keys()]).toEqual(['layer1_units', '']);
    expect(by.get('layer1_units')!.map((e) => e.code)).toEqual(['min-above-max']);
  });
});
