/**
 * Training runs: the service the training worker offers. It composes the core (split, preprocessing,
 * model, trainer, metrics) with the store (run records, checkpoints):
 *
 *  - a run is a row in `runs` (an experiment record) written before any work starts;
 *  - while it trains the worker holds the run's writer lock, so a closed tab or a crashed worker leaves a
 *    'running' row without its lock, which the start-up sweep marks 'interrupted';
 *  - after EVERY epoch one transaction replaces the run's checkpoint (weights, optimizer state, epoch,
 *    early-stopping state) and appends the epoch to the run's history, so the two never disagree;
 *  - resume() rebuilds the same split and preprocessing, restores the checkpoint and trains on; the
 *    trainer shuffles epoch e from (seed, e), so the resumed run sees the batches it would have seen.
 *
 * TF.js is injected (the worker passes its module; Node tests pass a cpu one), and so are the image
 * decoder and the backend switch.
 */
import { CodedError } from '../core/errors';
import { missing } from '../core/record-error';
import type * as tfjs from '@tensorflow/tfjs';
import { predictLabels } from '../core/label/label-model';
import type { BundleMetadata } from '../core/model/bundle';
import { invalidSpecError, TrainError, trainErrorWhy } from '../core/model/errors';
import { buildModel, validateSpec, type ModelSpec, type TF } from '../core/model/model-spec';
import { choiceOf, encode, type DecodeImage, type Encoded, type EncodeOptions, type PreprocessStats } from '../core/model/preprocess';
import { splitRecord } from '../core/model/split';
import { resolveSpec, trainConfigOf } from '../core/train/run-setup';
import { PauseGate, toTensors, Trainer, type Checkpoint, type FitResult, type TrainConfig, type TrainTensors } from '../core/train/trainer';
import { connectPartner, partnerSetupOf, releasePartner, type StepPartner } from '../core/train/data-parallel';
import type { BackendName, PrepareRequest, PrepareResult, RunOutcome, StartRunRequest, TrainEvent } from '../protocol/train';
import type { PipetteDB } from '../store/db';
import { holdingWriterLock } from '../store/sweep';
import type { BackendChoice, EpochRecord, Hyperparameters, RunMetrics, RunPhase, RunRecord } from '../store/training-records';
import { cannotTrainOn, chooseBackend, timingKey, type BackendControl, type StepProbe } from './train-backend';
import { unavailableReason } from '../core/train/activate';
import { labelTaskOf, loadLabelSet, prepareData, runColumns, scoringLabels, softTargets, TableCache, weakBaselines, type LabelSetData, type PreparedData } from './train-data';
import { evaluateModel } from './train-evaluate';
import { checkTransformRows, checkTransformSettings, loadTransform, transformChoice } from './train-transform';

export interface LoadedModel {
  model: tfjs.LayersModel;
  metadata: BundleMetadata;
}

export interface TrainDeps {
  tf: TF;
  db: PipetteDB;
  backends: BackendControl;
  /** A FRESH instance of a model version (training changes its weights). */
  loadModel: (modelId: string) => Promise<LoadedModel>;
  decode?: DecodeImage;
  /** The worker's one cache of dataset tables, shared by the services (default: one of its own). */
  tables?: TableCache;
}

interface Active {
  gate: PauseGate;
  /** Wall time when the current pause began. */
  pausedAt: number | null;
  pausedMs: number;
}

/** What the steps of one execution of a run share. */
interface RunContext {
  run: RunRecord;
  checkpoint: Checkpoint | null;
  signal: AbortSignal;
  onEvent: (e: TrainEvent) => void;
  active: Active;
  /** Training time over every execution of the run, pauses left out. */
  elapsed: () => number;
  update: (patch: Partial<RunRecord>) => Promise<unknown>;
  phase: (p: RunPhase) => Promise<void>;
  /** Disposed when the execution ends, however it ends. */
  owned: { dispose(): void }[];
  /** A second training worker at the other end, to take half of every batch (core/train/data-parallel.ts). */
  partner: MessagePort | null;
}

/** A run's prepared data, the spec it trains (null from a base model) and, for a label set, its soft targets. */
interface LoadedRun {
  data: PreparedData;
  spec: ModelSpec | null;
  soft: LabelSetData | null;
  trainSoft: Float32Array | null;
  valSoft: Float32Array | null;
}

function serializeError(e: unknown): RunRecord['error'] {
  if (e instanceof CodedError) return e.toJSON();
  return { message: e instanceof Error ? e.message : String(e) };
}

/** The spec a run trains (core/train/run-setup.ts). */
export { resolveSpec };

export class TrainService {
  readonly #deps: TrainDeps;
  readonly #tables: TableCache;
  readonly #active = new Map<string, Active>();

  constructor(deps: TrainDeps) {
    this.#deps = deps;
    this.#tables = deps.tables ?? new TableCache(deps.db);
  }

  /** Runs this service is training now. */
  get activeRuns(): string[] {
    return [...this.#active.keys()];
  }

  async prepare(req: PrepareRequest): Promise<PrepareResult> {
    const { db } = this.#deps;
    const base = req.baseModelId ? await db.models.get(req.baseModelId) : null;
    if (req.baseModelId && !base) throw missing('model-version', req.baseModelId);
    const transform = !base && req.transformId ? await loadTransform(db, req.transformId) : null;
    if (transform) checkTransformSettings(transform, req);
    const features = base ? base.metadata.preprocessing.features.map(choiceOf) : transform ? [transformChoice(transform, req.transformOutputs)] : req.features;
    const label = base ? base.metadata.preprocessing.label.column : req.label;
    const source = base ? undefined : req.labelSource;
    const labelSet = await loadLabelSet(db, source);
    const loaded = await this.#tables.load(req.datasetVersionId, runColumns(features, label, source));
    const data = await prepareData(loaded, {
      features,
      label,
      labelTask: base ? base.metadata.task : req.labelTask,
      split: req.split,
      stats: base?.metadata.preprocessing ?? null,
      decode: this.#deps.decode,
      labelSet,
    });
    if (transform) checkTransformRows(transform, data.split);
    const { stats, split } = data;
    return {
      input: stats.input,
      classes: stats.label.task === 'classification' ? stats.label.classes.slice() : null,
      counts: splitRecord(split).counts,
      slots: stats.input.kind === 'tabular' ? stats.input.features : 0,
      warnings: stats.warnings.slice(),
      ...(base ? { baseSpec: base.metadata.modelSpec } : {}),
    };
  }

  /** Create the run record and train it to the end. */
  start(req: StartRunRequest, signal: AbortSignal, onEvent: (e: TrainEvent) => void = () => {}, partner: MessagePort | null = null): Promise<RunOutcome> {
    const { db } = this.#deps;
    return holdingWriterLock(req.runId, async () => {
      const now = Date.now();
      const run: RunRecord = {
        id: req.runId,
        projectId: req.projectId,
        datasetVersionId: req.datasetVersionId,
        status: 'running',
        phase: 'loading',
        config: req.config,
        history: [],
        metrics: null,
        durationMs: 0,
        createdAt: now,
        updatedAt: now,
      };
      const from = req.config.continueFrom ? await this.#continuation(req.config.continueFrom) : null;
      if (from) Object.assign(run, { history: from.history, ...(from.backend ? { backend: from.backend } : {}) });
      await db.runs.add(run);
      return this.#execute(run, from?.checkpoint ?? null, signal, onEvent, partner);
    });
  }

  /** Continue an interrupted run from its last checkpoint (or from the start when it had none). */
  resume(runId: string, signal: AbortSignal, onEvent: (e: TrainEvent) => void = () => {}, partner: MessagePort | null = null): Promise<RunOutcome> {
    const { db } = this.#deps;
    return holdingWriterLock(runId, async () => {
      const run = await db.runs.get(runId);
      if (!run) throw missing('run', runId);
      if (run.status !== 'interrupted') throw new TrainError('not-resumable', { params: { name: run.config.name, status: run.status } }, `Run "${run.config.name}" is ${run.status}; only an interrupted run can be resumed`);
      const saved = await db.checkpoints.get(runId);
      const checkpoint = saved?.kind === 'epoch' ? saved.data : null;
      // the history after the checkpoint was never saved with weights: it is trained again
      const history = run.history.slice(0, checkpoint?.epoch ?? 0);
      const patch = { status: 'running' as const, phase: 'loading' as const, history, resumes: (run.resumes ?? 0) + 1, error: undefined, updatedAt: Date.now() };
      await db.runs.update(runId, patch);
      return this.#execute({ ...run, ...patch }, checkpoint, signal, onEvent, partner);
    });
  }

  /**
   * What a run continued from another run's checkpoint starts with: that checkpoint (it must be at the
   * epoch asked for: a finished parent's final one, or a running parent's last), the parent's history up
   * to it, and the parent's backend (the promoted trial trains where its parent did, without a new timing).
   */
  async #continuation(from: { runId: string; epoch: number }): Promise<{ checkpoint: Checkpoint; history: EpochRecord[]; backend?: BackendChoice }> {
    const { db } = this.#deps;
    const [parent, saved] = await Promise.all([db.runs.get(from.runId), db.checkpoints.get(from.runId)]);
    if (!parent || !saved || saved.epoch !== from.epoch || (saved.kind === 'final' && parent.fit?.restoredBest)) {
      // final weights with an earlier best epoch put back are not the state after `epoch`: no continuation from them
      throw missing('run', from.runId, `Run ${from.runId} has no checkpoint at epoch ${from.epoch} to continue from`);
    }
    return { checkpoint: saved.data, history: parent.history.slice(0, from.epoch), backend: parent.backend };
  }

  /** Park the run at the next batch boundary. */
  async pause(runId: string): Promise<boolean> {
    const a = this.#active.get(runId);
    if (!a || a.gate.paused) return false;
    a.gate.pause();
    a.pausedAt = Date.now();
    await this.#deps.db.runs.update(runId, { status: 'paused', updatedAt: Date.now() });
    return true;
  }

  async continue(runId: string): Promise<boolean> {
    const a = this.#active.get(runId);
    if (!a || !a.gate.paused) return false;
    if (a.pausedAt !== null) a.pausedMs += Date.now() - a.pausedAt;
    a.pausedAt = null;
    await this.#deps.db.runs.update(runId, { status: 'running', updatedAt: Date.now() });
    a.gate.resume();
    return true;
  }

  async #execute(run: RunRecord, checkpoint: Checkpoint | null, signal: AbortSignal, onEvent: (e: TrainEvent) => void, partner: MessagePort | null): Promise<RunOutcome> {
    const { db } = this.#deps;
    const runId = run.id;
    const active: Active = { gate: new PauseGate(() => onEvent({ kind: 'parked', runId })), pausedAt: null, pausedMs: 0 };
    this.#active.set(runId, active);
    const started = Date.now();
    const priorMs = run.durationMs;
    const elapsed = () => priorMs + (Date.now() - started - active.pausedMs - (active.pausedAt !== null ? Date.now() - active.pausedAt : 0));
    const update = (patch: Partial<RunRecord>) => db.runs.update(runId, { ...patch, updatedAt: Date.now() });
    const phase = async (p: RunPhase) => {
      await update({ phase: p });
      onEvent({ kind: 'phase', runId, phase: p, elapsedMs: elapsed() });
    };
    const owned: { dispose(): void }[] = [];
    const ctx: RunContext = { run, checkpoint, signal, onEvent, active, elapsed, update, phase, owned, partner };
    try {
      const loaded = await this.#loadRun(ctx);
      const { data, soft } = loaded;
      // a cancel is honoured between the phases before training, not only at its batches
      if (signal.aborted) return await this.#finishCancelled(runId, elapsed());

      await phase('encoding');
      const decode = this.#deps.decode;
      const encodeOptions = soft ? { decode, labels: false } : { decode };
      const trainEnc = await encode(data.stats, data.table, data.split.train, encodeOptions);
      const valEnc = data.split.validation.length ? await encode(data.stats, data.table, data.split.validation, encodeOptions) : null;
      if (signal.aborted) return await this.#finishCancelled(runId, elapsed());

      await phase('backend');
      const build = async (): Promise<tfjs.LayersModel> => (run.config.baseModelId ? (await this.#deps.loadModel(run.config.baseModelId)).model : buildModel(this.#deps.tf, loaded.spec!));
      await this.#chooseRunBackend(ctx, loaded, trainEnc, build);
      if (signal.aborted) return await this.#finishCancelled(runId, elapsed());

      const { trainer, train, validation, result, model } = await this.#fit(ctx, loaded, trainEnc, valEnc, build);
      if (result.status === 'cancelled') return await this.#finishCancelled(runId, elapsed());
      if (result.status === 'diverged') {
        throw new TrainError('diverged', {}, 'Training diverged: the loss became infinite or NaN. Try a smaller learning rate.');
      }

      await phase('evaluating');
      // the model no longer needs the training tensors: free them before evaluation allocates
      for (const t of [train.x, train.y, validation?.x, validation?.y]) t?.dispose();
      const { metrics, weakSupervision } = await this.#evaluateRun(loaded, model, valEnc, encodeOptions, run.config.hyper.batchSize);
      await this.#finishDone(ctx, trainer, result, metrics, weakSupervision);
      return { runId, status: 'done' };
    } catch (e) {
      await db.transaction('rw', [db.runs, db.checkpoints], async () => {
        await db.checkpoints.delete(runId);
        await db.runs.update(runId, { status: 'failed', phase: 'finished', error: serializeError(e), durationMs: elapsed(), updatedAt: Date.now() });
      });
      throw e;
    } finally {
      // a partner never set up (the run failed or was cancelled before training) stops serving
      if (ctx.partner) releasePartner(ctx.partner);
      for (const o of owned) o.dispose();
      this.#active.delete(runId);
    }
  }

  /** The 'loading' phase: the run's data prepared, the spec it trains checked, both written to the run. */
  async #loadRun(ctx: RunContext): Promise<LoadedRun> {
    const { db } = this.#deps;
    const { run } = ctx;
    const config = run.config;
    const labelTask = labelTaskOf(config);
    const baseMeta = config.baseModelId ? (await db.models.get(config.baseModelId))?.metadata : null;
    if (config.baseModelId && !baseMeta) throw missing('model-version', config.baseModelId, `The model version this run starts from (${config.baseModelId}) was deleted`);
    const label = baseMeta ? baseMeta.preprocessing.label.column : config.label;
    // fine-tuning keeps the base model's label column; label sets train new models
    if (baseMeta && config.labelSource?.kind === 'labelSet') throw new TrainError('base-label-set', {}, 'A run from a base model trains on its label column, not on a label set');
    // statistics already made (a resumed run, a base model) say what the features are; a new run on a
    // transform reads its record and checks that the split is the transform's
    const stats = run.preprocessing ?? baseMeta?.preprocessing ?? null;
    const transform = !stats && config.transformId ? await loadTransform(db, config.transformId) : null;
    if (transform) checkTransformSettings(transform, { datasetVersionId: run.datasetVersionId, label, labelTask, split: config.split });
    const features = stats ? stats.features.map(choiceOf) : transform ? [transformChoice(transform, config.transformOutputs)] : config.features;
    const labelSet = await loadLabelSet(db, config.labelSource);
    const loaded = await this.#tables.load(run.datasetVersionId, runColumns(features, label, config.labelSource));
    const data = await prepareData(loaded, {
      features,
      label,
      labelTask: baseMeta ? baseMeta.task : labelTask,
      split: config.split,
      stats,
      decode: this.#deps.decode,
      labelSet,
    });
    if (transform) checkTransformRows(transform, data.split);
    // soft labels: the label set's probabilities are the targets, the label column is not read for training
    const soft = data.labelSet ?? null;
    const trainSoft = soft ? softTargets(soft, data.split.train) : null;
    const valSoft = soft ? softTargets(soft, data.split.validation) : null;
    const spec = config.spec && !config.baseModelId ? resolveSpec(config.spec, data.stats) : null;
    if (spec) {
      const issues = validateSpec(spec);
      if (issues.length) throw invalidSpecError(issues);
    } else if (!config.baseModelId) throw trainErrorWhy('invalid-spec', 'no-spec', {}, 'The run has no model spec');
    await ctx.update({ split: splitRecord(data.split), preprocessing: data.stats, config: { ...config, spec: spec ?? config.spec } });
    return { data, spec, soft, trainSoft, valSoft };
  }

  /** The backend the run trains on, recorded on the run: a resumed run's own one if it can, else chosen by timing. */
  async #chooseRunBackend(ctx: RunContext, loaded: LoadedRun, trainEnc: Encoded, build: () => Promise<tfjs.LayersModel>): Promise<void> {
    const { tf } = this.#deps;
    const { config } = ctx.run;
    const { data, spec, trainSoft } = loaded;
    const hasConv = config.baseModelId ? JSON.stringify(await this.#baseTopology(config.baseModelId)).includes('"Conv2D"') : false;
    const wasmConv = tf.getKernel('Conv2DBackpropFilter', 'wasm') != null;
    const blocked = (name: Parameters<typeof cannotTrainOn>[0]) => cannotTrainOn(name, spec, hasConv, wasmConv);
    let backend = ctx.run.backend;
    let fallback: BackendChoice['fallback'];
    if (backend) {
      // a resumed run stays on the backend it was timed on; if it cannot, the run records which and why
      try {
        await this.#deps.backends.reports();
        await this.#deps.backends.use(backend.name);
      } catch (e) {
        fallback = { from: backend.name, why: unavailableReason(e), reason: e instanceof Error ? e.message : String(e) };
        backend = undefined;
      }
    }
    const model = spec ?? (config.baseModelId ? { baseModelId: config.baseModelId } : null);
    const onTiming = (name: BackendName, index: number, count: number) => ctx.onEvent({ kind: 'timing', runId: ctx.run.id, backend: name, index, count, elapsedMs: ctx.elapsed() });
    backend ??= await chooseBackend(tf, this.#deps.backends, config.backend, this.#probe(data.stats, trainEnc, trainSoft, build, config.hyper, model), blocked, ctx.signal, onTiming);
    if (fallback) backend = { ...backend, fallback };
    ctx.run.backend = backend;
    await ctx.update({ backend });
  }

  /** The 'training' phase: the model, its trainer (restored from the checkpoint) and tensors, trained to the end. */
  async #fit(
    ctx: RunContext,
    loaded: LoadedRun,
    trainEnc: Encoded,
    valEnc: Encoded | null,
    build: () => Promise<tfjs.LayersModel>,
  ): Promise<{ model: tfjs.LayersModel; trainer: Trainer; train: TrainTensors; validation: TrainTensors | null; result: FitResult }> {
    const { tf, db } = this.#deps;
    const { config } = ctx.run;
    const runId = ctx.run.id;
    const { data, trainSoft, valSoft } = loaded;
    const model = await build();
    ctx.owned.push(model);
    const trainConfig = trainConfigOf(config.hyper, data.stats, config.split.seed, { y: trainEnc.y, soft: trainSoft });
    const trainer = new Trainer(tf, model, trainConfig, ctx.active.gate);
    ctx.owned.push(trainer);
    if (ctx.checkpoint) await trainer.restoreCheckpoint(ctx.checkpoint);
    const train = toTensors(tf, trainEnc, data.stats.label, trainSoft);
    ctx.owned.push(train.x, train.y);
    const validation = valEnc ? toTensors(tf, valEnc, data.stats.label, valSoft) : null;
    if (validation) ctx.owned.push(validation.x, validation.y);

    const partner = await this.#connectPartner(ctx, model, train, trainConfig);
    await ctx.phase('training');
    const history: EpochRecord[] = ctx.run.history.slice(0, ctx.checkpoint?.epoch ?? 0);
    let result: FitResult;
    try {
      result = await trainer.fit({
        train,
        validation,
        partner,
        signal: ctx.signal,
        onBatch: (progress) => ctx.onEvent({ kind: 'batch', runId, progress, elapsedMs: ctx.elapsed() }),
        onEpoch: async (log) => {
          history.push({ ...log, numTensors: tf.memory().numTensors });
          const c = await trainer.getCheckpoint();
          // checkpoint and history in one transaction: a reload never finds one without the other
          await db.transaction('rw', [db.runs, db.checkpoints], async () => {
            await db.checkpoints.put({ runId, kind: 'epoch', epoch: c.epoch, data: c, savedAt: Date.now() });
            await db.runs.update(runId, { history: history.slice(), durationMs: ctx.elapsed(), updatedAt: Date.now() });
          });
          ctx.onEvent({ kind: 'epoch', runId, epoch: history[history.length - 1]!, elapsedMs: ctx.elapsed() });
        },
      });
    } finally {
      // the partner's session ends with the fit, however it ends
      partner?.stop();
    }
    return { model, trainer, train, validation, result };
  }

  /**
   * The run's partner worker, set up to take half of every batch: on wasm (the split is for the CPU's
   * cores), for a model the tapeless step trains. Recorded on the run's backend as its worker count.
   * Otherwise, or when the partner cannot build the model, the run trains alone.
   */
  async #connectPartner(ctx: RunContext, model: tfjs.LayersModel, train: TrainTensors, config: TrainConfig): Promise<StepPartner | null> {
    const { tf } = this.#deps;
    const port = ctx.partner;
    if (!port) return null;
    ctx.partner = null;
    const made = tf.getBackend() === 'wasm' ? await partnerSetupOf(tf, model, train, config.batchSize, config.classWeights ?? null, config.task === 'classification') : null;
    if (!made) {
      releasePartner(port);
      return null;
    }
    const partner = await connectPartner(port, made.setup, made.partner);
    if (partner && ctx.run.backend) {
      ctx.run.backend = { ...ctx.run.backend, workers: 2 };
      await ctx.update({ backend: ctx.run.backend });
    }
    return partner;
  }

  /** Metrics on the test split (else validation, else none) and, for a label set with gold, the weak-supervision comparison. */
  async #evaluateRun(
    loaded: LoadedRun,
    model: tfjs.LayersModel,
    valEnc: Encoded | null,
    encodeOptions: EncodeOptions,
    batchSize: number,
  ): Promise<{ metrics: RunMetrics; weakSupervision: RunRecord['weakSupervision'] }> {
    const { tf } = this.#deps;
    const decode = this.#deps.decode;
    const { data, soft } = loaded;
    const evalSplit = data.split.test.length ? 'test' : data.split.validation.length ? 'validation' : null;
    let metrics: RunMetrics = { summary: {}, evaluation: null };
    let weakSupervision: RunRecord['weakSupervision'];
    if (evalSplit) {
      let rows = evalSplit === 'test' ? data.split.test : data.split.validation;
      let enc: Encoded;
      if (soft) {
        // scored against the gold column (test rows without gold are already left out of the test split)
        if (soft.gold) rows = rows.filter((i) => soft.gold![i]! >= 0);
        enc = { ...(await encode(data.stats, data.table, rows, encodeOptions)), y: scoringLabels(soft, rows) };
      } else enc = evalSplit === 'validation' && valEnc ? valEnc : await encode(data.stats, data.table, rows, { decode });
      const evaluated = await evaluateModel(tf, model, data, enc, rows, evalSplit, batchSize);
      metrics = evaluated.metrics;
      if (soft?.goldColumn && rows.length) {
        const t = soft.targets;
        weakSupervision = {
          labelSetId: t.labelSetId,
          labelSetVersion: t.version,
          labelSetKind: t.kind,
          goldColumn: soft.goldColumn,
          rows: rows.length,
          ...weakBaselines(soft, rows, predictLabels(evaluated.outputs, t.classes.length)),
          endModel: metrics.summary.accuracy!,
        };
      }
    }
    return { metrics, weakSupervision };
  }

  /** The final checkpoint and the run marked done, in one transaction. */
  async #finishDone(ctx: RunContext, trainer: Trainer, result: FitResult, metrics: RunMetrics, weakSupervision: RunRecord['weakSupervision']): Promise<void> {
    const { db } = this.#deps;
    const runId = ctx.run.id;
    const final = await trainer.getCheckpoint();
    await db.transaction('rw', [db.runs, db.checkpoints], async () => {
      await db.checkpoints.put({ runId, kind: 'final', epoch: final.epoch, data: final, savedAt: Date.now() });
      await db.runs.update(runId, {
        status: 'done',
        phase: 'finished',
        metrics,
        ...(weakSupervision ? { weakSupervision } : {}),
        fit: { status: result.status, bestEpoch: result.bestEpoch, restoredBest: result.restoredBest },
        durationMs: ctx.elapsed(),
        updatedAt: Date.now(),
      });
    });
    ctx.onEvent({ kind: 'phase', runId, phase: 'finished', elapsedMs: ctx.elapsed() });
  }

  async #finishCancelled(runId: string, durationMs: number): Promise<RunOutcome> {
    const { db } = this.#deps;
    // a cancelled run is not resumed: its checkpoint would only take space
    await db.transaction('rw', [db.runs, db.checkpoints], async () => {
      await db.checkpoints.delete(runId);
      await db.runs.update(runId, { status: 'cancelled', phase: 'finished', durationMs, updatedAt: Date.now() });
    });
    return { runId, status: 'cancelled' };
  }

  async #baseTopology(modelId: string): Promise<object> {
    const a = await this.#deps.db.modelArtifacts.get(modelId);
    return a?.artifacts.modelTopology ?? {};
  }

  /** One batch of the real training rows, for timing the model's step on each backend. */
  #probe(
    stats: PreprocessStats,
    enc: Encoded,
    soft: Float32Array | null,
    build: () => Promise<tfjs.LayersModel>,
    hyper: Hyperparameters,
    model: Parameters<typeof timingKey>[0] | null,
  ): StepProbe {
    const batch = Math.max(1, Math.min(hyper.batchSize, enc.rows));
    const size = enc.featureShape.reduce((a, b) => a * b, 1);
    const outputs = stats.label.task === 'classification' ? stats.label.classes.length : 1;
    const x = enc.x.slice(0, batch * size);
    const y = new Float32Array(batch * outputs);
    for (let i = 0; i < batch; i++) {
      if (soft) y.set(soft.subarray(i * outputs, (i + 1) * outputs), i * outputs);
      else if (stats.label.task === 'classification') y[i * outputs + (enc.y as Int32Array)[i]!] = 1;
      else y[i] = (enc.y as Float32Array)[i]!;
    }
    const step = { featureShape: enc.featureShape, outputs, batch, task: stats.label.task, optimizer: hyper.optimizer };
    return { build, x, y, learningRate: hyper.learningRate, ...step, ...(model ? { key: timingKey(model, step) } : {}) };
  }
}
