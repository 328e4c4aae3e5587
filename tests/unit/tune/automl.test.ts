/**
 * AutoML core: the families per task and input, the one space over them (checked by checkSpace, every
 * sampled model valid by validateSpec, a family that is not chosen adding no layers), Hyperband's cost and
 * the plan from a time budget (by hand from KerasTuner's _get_size/_get_epochs), the budget stop through
 * the real oracle and loop, and the leaderboard and preset comparison.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/math/random';
import { validateSpec, type InputSpec } from '../../../src/core/model/model-spec';
import { presetsFor, type Task } from '../../../src/core/train/presets';
import { automlSpace, familiesFor, maxConvBlocks, type AutoMlSpace } from '../../../src/core/tune/automl';
import { compareWithPreset, leaderboard, planHyperband, type AutoMlTrial } from '../../../src/core/tune/automl-budget';
import { hyperbandSchedule } from '../../../src/core/tune/hyperband';
import { checkSpace } from '../../../src/core/tune/check';
import { nextTrial } from '../../../src/core/tune/oracle';
import { runSearch, type SearchHost, type TrialContext } from '../../../src/core/tune/search-loop';
import { activeValues, applyValues, sampleValues } from '../../../src/core/tune/space';
import type { HpValues, TrialView } from '../../../src/core/tune/types';
import { runSequential, search, SPACE } from './helpers';

const TABULAR: InputSpec = { kind: 'tabular', features: 7 };
const MNIST: InputSpec = { kind: 'image', height: 28, width: 28, channels: 1 };
const DIGITS: InputSpec = { kind: 'image', height: 8, width: 8, channels: 1 };
const TOKENS: InputSpec = { kind: 'tokens', length: 40, vocabSize: 500 };

function spaceFor(task: Task, input: InputSpec): AutoMlSpace {
  const made = automlSpace(task, input, presetsFor(task)[0]!.training);
  if (!made) throw new Error(`no AutoML space for ${task}`);
  return made;
}

const types = (s: AutoMlSpace, values: HpValues) => applyValues(s.base, s.space, values).layers.map((l) => l.type);

describe('AutoML families', () => {
  it('chooses the families by task and input, the preset family first', () => {
    expect(familiesFor('tabular-classification', TABULAR)).toEqual(['mlp', 'linear']);
    expect(familiesFor('tabular-regression', TABULAR)).toEqual(['mlp', 'linear']);
    expect(familiesFor('image-classification', MNIST)).toEqual(['cnn', 'mlp']);
    // 2x2 pixels: no room for a 3x3 conv and a 2x2 pool
    expect(familiesFor('image-classification', { kind: 'image', height: 2, width: 2, channels: 1 })).toEqual(['mlp']);
    expect(familiesFor('text-classification', TOKENS)).toEqual(['embedding']);
    expect(familiesFor('text-classification', { kind: 'tabular', features: 300 })).toEqual(['bag-of-words', 'linear']);
    expect(familiesFor('image-classification', TABULAR)).toEqual([]);
    expect(automlSpace('image-classification', TABULAR, presetsFor('image-classification')[0]!.training)).toBeNull();
  });

  it('allows as many conv blocks as the image takes: 28 -> 13 -> 5 -> 1, 8 -> 3, at most 3', () => {
    expect(maxConvBlocks(MNIST)).toBe(3);
    expect(maxConvBlocks(DIGITS)).toBe(1);
    expect(maxConvBlocks({ kind: 'image', height: 96, width: 96, channels: 3 })).toBe(3);
    expect(maxConvBlocks({ kind: 'image', height: 3, width: 30, channels: 1 })).toBe(0);
  });

  it('is a space checkSpace accepts, scored by val_acc (classification) or val_loss (regression)', () => {
    const cases: [Task, InputSpec][] = [
      ['tabular-classification', TABULAR],
      ['tabular-regression', TABULAR],
      ['image-classification', MNIST],
      ['image-classification', DIGITS],
      ['text-classification', TOKENS],
      ['text-classification', { kind: 'tabular', features: 300 }],
    ];
    for (const [task, input] of cases) {
      const s = spaceFor(task, input);
      expect(checkSpace(s.space, s.base).map((e) => e.message)).toEqual([]);
      expect(s.space.hps[0]).toMatchObject({ name: 'family', kind: 'choice', values: s.families });
    }
    expect(spaceFor('tabular-regression', TABULAR).objective).toEqual({ metric: 'val_loss', direction: 'min' });
    expect(spaceFor('tabular-classification', TABULAR).objective).toEqual({ metric: 'val_acc', direction: 'max' });
  });

  it('builds only the chosen family: linear has no layers, the defaults are the presets 64/32 MLP and 2-block CNN', () => {
    const tab = spaceFor('tabular-classification', TABULAR);
    expect(types(tab, { family: 'linear' })).toEqual([]);
    const defaults = applyValues(tab.base, tab.space, {});
    expect(defaults.layers).toEqual([
      { type: 'dense', units: 64, activation: 'relu' },
      { type: 'dropout', rate: 0 },
      { type: 'dense', units: 32, activation: 'relu' },
      { type: 'dropout', rate: 0 },
    ]);
    expect(defaults.hyper).toMatchObject({ learningRate: 0.005, batchSize: 32, epochs: 60 });
    const three = applyValues(tab.base, tab.space, { family: 'mlp', mlp_layers: 3, mlp_units_0: 256, mlp_units_1: 16, mlp_units_2: 128, mlp_dropout: 0.3, learning_rate: 0.001, batch_size: 128 });
    expect(three.layers.filter((l) => l.type === 'dense').map((l) => (l as { units: number }).units)).toEqual([256, 16, 128]);
    expect(three.hyper).toMatchObject({ learningRate: 0.001, batchSize: 128 });
    // mlp_units_2 is inactive with 2 layers
    expect(Object.keys(activeValues(tab.space, { family: 'mlp', mlp_layers: 2 }))).not.toContain('mlp_units_2');

    const img = spaceFor('image-classification', MNIST);
    expect(types(img, {})).toEqual(['conv2d', 'maxPooling2d', 'conv2d', 'maxPooling2d', 'flatten', 'dropout', 'dense']);
    expect(applyValues(img.base, img.space, {}).layers.filter((l) => l.type === 'conv2d').map((l) => (l as { filters: number }).filters)).toEqual([16, 32]);
    expect(types(img, { family: 'mlp' })).toEqual(['flatten', 'dense', 'dropout']);
    expect(types(spaceFor('text-classification', TOKENS), {})).toEqual(['embedding', 'globalAveragePooling1d', 'dense']);
  });

  it('makes a valid model of every sampled configuration, with the layers of its family only', () => {
    const cases: [Task, InputSpec, Record<string, string[]>][] = [
      ['tabular-classification', TABULAR, { mlp: ['dense', 'dropout'], linear: [] }],
      ['image-classification', MNIST, { cnn: ['conv2d', 'maxPooling2d', 'flatten', 'dropout', 'dense'], mlp: ['flatten', 'dense', 'dropout'] }],
      ['image-classification', DIGITS, { cnn: ['conv2d', 'maxPooling2d', 'flatten', 'dropout', 'dense'], mlp: ['flatten', 'dense', 'dropout'] }],
      ['text-classification', TOKENS, { embedding: ['embedding', 'globalAveragePooling1d', 'dense'] }],
    ];
    for (const [task, input, allowed] of cases) {
      const s = spaceFor(task, input);
      const rng = new Rng(11);
      const seen = new Set<string>();
      for (let i = 0; i < 40; i++) {
        const values = sampleValues(s.space, rng);
        const family = values.family as string;
        seen.add(family);
        const layers = applyValues(s.base, s.space, values).layers;
        expect(new Set(layers.map((l) => l.type)), `${task} ${family}`).toEqual(new Set(allowed[family]));
        const issues = validateSpec({ version: 1, input, layers, head: { kind: 'classification', classes: 3 } });
        expect(issues.map((x) => x.message), `${task} ${JSON.stringify(values)}`).toEqual([]);
      }
      expect([...seen].sort()).toEqual(Object.keys(allowed).sort());
    }
  });
});

describe('AutoML budget', () => {
  it('costs one Hyperband schedule as KerasTuner trains it: 3/3 -> 6 trials 11 epochs, 10/3 -> 30 and 120', () => {
    // max 3, factor 3: bracket 1 is 3 x 1 epoch + 1 x (1 -> 3), bracket 0 is 2 x 3: 6 trials, 3 + 2 + 6 = 11 epochs
    expect(hyperbandSchedule({ maxEpochs: 3, factor: 3, iterations: 1 })).toEqual({ trials: 6, epochs: 11 });
    expect(hyperbandSchedule({ maxEpochs: 10, factor: 3, iterations: 1 })).toEqual({ trials: 30, epochs: 120 });
    expect(hyperbandSchedule({ maxEpochs: 10, factor: 3, iterations: 2 })).toEqual({ trials: 60, epochs: 240 });
    // and it is what the oracle schedules, for every max_epochs 2..30
    for (let maxEpochs = 2; maxEpochs <= 30; maxEpochs++) {
      const h = { maxEpochs, factor: 3, iterations: 1 };
      const { trials } = runSequential(search('hyperband', { hyperband: h }), SPACE, (v) => Number(v.units) + Number(v.lr));
      expect(hyperbandSchedule(h), `max_epochs ${maxEpochs}`).toEqual({ trials: trials.length, epochs: trials.reduce((n, t) => n + t.epochs - t.initialEpoch, 0) });
    }
  });

  it('plans max_epochs and iterations from the budget, the time per epoch and the workers', () => {
    // (120 - 20) s x 1 worker / 0.5 s = 200 epochs; max 18 costs 196 (max 19: 218)
    expect(planHyperband({ budgetSeconds: 120, spentSeconds: 20, secondsPerEpoch: 0.5, slots: 1, maxEpochsCap: 60, margin: 1 })).toEqual({
      hyperband: { maxEpochs: 18, factor: 3, iterations: 1 },
      affordableEpochs: 200,
      plannedEpochs: 196,
      plannedTrials: 30,
      fits: true,
    });
    // two workers and a 1.25 margin: 100 x 2 / 0.625 = 320 epochs -> max 26 (286; 27 costs 375)
    expect(planHyperband({ budgetSeconds: 120, spentSeconds: 20, secondsPerEpoch: 0.5, slots: 2, maxEpochsCap: 60 }).hyperband.maxEpochs).toBe(26);
    // capped at the preset's 10 epochs: 1000 epochs repeat the 120-epoch schedule 8 times
    expect(planHyperband({ budgetSeconds: 1000, spentSeconds: 0, secondsPerEpoch: 1, slots: 1, maxEpochsCap: 10, margin: 1 })).toMatchObject({
      hyperband: { maxEpochs: 10, factor: 3, iterations: 8 },
      plannedEpochs: 960,
      plannedTrials: 240,
      fits: true,
    });
    // 10 epochs afford not even max 3 (11): it runs once and the budget stops it
    expect(planHyperband({ budgetSeconds: 10, spentSeconds: 0, secondsPerEpoch: 1, slots: 1, maxEpochsCap: 60, margin: 1 })).toMatchObject({
      hyperband: { maxEpochs: 3, iterations: 1 },
      fits: false,
    });
  });

  it('stops at the budget through the oracle and the loop; the best finished trial wins', async () => {
    const s = spaceFor('tabular-classification', TABULAR);
    const plan = planHyperband({ budgetSeconds: 7, spentSeconds: 0, secondsPerEpoch: 1, slots: 1, maxEpochsCap: 3, margin: 1 });
    expect(plan).toMatchObject({ hyperband: { maxEpochs: 3, iterations: 1 }, fits: false });
    const config = search('hyperband', { hyperband: plan.hyperband, objective: s.objective, seed: 3 });
    // one simulated second per epoch; the score rises with the epoch and is best for the MLP with lr near 0.003
    const score = (v: HpValues, epoch: number) => (v.family === 'mlp' ? 0.9 : 0.8) - Math.abs(Math.log10(Number(v.learning_rate)) + 2.5) / 10 + epoch / 100;
    let clock = 0;
    let fire = () => {};
    const host: SearchHost = {
      async runTrial(trial, _slot, ctx: TrialContext) {
        for (let e = trial.initialEpoch + 1; e <= trial.epochs; e++) {
          await Promise.resolve();
          if (ctx.signal.aborted) return { status: 'stopped', durationMs: (e - 1 - trial.initialEpoch) * 1000 };
          clock += 1000;
          ctx.epoch(e, score(trial.values, e), (e - trial.initialEpoch) * 1000);
          if (clock >= 7000) fire();
        }
        return { status: 'completed', durationMs: (trial.epochs - trial.initialEpoch) * 1000 };
      },
      async save() {},
    };
    const state = await runSearch({ status: 'running', trials: [], elapsedMs: 0 }, host, {
      next: (trials: readonly TrialView[]) => nextTrial(config, s.space, s.base, trials),
      objective: s.objective,
      workers: 1,
      deadline: 7000,
      now: () => clock,
      setTimer: (_ms, f) => {
        fire = f;
        return () => {};
      },
    });
    expect(state.doneWhy).toBe('budget');
    // bracket 1: 3 x 1 epoch, the best promoted 1 -> 3 (5 s); bracket 0's first trial stopped after 2 of 3 epochs
    expect(state.trials.map((t) => `${t.status} ${t.initialEpoch}->${t.history.length}`)).toEqual(['completed 0->1', 'completed 0->1', 'completed 0->1', 'completed 1->3', 'stopped 0->2']);
    const rows = leaderboard(
      state.trials.map((t) => ({ ...t, seconds: t.durationMs / 1000 })),
      'max',
    );
    const finished = state.trials.filter((t) => t.status === 'completed');
    const bestValue = Math.max(...finished.map((t) => t.best!));
    expect(rows[0]!.objective).toBe(bestValue);
    // the promoted trial and its parent are one configuration: 3 rows, the stopped trial left out
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.trialId)).not.toContain(state.trials[4]!.id);
  });
});

const trial = (id: string, over: Partial<AutoMlTrial>): AutoMlTrial => ({ id, values: { family: 'mlp', mlp_layers: Number(id.slice(1)) }, status: 'completed', best: 0.9, bestEpoch: 3, epochs: 3, seconds: 10, ...over });

describe('AutoML leaderboard', () => {
  it('orders finished trials best first by the direction, ties by epochs, time, then order; one row per configuration', () => {
    const trials = [
      trial('t1', { best: 0.9, epochs: 10 }),
      trial('t2', { best: 0.95 }),
      trial('t3', { best: 0.9, epochs: 4, seconds: 30 }),
      trial('t4', { best: 0.9, epochs: 4, seconds: 20 }),
      trial('t5', { best: 0.99, status: 'pruned' }),
      trial('t6', { best: 0.99, status: 'stopped' }),
      trial('t7', { best: null, status: 'failed' }),
      trial('t8', { best: 0.9, epochs: 4, seconds: 20 }),
      // t2's configuration promoted to 9 epochs: better, so it replaces t2's row
      { ...trial('t2b', { best: 0.96, epochs: 9 }), values: { family: 'mlp', mlp_layers: 2 } },
      { ...trial('p', { best: 0.93, values: {} }), preset: true },
    ];
    const rows = leaderboard(trials, 'max');
    expect(rows.map((r) => r.trialId)).toEqual(['t2b', 'p', 't4', 't8', 't3', 't1']);
    expect(rows[0]).toMatchObject({ family: 'mlp', settings: { mlp_layers: 2 }, objective: 0.96, epochs: 9, preset: false });
    expect(rows[1]).toMatchObject({ family: 'preset', settings: {}, preset: true });
    // lower is better for a loss
    expect(leaderboard(trials, 'min').map((r) => r.trialId)).toEqual(['t4', 't8', 't3', 't1', 'p', 't2']);
  });

  it('breaks a tie of the objective by the lower validation loss, before epochs and time', () => {
    // saturated: all three classify every validation row; the 10-epoch trial fits them with the lowest loss
    const saturated = [
      trial('t1', { best: 1, epochs: 2, seconds: 5, tieLoss: 0.31 }),
      trial('t2', { best: 1, epochs: 10, seconds: 20, tieLoss: 0.04 }),
      trial('t3', { best: 1, epochs: 4, seconds: 8 }),
      { ...trial('p', { best: 1, epochs: 10, values: {}, tieLoss: 0.12 }), preset: true },
    ];
    expect(leaderboard(saturated, 'max').map((r) => r.trialId)).toEqual(['t2', 'p', 't1', 't3']);
    // one configuration promoted with the same accuracy and a lower loss: its row is the promoted trial
    const promoted = { ...trial('t1b', { best: 1, epochs: 6, tieLoss: 0.2 }), values: { family: 'mlp', mlp_layers: 1 } };
    expect(leaderboard([saturated[0]!, promoted], 'max').map((r) => r.trialId)).toEqual(['t1b']);
  });

  it('compares the winner with the preset: best 0.97 vs preset 0.95 (+0.02)', () => {
    const rows = leaderboard([trial('t1', { best: 0.966 }), { ...trial('p', { best: 0.954 }), preset: true }], 'max');
    expect(compareWithPreset(rows, 'max')).toEqual({ best: '0.97', preset: '0.95', delta: '+0.02', improved: true, winnerIsPreset: false });
    const presetWins = leaderboard([trial('t1', { best: 0.9 }), { ...trial('p', { best: 0.95 }), preset: true }], 'max');
    expect(compareWithPreset(presetWins, 'max')).toEqual({ best: '0.95', preset: '0.95', delta: '+0.00', improved: false, winnerIsPreset: true });
    const loss = leaderboard([trial('t1', { best: 0.3 }), { ...trial('p', { best: 0.35 }), preset: true }], 'min');
    expect(compareWithPreset(loss, 'min')).toMatchObject({ best: '0.30', preset: '0.35', delta: '-0.05', improved: true });
    expect(compareWithPreset(leaderboard([trial('t1', {})], 'max'), 'max')).toBeNull();
  });
});
