/**
 * Tuner in Node: the Tune stage's search (core/tune: the oracle of the settings' algorithm, the median
 * pruner when set, core/tune/search-loop.ts's loop) with each trial trained in this process as the
 * Trainer trains (trainer.ts: the same examples, preprocessing fitted once on the training rows, the
 * same spec and trainer config), one trial at a time (the pool is 1 worker: Node trains on its one
 * thread). A promoted Hyperband trial continues its parent's checkpoint, kept in memory (weights,
 * optimizer state and epoch, core/train/checkpoint.ts), as the tab's continues the stored one. Writes:
 *   tuner_results.json        the search (space, settings), the epochs trained, and every trial (values,
 *                             schedule, status, objective per epoch, best), TFX's tuner_results
 *   best_hyperparameters.json the best trial's values with the space that places them (the artifact's
 *                             properties too, which a Trainer's hyperparameters input reads)
 * Every tensor is disposed however a trial ends.
 */
import type { TF } from '../core/model/model-spec';
import { buildModel } from '../core/model/model-spec';
import { PipelineError } from '../core/pipeline/errors';
import type { ArtifactRef, ExecuteContext, OutputArtifact } from '../core/pipeline/runner';
import type { ComponentSpec } from '../core/pipeline/spec';
import { baseOfSettings, bestHyperparametersProperties, bestTrial, epochObjective } from '../core/pipeline/tuner';
import { TrainError } from '../core/model/errors';
import { trainConfigOf } from '../core/train/run-setup';
import { toTensors, Trainer, type Checkpoint, type TrainTensors } from '../core/train/trainer';
import { hyperbandSchedule } from '../core/tune/hyperband';
import { nextTrial } from '../core/tune/oracle';
import { shouldPrune } from '../core/tune/pruner';
import { runSearch, type LoopTrial, type SearchHost, type SearchState, type TrialContext, type TrialEnd } from '../core/tune/search-loop';
import { trialTraining } from '../core/tune/space';
import { readSpace } from '../core/tune/space-json';
import type { BaseConfig, SearchConfig, SearchSpace } from '../core/tune/types';
import { writeJsonAtomic, type StagedArtifact } from './files';
import { dataSpec, trainingData, type TrainingData } from './trainer';

export const TUNER_RESULTS_FILE = 'tuner_results.json';
export const BEST_HYPERPARAMETERS_FILE = 'best_hyperparameters.json';

type Inputs = Readonly<Record<string, ArtifactRef[]>>;

/** Trains each trial in this process on data encoded once. */
class NodeTrialHost implements SearchHost {
  /** Each finished Hyperband trial's state after its last epoch, for the trials promoted from it. */
  readonly #checkpoints = new Map<string, Checkpoint>();
  #epochs = 0;

  /** Epochs trained in this process (a promoted trial trains only those after its parent's). */
  get epochsTrained(): number {
    return this.#epochs;
  }

  constructor(
    private readonly tf: TF,
    private readonly data: TrainingData,
    private readonly tensors: { train: TrainTensors; validation: TrainTensors | null },
    private readonly base: BaseConfig,
    private readonly modelSeed: number,
    private readonly space: SearchSpace,
    private readonly search: SearchConfig,
    private readonly onEpoch: (epochsDone: number) => void,
  ) {}

  async runTrial(trial: Readonly<LoopTrial>, _slot: number, ctx: TrialContext): Promise<TrialEnd> {
    const { tf, data } = this;
    const training = trialTraining(this.base, this.space, this.search.algorithm, trial);
    const spec = dataSpec(data, training.layers, this.modelSeed);
    const started = Date.now();
    const owned: { dispose(): void }[] = [];
    const valLosses: (number | null)[] = [];
    try {
      const model = buildModel(tf, spec);
      owned.push(model);
      const trainer = new Trainer(tf, model, trainConfigOf(training.hyper, data.stats, data.split.seed, { y: data.trainEnc.y }));
      owned.push(trainer);
      if (trial.parentId !== null) {
        const parent = this.#checkpoints.get(trial.parentId);
        if (!parent) throw new Error(`trial ${trial.id}: no checkpoint of trial ${trial.parentId} to continue from`);
        await trainer.restoreCheckpoint(parent);
      }
      const result = await trainer.fit({
        ...this.tensors,
        signal: ctx.signal,
        onEpoch: (log) => {
          valLosses[log.epoch] = log.valLoss;
          ctx.epoch(log.epoch + 1, epochObjective(this.search.objective.metric, log), Date.now() - started);
          this.onEpoch(++this.#epochs);
        },
      });
      if (result.status === 'diverged') throw new TrainError('diverged', {}, `trial ${trial.id}: training diverged: the loss became infinite or NaN`);
      if (this.search.algorithm === 'hyperband' && result.status === 'completed') this.#checkpoints.set(trial.id, await trainer.getCheckpoint());
      const tieLoss = trial.bestEpoch !== null ? valLosses[trial.bestEpoch - 1] : null;
      return { status: result.status === 'cancelled' ? 'stopped' : 'completed', durationMs: Date.now() - started, ...(typeof tieLoss === 'number' && Number.isFinite(tieLoss) ? { tieLoss } : {}) };
    } finally {
      for (const o of owned) o.dispose();
    }
  }

  save(): Promise<void> {
    return Promise.resolve();
  }
}

export async function runTuner(tf: TF, out: string, component: ComponentSpec<'Tuner'>, inputs: Inputs, staged: StagedArtifact, ctx: ExecuteContext): Promise<Record<string, OutputArtifact>> {
  const s = component.settings;
  const space = readSpace(s.space);
  const search = s.search;
  const data = await trainingData(out, component.id, s, inputs, ctx.signal);
  ctx.signal.throwIfAborted();
  const base = baseOfSettings(s);
  const planned = search.algorithm === 'hyperband' ? hyperbandSchedule(search.hyperband).epochs * search.hyperband.iterations : search.maxTrials * s.hyper.epochs;
  const train = toTensors(tf, data.trainEnc, data.stats.label, null);
  const validation = data.valEnc ? toTensors(tf, data.valEnc, data.stats.label, null) : null;
  let state: SearchState = { status: 'running', trials: [], elapsedMs: 0 };
  let host: NodeTrialHost | null = null;
  try {
    host = new NodeTrialHost(tf, data, { train, validation }, base, s.modelSeed, space, search, (done) => ctx.progress(Math.min(1, done / planned), `${done} epochs`));
    state = await runSearch(state, host, {
      next: (trials) => nextTrial(search, space, base, trials),
      ...(search.pruner && search.algorithm !== 'hyperband' ? { prune: (t, epoch, value, trials) => shouldPrune(search, t, epoch, value, trials) } : {}),
      objective: search.objective,
      workers: 1,
      signal: ctx.signal,
    });
  } finally {
    for (const t of [train.x, train.y, validation?.x, validation?.y]) t?.dispose();
  }
  if (ctx.signal.aborted || state.status === 'cancelled') throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
  if (state.status === 'failed') throw state.error ?? new Error(`${component.id}: the search failed`);
  const best = bestTrial(state.trials, search.objective);
  await writeJsonAtomic(staged.file(TUNER_RESULTS_FILE), { name: s.name, space, search, doneWhy: state.doneWhy ?? null, elapsedMs: state.elapsedMs, epochsTrained: host?.epochsTrained ?? 0, best: best?.id ?? null, trials: state.trials });
  if (!best || best.best === null) {
    throw new PipelineError('no-best-trial', { component: component.id, params: { searchId: staged.uri, trials: state.trials.length } }, `${component.id}: no trial reached an objective value`);
  }
  const properties = bestHyperparametersProperties({ searchId: staged.uri, trialId: best.id, values: best.values, space, objective: search.objective, best: best.best, bestEpoch: best.bestEpoch });
  await writeJsonAtomic(staged.file(BEST_HYPERPARAMETERS_FILE), properties);
  const uri = await staged.commit();
  ctx.log(`${state.trials.length} trials (${state.doneWhy ?? state.status}); best: trial ${best.id}, ${search.objective.metric} ${best.best.toFixed(4)}: ${JSON.stringify(best.values)}`);
  return { best_hyperparameters: { uri, properties } };
}
