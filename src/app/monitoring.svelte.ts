/**
 * The Deploy page's Monitoring view of one served model name (issue 15): its answered requests (the
 * response log, store/served-responses.ts) summarized by core/serving/monitoring.ts in the data worker
 * (100,000 logged requests took 83 ms on the main thread), again whenever a new answer is logged; and the
 * drift of the requests its latest version served against that version's training data — the drift
 * trigger's measure (`servedDrift`), each column against the project's newest schema's drift threshold,
 * else the trigger's default. An imported request log (`pipette serve --request-log`) is shown the same
 * way in place of this browser's, until put away. A model that takes its encoded input has no raw columns
 * in its requests: the view says so instead of measuring drift.
 */
import { featureDrift, summarize, type FeatureDrift, type MonitoringSummary } from '../core/serving/monitoring';
import { transformFeature } from '../core/model/preprocess/inputs';
import type { ImportedLog } from '../protocol/monitoring';
import type { ServedDrift } from '../protocol/validate';
import { db } from '../store/db';
import { DEFAULT_DRIFT_THRESHOLD } from '../store/pipeline-triggers';
import { lastServedRequest } from '../store/served-requests';
import { newestServedResponse } from '../store/served-responses';
import type { ModelVersionRecord } from '../store/training-records';
import type { SchemaVersionRecord } from '../store/validation-records';
import { errorMessage } from './format';
import { live, type Live } from './live.svelte';

const dataWorker = async () => (await import('./workers')).dataWorker;

export class MonitoringState {
  readonly #newest: Live<number | null>;
  readonly #schema: Live<SchemaVersionRecord | undefined>;
  readonly #lastRequestSeq: Live<number | null>;
  readonly #model: Live<ModelVersionRecord | undefined>;
  #tabSummary = $state.raw<MonitoringSummary>(summarize([]));
  #summarizing = false;
  #again = false;
  /** The imported log shown in place of this browser's, with its file's name. */
  imported = $state.raw<{ fileName: string; log: ImportedLog } | null>(null);
  importing = $state(false);
  importProblem = $state('');
  readonly summary = $derived(this.imported?.log.summary ?? this.#tabSummary);
  /** The latest measurement of the drift; null before one, or with nothing to compare. */
  #drift = $state.raw<ServedDrift | null>(null);
  driftProblem = $state('');
  summaryProblem = $state('');
  readonly #shownDrift = $derived(this.imported ? this.imported.log.drift : this.#drift);
  readonly drift = $derived.by((): FeatureDrift[] => {
    const features = this.#schema.value?.schema.features ?? [];
    return featureDrift(this.#shownDrift?.columns ?? [], (column) => features.find((f) => f.name === column)?.driftThreshold ?? null, DEFAULT_DRIFT_THRESHOLD);
  });
  readonly driftRequests = $derived(this.#shownDrift?.requests ?? 0);
  /** The latest version takes its encoded input tensor (no raw columns to compare with its training data). */
  readonly encodedInput = $derived.by(() => {
    const model = this.#model.value;
    return model ? transformFeature(model.metadata.preprocessing) === null : false;
  });

  constructor(
    private readonly projectId: () => string,
    private readonly name: () => string,
    private readonly modelId: () => string | null,
  ) {
    this.#newest = live(async () => (await newestServedResponse(db(), projectId(), name()))?.seq ?? null, null);
    this.#schema = live(() => db().schemas.where('projectId').equals(projectId()).sortBy('version').then((rows) => rows.at(-1)), undefined);
    this.#model = live(() => {
      const id = modelId();
      return id ? db().models.get(id) : undefined;
    }, undefined);
    this.#lastRequestSeq = live(async () => {
      const id = modelId();
      return id ? ((await lastServedRequest(db(), id))?.seq ?? null) : null;
    }, null);
    // summarize again whenever a new answer is logged
    $effect(() => {
      if (this.#newest.value !== null) void this.#summarize();
    });
    // measure again whenever the model has served new rows
    $effect(() => {
      const id = modelId();
      const seq = this.#lastRequestSeq.value;
      if (!id || seq === null) {
        this.#drift = null;
        return;
      }
      if (this.#drift?.modelId === id && this.#drift.throughSeq >= seq) return;
      void this.#measure(projectId(), id);
    });
  }

  /** One summary at a time; answers logged meanwhile are summarized once more when it is done. */
  async #summarize(): Promise<void> {
    if (this.#summarizing) {
      this.#again = true;
      return;
    }
    this.#summarizing = true;
    try {
      do {
        this.#again = false;
        this.#tabSummary = await (await dataWorker()).api.servedSummary({ jobId: crypto.randomUUID(), projectId: this.projectId(), name: this.name() });
      } while (this.#again);
    } catch (e) {
      this.summaryProblem = errorMessage(e);
    } finally {
      this.#summarizing = false;
    }
  }

  async #measure(projectId: string, modelId: string): Promise<void> {
    try {
      this.#drift = await (await dataWorker()).api.servedDrift({ jobId: crypto.randomUUID(), projectId, modelId });
      this.driftProblem = '';
    } catch (e) {
      this.driftProblem = errorMessage(e);
    }
  }

  /** Show a request log file (JSON Lines of `pipette serve --request-log`) for this name; a bad line is said, naming it. */
  async importLog(file: File): Promise<void> {
    this.importing = true;
    this.importProblem = '';
    try {
      const log = await (await dataWorker()).api.importLog({ jobId: crypto.randomUUID(), projectId: this.projectId(), name: this.name(), modelId: this.modelId(), file });
      this.imported = { fileName: file.name, log };
    } catch (e) {
      this.importProblem = errorMessage(e);
    } finally {
      this.importing = false;
    }
  }

  /** Back to this browser's log. */
  closeImported(): void {
    this.imported = null;
  }
}
