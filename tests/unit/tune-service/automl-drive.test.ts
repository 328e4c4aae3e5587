/**
 * AutoML's driver (services/automl.ts): the default preset trains first as a normal run on the search's
 * split, its measured times plan Hyperband, then the search runs to its budget. The preset step's cancel,
 * budget stop, pause and resume with a stand-in worker that writes run records (deterministic: its runs end
 * when cancelled or at once); and a whole AutoML search on the penguins with real Train-stage runs (cpu).
 */
import 'fake-indexeddb/auto';
import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { automlBoard } from '../../../src/app/automl-view';
import { automlSpace } from '../../../src/core/tune/automl';
import { presetById } from '../../../src/core/train/presets';
import type { RunOutcome, StartRunRequest, TrainEvent } from '../../../src/protocol/train';
import { AUTOML_ITERATIONS, driveAutoMl, measureRun, prepareAutoMl } from '../../../src/services/automl';
import type { TrialWorker } from '../../../src/services/tune';
import { PipetteDB } from '../../../src/store/db';
import type { EpochRecord, RunRecord } from '../../../src/store/training-records';
import { listTrials, trialRunId, type TuneSearchRecord } from '../../../src/store/tune-records';
import { useCpu } from '../train/helpers';
import { penguinConfig, PENGUIN_FEATURES } from '../train-service/penguins';
import { penguinSearch, searchSettings, serviceWorker } from './fixture';

const epoch = (i: number, ms: number): EpochRecord => ({ epoch: i, loss: 1, acc: 0.5, valLoss: 1, valAcc: 0.5 + i / 100, ms, numTensors: 0 });

/** An AutoML search record on the penguins as the page stores it (the preset as the Train stage trains it). */
async function automlSearch(db: PipetteDB, budgetMs: number, presetEpochs = 60): Promise<TuneSearchRecord> {
  const preset = presetById('mlp-classifier')!;
  const made = automlSpace('tabular-classification', { kind: 'tabular', features: 1 }, preset.training)!;
  const base = penguinConfig(PENGUIN_FEATURES);
  const presetConfig = { ...base, name: 'AutoML 1 · default preset', hyper: { ...preset.training, epochs: presetEpochs, classWeights: 'none' as const } };
  const record = await penguinSearch(db, searchSettings({ objective: made.objective, hyperband: { maxEpochs: 3, factor: 3, iterations: 1 } }), {
    name: 'AutoML 1',
    base: { ...base, spec: { ...base.spec!, layers: [] }, hyper: made.base.hyper },
    space: made.space,
    budgetMs,
  });
  const automl = { phase: 'preset' as const, presetRunId: trialRunId(record.id, 'preset'), presetConfig, families: made.families };
  await db.tuneSearches.update(record.id, { automl });
  return { ...record, automl };
}

/** A worker whose runs write their record: `finish` ends a run at once (done, with these epochs), else it runs until cancelled. */
function standIn(db: PipetteDB, finish: { history: EpochRecord[]; durationMs: number } | null) {
  const calls: string[] = [];
  const cancels = new Map<string, () => void>();
  const write = (req: Pick<StartRunRequest, 'runId' | 'projectId' | 'datasetVersionId' | 'config'>, status: RunRecord['status'], history: EpochRecord[], durationMs: number) =>
    db.runs.put({ id: req.runId, projectId: req.projectId, datasetVersionId: req.datasetVersionId, status, config: req.config, history, metrics: null, durationMs, createdAt: 0, updatedAt: 0 });
  const run = async (req: Pick<StartRunRequest, 'runId' | 'projectId' | 'datasetVersionId' | 'config'>, onEvent: (e: TrainEvent) => void): Promise<RunOutcome> => {
    await write(req, 'running', [], 0);
    if (finish) {
      finish.history.forEach((h) => onEvent({ kind: 'epoch', epoch: h, elapsedMs: 0 } as TrainEvent));
      await write(req, 'done', finish.history, finish.durationMs);
      return { runId: req.runId, status: 'done' };
    }
    await new Promise<void>((resolve) => cancels.set(req.runId, resolve));
    await write(req, 'cancelled', [], 0);
    return { runId: req.runId, status: 'cancelled' };
  };
  const worker: TrialWorker = {
    startRun: (req, onEvent) => (calls.push(`start ${req.runId}`), run(req, onEvent)),
    resumeRun: async (runId, onEvent) => {
      calls.push(`resume ${runId}`);
      const r = (await db.runs.get(runId))!;
      return run({ runId, projectId: r.projectId, datasetVersionId: r.datasetVersionId, config: r.config }, onEvent);
    },
    cancel: async (id) => {
      cancels.get(id)?.();
      return cancels.delete(id);
    },
  };
  return { worker, calls };
}

describe('the preset step', () => {
  it('a cancel stops the preset run and the search', async () => {
    const db = new PipetteDB('automl-cancel');
    await db.open();
    try {
      const s = await automlSearch(db, 600_000);
      const { worker, calls } = standIn(db, null);
      const cancel = new AbortController();
      const driving = driveAutoMl(db, s.id, () => worker, { signal: cancel.signal });
      await expect.poll(() => calls.length).toBe(1);
      cancel.abort();
      const state = await driving;
      expect(state.status).toBe('cancelled');
      expect(calls).toEqual([`start ${s.automl!.presetRunId}`]);
      expect((await db.runs.get(s.automl!.presetRunId))!.status).toBe('cancelled');
      expect((await db.tuneSearches.get(s.id))!.automl!.phase).toBe('preset');
      expect(await listTrials(db, s.id)).toEqual([]);
    } finally {
      await db.delete();
    }
  });

  it('the budget stops a preset run that outlasts it: done, nothing to compare', async () => {
    const db = new PipetteDB('automl-budget');
    await db.open();
    try {
      const s = await automlSearch(db, 1);
      const { worker } = standIn(db, null);
      const state = await driveAutoMl(db, s.id, () => worker);
      expect(state).toMatchObject({ status: 'done', doneWhy: 'budget', trials: [] });
      const run = (await db.runs.get(s.automl!.presetRunId))!;
      expect(automlBoard(s, [], run)).toEqual({ rows: [], comparison: null });
    } finally {
      await db.delete();
    }
  });

  it('measures the preset run, plans, and pauses before the search; a reload resumes a preset run left running', async () => {
    const db = new PipetteDB('automl-plan');
    await db.open();
    try {
      const s = await automlSearch(db, 3_600_000, 10);
      // 4 epochs of 50, 50, 100, 100 ms in a run of 1,300 ms: 0.075 s an epoch, 1 s a run outside them
      const history = [50, 50, 100, 100].map((ms, i) => epoch(i, ms));
      expect(measureRun({ history, durationMs: 1300 })).toEqual({ secondsPerEpoch: 0.075, secondsPerTrial: 1 });
      const { worker, calls } = standIn(db, { history, durationMs: 1300 });
      const pause = new AbortController();
      pause.abort();
      expect(await prepareAutoMl(db, s.id, worker, { pause: pause.signal })).toBe(false);
      const stored = (await db.tuneSearches.get(s.id))!;
      expect(stored.status).toBe('paused');
      expect(stored.automl).toMatchObject({ phase: 'search', measured: { secondsPerEpoch: 0.075, secondsPerTrial: 1 } });
      // an hour affords far more than the preset's 10 epochs: max_epochs 10 (30 trials, 120 epochs), expected
      // (3600 - spent) / 1.25 / (0.075 x 120 + 1 x 30) = 73 times; it repeats until the budget ends it
      expect(stored.search.hyperband).toEqual({ maxEpochs: 10, factor: 3, iterations: AUTOML_ITERATIONS });
      expect(stored.automl!.plan).toEqual({ plannedTrials: 30 * 73, plannedEpochs: 120 * 73, fits: true });
      // continuing: the preset step has ended, so nothing trains again before the search
      expect(await prepareAutoMl(db, s.id, worker)).toBe(true);
      expect(calls).toEqual([`start ${s.automl!.presetRunId}`]);

      // a second search whose preset run a closed tab left running: it continues that run
      const other = await automlSearch(db, 3_600_000, 10);
      await db.runs.put({ ...(await db.runs.get(s.automl!.presetRunId))!, id: other.automl!.presetRunId, status: 'running', history: history.slice(0, 2) });
      expect(await prepareAutoMl(db, other.id, worker)).toBe(true);
      expect(calls.at(-1)).toBe(`resume ${other.automl!.presetRunId}`);
    } finally {
      await db.delete();
    }
  });
});

let tf: typeof tfjs;
beforeAll(async () => {
  tf = await useCpu();
});

it('a whole AutoML search on the penguins: the preset run, then trials over the families until the budget', async () => {
  const db = new PipetteDB('automl-penguins');
  await db.open();
  try {
    const made = await automlSearch(db, 20_000, 12);
    // the automatic backend choice, as the page asks for it
    const s = { ...made, base: { ...made.base, backend: 'auto' as const }, automl: { ...made.automl!, presetConfig: { ...made.automl!.presetConfig, backend: 'auto' as const } } };
    await db.tuneSearches.update(s.id, { base: s.base, automl: s.automl });
    const state = await driveAutoMl(db, s.id, () => serviceWorker(tf, db));
    expect(state.status).toBe('done');
    expect(state.doneWhy).toBe('budget');
    const stored = (await db.tuneSearches.get(s.id))!;
    expect(stored.automl!.phase).toBe('search');
    expect(stored.search.hyperband.maxEpochs).toBeGreaterThanOrEqual(3);
    expect(stored.search.hyperband.maxEpochs).toBeLessThanOrEqual(12);
    // the preset is a normal run, done, on the same split as every trial
    const preset = (await db.runs.get(s.automl!.presetRunId))!;
    expect(preset.status).toBe('done');
    const trials = await listTrials(db, s.id);
    expect(trials.length).toBeGreaterThan(0);
    const firstTrialRun = (await db.runs.get(trials[0]!.runId))!;
    expect(firstTrialRun.split).toEqual(preset.split);
    // the preset timed the backends; the trials train on its choice, asked for by name (not timed again)
    expect(preset.backend).toMatchObject({ requested: 'auto', name: 'cpu' });
    expect(stored.base.backend).toBe('cpu');
    expect(firstTrialRun.backend).toMatchObject({ requested: 'cpu', name: 'cpu' });
    // the trials are the families' models: only dense layers (an MLP) or none (linear)
    for (const t of trials) expect(['mlp', 'linear']).toContain(t.values.family);
    const board = automlBoard(stored, trials, preset);
    const presetRow = board.rows.find((r) => r.preset)!;
    expect(presetRow.objective).toBe(Math.max(...preset.history.map((h) => h.valAcc!)));
    expect(board.rows.filter((r) => !r.preset).every((r) => trials.find((t) => t.id === r.trialId)!.status === 'completed')).toBe(true);
    expect(board.comparison!.best).toBe(board.rows[0]!.objective.toFixed(2));
    expect(board.comparison!.preset).toBe(presetRow.objective.toFixed(2));
  } finally {
    await db.delete();
  }
}, 120_000);
