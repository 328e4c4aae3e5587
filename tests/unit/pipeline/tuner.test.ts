/**
 * The Tuner component's core (core/pipeline/tuner.ts, its settings check, contract and cache): a Tuner
 * wired ExampleGen -> Tuner -> Trainer.hyperparameters checks and plans, its best_hyperparameters fits no
 * other port; its settings are a Trainer's plus a search whose problems are the Tune page's, named by
 * hyperparameter; the same inputs and settings are one cache key (seeded); a Trainer with the artifact
 * trains exactly the config of the trial (applyValues at the same places), and a space whose places the
 * Trainer's layers do not have is refused on the port.
 */
import { describe, expect, it } from 'vitest';
import { cacheKey } from '../../../src/core/pipeline/cache';
import { checkPipeline } from '../../../src/core/pipeline/check';
import { CONTRACTS } from '../../../src/core/pipeline/components';
import { addComponent, defaultSettings, wireInput } from '../../../src/core/pipeline/draft';
import { planStep } from '../../../src/core/pipeline/plan';
import type { ArtifactRef } from '../../../src/core/pipeline/runner';
import { checkSettings } from '../../../src/core/pipeline/settings';
import type { ComponentSpec, PipelineSpec, TrainerSettings, TunerSettings } from '../../../src/core/pipeline/spec';
import { bestHyperparametersProperties, bestTrial, epochObjective, TUNE_METRICS, tunedTrainerSettings } from '../../../src/core/pipeline/tuner';
import { applyValues, trialTraining } from '../../../src/core/tune/space';
import type { TrialView } from '../../../src/core/tune/types';
import { TUNE_METRICS as STAGE_METRICS } from '../../../src/services/tune';
import { demo, refusal } from './helpers';

function tunedPipeline(): PipelineSpec {
  let spec: PipelineSpec = { ...demo(), components: demo().components.filter((c) => ['ExampleGen', 'Trainer'].includes(c.type)) };
  const trainer = spec.components.find((c) => c.type === 'Trainer')!;
  delete trainer.inputs.transform_graph;
  delete trainer.inputs.schema;
  (trainer.settings as TrainerSettings).features = [{ column: 'Island' }, { column: 'Flipper Length (mm)' }];
  spec.components = spec.components.map((c) => ({ ...c, after: undefined }));
  const added = addComponent(spec, 'Tuner');
  spec = wireInput(added.spec, added.id, 'examples', { from: 'example_gen', port: 'examples' });
  return wireInput(spec, 'trainer', 'hyperparameters', { from: 'tuner', port: 'best_hyperparameters' });
}

const tuner = (over: Partial<TunerSettings> = {}): ComponentSpec<'Tuner'> => ({ id: 'tuner', type: 'Tuner', settings: { ...defaultSettings('Tuner'), ...over }, inputs: { examples: { from: 'example_gen', port: 'examples' } } });

describe('the Tuner in a pipeline', () => {
  it('checks and plans ExampleGen -> Tuner -> Trainer.hyperparameters: the Trainer waits for the Tuner', () => {
    const dag = checkPipeline(tunedPipeline());
    expect(dag.components.trainer!.dependsOn).toEqual(['example_gen', 'tuner']);
    expect(planStep(dag, { example_gen: 'succeeded' }).start).toEqual(['tuner']);
    expect(planStep(dag, { example_gen: 'succeeded', tuner: 'succeeded' }).start).toEqual(['trainer']);
    // a failed Tuner stops the Trainer, saying which
    expect(planStep(dag, { example_gen: 'succeeded', tuner: 'failed' }).skip).toEqual([{ component: 'trainer', because: 'tuner' }]);
  });

  it('gives HyperParameters, which only a hyperparameters port reads', () => {
    expect(CONTRACTS.Tuner.outputs).toEqual({ best_hyperparameters: 'HyperParameters' });
    const e = refusal(() => wireInput(tunedPipeline(), 'trainer', 'examples', { from: 'tuner', port: 'best_hyperparameters' }));
    expect(e.code).toBe('kind-mismatch');
    expect(e.details).toMatchObject({ component: 'trainer', port: 'examples', params: { expected: 'Examples', actual: 'HyperParameters' } });
  });

  it('is cached as a seeded component: the same inputs and settings are one key, another seed another', () => {
    const a = cacheKey(tuner(), { inputs: { examples: [1] } });
    expect(a.cacheable).toBe(true);
    expect(cacheKey(tuner(), { inputs: { examples: [1] } })).toEqual(a);
    const reseeded = tuner();
    reseeded.settings.search = { ...reseeded.settings.search, seed: 7 };
    expect(cacheKey(reseeded, { inputs: { examples: [1] } })).not.toEqual(a);
    expect(cacheKey(tuner(), { inputs: { examples: [2] } })).not.toEqual(a);
  });
});

describe('a Tuner\'s settings', () => {
  it('are a Trainer\'s and a search: the new component\'s pass', () => {
    expect(() => checkSettings(tuner())).not.toThrow();
  });

  it('refuse a search setting by its path, and the space\'s problems as the Tune page names them', () => {
    const bad = tuner();
    bad.settings.search = { ...bad.settings.search, algorithm: 'grid' as never };
    expect(refusal(() => checkSettings(bad)).details).toMatchObject({ component: 'tuner', field: 'search.algorithm' });
    const metric = tuner();
    metric.settings.search = { ...metric.settings.search, objective: { metric: 'val_auc', direction: 'max' } };
    expect(refusal(() => checkSettings(metric)).details.field).toBe('search.objective.metric');
    // a binding to a fourth layer: these layers have three
    const space = structuredClone(tuner().settings.space);
    space.bindings[0]!.target = { kind: 'layer', index: 3, field: 'units' };
    const e = refusal(() => checkSettings(tuner({ space })));
    expect(e.code).toBe('bad-tune');
    expect(e.details).toMatchObject({ component: 'tuner', field: 'space', params: { tuneCode: 'bad-path', param: 'units', path: 'layers[3].units' } });
    // min above max, named by its hyperparameter
    const range = structuredClone(tuner().settings.space);
    range.hps[0] = { name: 'units', kind: 'int', min: 200, max: 100, sampling: 'linear' };
    expect(refusal(() => checkSettings(tuner({ space: range }))).details.params).toMatchObject({ tuneCode: 'min-above-max', param: 'units' });
    // Hyperband sets the epochs itself
    const epochs = structuredClone(tuner().settings.space);
    epochs.hps.push({ name: 'epochs', kind: 'int', min: 2, max: 5, sampling: 'linear' });
    epochs.bindings.push({ hp: 'epochs', target: { kind: 'hyper', field: 'epochs' } });
    const hb = tuner({ space: epochs });
    hb.settings.search = { ...hb.settings.search, algorithm: 'hyperband' };
    expect(refusal(() => checkSettings(hb)).details).toMatchObject({ field: 'search', params: { tuneCode: 'epochs-bound', param: 'epochs' } });
  });

  it('optimize the Tune stage\'s metrics, read from an epoch log as the Tune stage reads them', () => {
    expect(Object.keys(TUNE_METRICS).sort()).toEqual(Object.keys(STAGE_METRICS).sort());
    for (const [metric, { field }] of Object.entries(STAGE_METRICS)) expect(TUNE_METRICS[metric as keyof typeof TUNE_METRICS]).toBe(field);
    const log = { loss: 0.5, acc: 0.8, valLoss: 0.6, valAcc: 0.75 };
    expect([epochObjective('val_acc', log), epochObjective('val_loss', log), epochObjective('acc', log), epochObjective('loss', log)]).toEqual([0.75, 0.6, 0.8, 0.5]);
    expect(epochObjective('val_acc', { ...log, valAcc: null })).toBeNaN();
  });
});

describe('best_hyperparameters and the Trainer', () => {
  const trial = (id: string, best: number | null, values: TrialView['values'], status: TrialView['status'] = 'completed'): TrialView => ({ id, values, status, epochs: 2, initialEpoch: 0, parentId: null, history: best === null ? [] : [best], best, bestEpoch: best === null ? null : 1 });

  it('the best trial is the Tune page\'s first by the objective; failed trials never', () => {
    const trials = [trial('0000', 0.8, { units: 16 }), trial('0001', 0.95, { units: 32 }, 'failed'), trial('0002', 0.9, { units: 48 }), trial('0003', null, { units: 64 })];
    expect(bestTrial(trials, { metric: 'val_acc', direction: 'max' })?.id).toBe('0002');
    expect(bestTrial(trials, { metric: 'val_loss', direction: 'min' })?.id).toBe('0000');
    expect(bestTrial([trial('0000', null, {})], { metric: 'val_acc', direction: 'max' })).toBeNull();
  });

  it('a Trainer with the Tuner\'s layers and settings trains exactly the best trial\'s config', () => {
    const t = tuner();
    const values = { units: 96, learning_rate: 0.0123 };
    const properties = bestHyperparametersProperties({ searchId: 's1', trialId: '0002', values, space: t.settings.space, objective: t.settings.search.objective, best: 0.9, bestEpoch: 2 });
    const ref: ArtifactRef = { id: 9, kind: 'HyperParameters', uri: 'pipette:tune/s1/0002', properties: JSON.parse(JSON.stringify(properties)) };
    const { space: _space, search: _search, ...trainerSettings } = t.settings;
    const tuned = tunedTrainerSettings('trainer', trainerSettings, ref);
    // the trial's own config, as the search trained it (random search: the trial's epochs are the base's)
    const trialConfig = trialTraining({ layers: t.settings.layers, hyper: t.settings.hyper }, t.settings.space, 'random', { values, epochs: t.settings.hyper.epochs });
    expect({ layers: tuned.layers, hyper: tuned.hyper }).toEqual(trialConfig);
    // by hand: the first Dense layer's units and the learning rate, nothing else
    expect(tuned.layers[0]).toEqual({ type: 'dense', units: 96, activation: 'relu' });
    expect(tuned.layers.slice(1)).toEqual(trainerSettings.layers.slice(1));
    expect(tuned.hyper).toEqual({ ...trainerSettings.hyper, learningRate: 0.0123 });
    expect(trainerSettings.layers[0]).toEqual({ type: 'dense', units: 64, activation: 'relu' });
    // without the input, the settings as they are
    expect(tunedTrainerSettings('trainer', trainerSettings, undefined)).toBe(trainerSettings);
    expect(applyValues({ layers: trainerSettings.layers, hyper: trainerSettings.hyper }, t.settings.space, values).layers[0]).toEqual(tuned.layers[0]);
  });

  it('refuses values for places the Trainer\'s layers do not have, on the hyperparameters port', () => {
    const t = tuner();
    const properties = bestHyperparametersProperties({ searchId: 's1', trialId: '0000', values: { units: 32, learning_rate: 0.01 }, space: t.settings.space, objective: t.settings.search.objective, best: 0.9, bestEpoch: 1 });
    const ref: ArtifactRef = { id: 9, kind: 'HyperParameters', uri: 'pipette:tune/s1/0000', properties };
    const { space: _space, search: _search, ...trainerSettings } = t.settings;
    const e = refusal(() => tunedTrainerSettings('trainer', { ...trainerSettings, layers: [{ type: 'dropout', rate: 0.1 }] }, ref));
    expect(e.code).toBe('bad-tune');
    expect(e.details).toMatchObject({ component: 'trainer', port: 'hyperparameters', params: { tuneCode: 'bad-path', param: 'units' } });
  });
});
