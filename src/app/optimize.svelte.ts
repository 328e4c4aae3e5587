/**
 * The Optimize stage's page state: the one optimization job this tab runs at a time (a generic `Job`:
 * progress, cancel, errors) and the outcome of the last job of each method. Module level, so leaving the
 * stage and coming back keeps a running job's progress and its cancel button. `OptimizeView` (the chosen model and its family)
 * and `VariantComparison` (the measured table, export, promotion) belong to the page while it is open.
 */
import type {
  CompareResult,
  DistillOutcome,
  DistillRequest,
  OptimizeProgress,
  OptimizeWorkerApi,
  PruneOutcome,
  PruneRequest,
  QuantizeChoice,
  QuantizeOutcome,
} from '../protocol/optimize';
import type { AliasRecord, ModelVersionRecord } from '../store/training-records';
import { errorMessage } from './format';
import { t } from './i18n.svelte';
import type { Live } from './live.svelte';
import { downloadModel, liveAliases, liveModels, promote } from './registry.svelte';
import { ProjectVersions } from './versions.svelte';
import { trainWorker } from './workers';
import { Job, type CancellableWorker } from './workers/job.svelte';

export type OptimizeMethod = 'quantize' | 'prune' | 'distill';

export type Outcome =
  | { method: 'quantize'; value: QuantizeOutcome }
  | { method: 'prune'; value: PruneOutcome }
  | { method: 'distill'; value: DistillOutcome };

/** A request without its job id (the job gives it one). */
type Settings<R> = Omit<R, 'jobId'>;

/** What the jobs need of the training worker (a fake one in tests). */
export interface OptimizeWorker extends CancellableWorker {
  readonly api: CancellableWorker['api'] & Pick<OptimizeWorkerApi, 'quantizeModel' | 'pruneModel' | 'distillModel'>;
}

export class OptimizeJobs {
  readonly #job: Job<Outcome, OptimizeProgress>;
  /** The running job's method and model (null when idle). */
  running = $state.raw<{ method: OptimizeMethod; modelId: string } | null>(null);
  /** The last outcome, error or cancel per method. */
  outcomes = $state.raw<Partial<Record<OptimizeMethod, Outcome>>>({});
  errors = $state.raw<Partial<Record<OptimizeMethod, unknown>>>({});
  cancelled = $state.raw<Partial<Record<OptimizeMethod, boolean>>>({});

  constructor(private readonly worker: OptimizeWorker) {
    this.#job = new Job(worker);
  }

  get progress(): OptimizeProgress | null {
    return this.running ? this.#job.progress : null;
  }

  quantize(modelId: string, dtype: QuantizeChoice): Promise<boolean> {
    return this.#run('quantize', modelId, async () => ({ method: 'quantize', value: await this.worker.api.quantizeModel({ modelId, dtype }) }));
  }

  prune(req: Settings<PruneRequest>): Promise<boolean> {
    return this.#run('prune', req.modelId, async (jobId, onProgress) => ({ method: 'prune', value: await this.worker.api.pruneModel({ jobId, ...req }, onProgress) }));
  }

  distill(req: Settings<DistillRequest>): Promise<boolean> {
    return this.#run('distill', req.modelId, async (jobId, onProgress) => ({
      method: 'distill',
      value: await this.worker.api.distillModel({ jobId, ...req }, onProgress),
    }));
  }

  /** Run one job; false when another is running (one at a time: they share the worker's backend). */
  async #run(method: OptimizeMethod, modelId: string, work: (jobId: string, onProgress: (p: OptimizeProgress) => void) => Promise<Outcome>): Promise<boolean> {
    if (this.running) return false;
    this.running = { method, modelId };
    this.errors = { ...this.errors, [method]: undefined };
    this.cancelled = { ...this.cancelled, [method]: false };
    try {
      const outcome = await this.#job.start(work);
      // prune and distill end a cancelled job with a 'cancelled' outcome (writing nothing)
      if (this.#job.cancelled || (outcome && 'status' in outcome.value && outcome.value.status === 'cancelled')) {
        this.cancelled = { ...this.cancelled, [method]: true };
      } else if (outcome) {
        this.outcomes = { ...this.outcomes, [method]: outcome };
      } else this.errors = { ...this.errors, [method]: this.#job.error };
    } finally {
      this.running = null;
    }
    return true;
  }

  cancel(): void {
    this.#job.cancel();
  }
}

export const optimizing = new OptimizeJobs(trainWorker);

/** The page's model list and the chosen version with the root of its family (create while a component initializes). */
export class OptimizeView {
  readonly models: Live<ModelVersionRecord[]>;
  readonly aliases: Live<AliasRecord[]>;
  readonly versions: ProjectVersions;
  chosenId = $state<string | null>(null);
  /** Default: the newest version that is not itself a variant. */
  readonly selected = $derived.by(
    () => this.models.value.find((m) => m.id === this.chosenId) ?? this.models.value.find((m) => m.source !== 'optimize') ?? this.models.value[0],
  );
  /** The comparison's root: the first ancestor that is not a variant. */
  readonly root = $derived.by(() => {
    let m = this.selected;
    const seen = new Set<string>();
    while (m && m.source === 'optimize' && m.parentModelId && !seen.has(m.id)) {
      seen.add(m.id);
      const parentId = m.parentModelId;
      const parent = this.models.value.find((p) => p.id === parentId);
      if (!parent) break;
      m = parent;
    }
    return m;
  });

  constructor(projectId: () => string) {
    this.models = liveModels(projectId);
    this.aliases = liveAliases(projectId);
    this.versions = new ProjectVersions(projectId);
  }
}

/**
 * The original and all its variants, measured in the worker; each row can be exported or promoted. It
 * measures again when the family changes, but never alongside an optimization job (they share the worker).
 */
export class VariantComparison {
  readonly job = new Job<CompareResult, { fraction: number }>(trainWorker);
  /** The last measurement; it stays on screen while the family is measured again. */
  result = $state.raw<CompareResult | null>(null);
  measuredCount = $state(1);
  exportError = $state.raw<unknown>(null);
  readonly error = $derived(this.job.error ?? this.exportError);
  exporting = $state<string | null>(null);
  promoteAlias = $state<string>('staging');
  promoteMessage = $state('');
  promoteError = $state('');
  /** Production needs a blessing from an evaluation, or a written reason (the registry's gate). */
  overrideReason = $state('');

  /** The family's ids: a new or deleted variant measures again. */
  readonly familyKey = $derived.by(() => {
    const root = this.root();
    const ids = [root.id];
    for (let i = 0; i < ids.length; i++) for (const m of this.models()) if (m.parentModelId === ids[i] && !ids.includes(m.id)) ids.push(m.id);
    return ids.join(',');
  });

  readonly measuring = $derived(
    this.job.running ? { done: this.job.progress ? Math.round(this.job.progress.fraction * this.measuredCount) + 1 : 0, total: this.measuredCount } : null,
  );

  constructor(
    private readonly projectId: () => string,
    private readonly root: () => ModelVersionRecord,
    private readonly models: () => ModelVersionRecord[],
  ) {
    $effect(() => {
      void this.familyKey;
      if (!optimizing.running) void this.measure();
    });
  }

  versionOf(id: string): number | undefined {
    return this.models().find((m) => m.id === id)?.version;
  }

  async measure(): Promise<void> {
    this.measuredCount = this.familyKey.split(',').length;
    this.exportError = null;
    const rootId = this.root().id;
    // a newer measurement supersedes (and cancels) one in flight
    const r = await this.job.start((jobId, onProgress) => trainWorker.api.compareVariants({ jobId, rootId }, onProgress));
    if (r) this.result = r;
  }

  async exportRow(id: string): Promise<void> {
    this.exporting = id;
    try {
      await downloadModel(id);
    } catch (e) {
      this.exportError = e;
    } finally {
      this.exporting = null;
    }
  }

  async promote(id: string): Promise<void> {
    this.promoteMessage = '';
    this.promoteError = '';
    try {
      await promote(this.projectId(), this.promoteAlias, id, { overrideReason: this.promoteAlias === 'production' ? this.overrideReason : '' });
      this.promoteMessage = t('optimize.compare.promoted', { version: this.versionOf(id) ?? '?', alias: this.promoteAlias });
    } catch (e) {
      this.promoteError = errorMessage(e);
    }
  }
}
