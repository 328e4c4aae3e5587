/**
 * The Deploy page's Monitoring view of one served model name (issue 15): its answered requests (the
 * response log, store/served-responses.ts) summarized by core/serving/monitoring.ts, and the drift of the
 * requests its latest version served against that version's training data — the drift trigger's measure
 * (`servedDrift`), each column against the project's newest schema's drift threshold, else the trigger's
 * default.
 */
import { featureDrift, summarize, type FeatureDrift, type MonitoringSummary } from '../core/serving/monitoring';
import type { ServedDrift } from '../protocol/validate';
import { db } from '../store/db';
import { DEFAULT_DRIFT_THRESHOLD } from '../store/pipeline-triggers';
import { lastServedRequest } from '../store/served-requests';
import { servedResponsesOf, type ServedResponseRecord } from '../store/served-responses';
import type { SchemaVersionRecord } from '../store/validation-records';
import { errorMessage } from './format';
import { live, type Live } from './live.svelte';

export class MonitoringState {
  readonly #responses: Live<ServedResponseRecord[]>;
  readonly #schema: Live<SchemaVersionRecord | undefined>;
  readonly #lastRequestSeq: Live<number | null>;
  readonly summary = $derived.by((): MonitoringSummary => summarize(this.#responses.value));
  /** The latest measurement of the drift; null before one, or with nothing to compare. */
  #drift = $state.raw<ServedDrift | null>(null);
  driftProblem = $state('');
  readonly drift = $derived.by((): FeatureDrift[] => {
    const features = this.#schema.value?.schema.features ?? [];
    return featureDrift(this.#drift?.columns ?? [], (column) => features.find((f) => f.name === column)?.driftThreshold ?? null, DEFAULT_DRIFT_THRESHOLD);
  });
  readonly driftRequests = $derived(this.#drift?.requests ?? 0);

  constructor(projectId: () => string, name: () => string, modelId: () => string | null) {
    this.#responses = live(() => servedResponsesOf(db(), projectId(), name()), []);
    this.#schema = live(() => db().schemas.where('projectId').equals(projectId()).sortBy('version').then((rows) => rows.at(-1)), undefined);
    this.#lastRequestSeq = live(async () => {
      const id = modelId();
      return id ? ((await lastServedRequest(db(), id))?.seq ?? null) : null;
    }, null);
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

  async #measure(projectId: string, modelId: string): Promise<void> {
    try {
      const { dataWorker } = await import('./workers');
      this.#drift = await dataWorker.api.servedDrift({ jobId: crypto.randomUUID(), projectId, modelId });
      this.driftProblem = '';
    } catch (e) {
      this.driftProblem = errorMessage(e);
    }
  }
}
