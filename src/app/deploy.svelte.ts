/**
 * The Deploy page's state (issue 15): the project's served names (versions and labels, as the tab's
 * routes serve them), the chosen model's examples with the real URL of this origin (its predict body the
 * first row of the latest version's test split, read from its data), and the log of the requests the tab
 * answered.
 */
import { bundleFileName, servedNames, type ServedName } from '../services/served-list';
import { db } from '../store/db';
import type { AliasRecord, ModelVersionRecord } from '../store/training-records';
import type { StatisticsRecord } from '../store/validation-records';
import { curlExamples, exampleRow, fetchPredictExample, fetchStatusExample, modelUrl, predictBody, rowByColumn } from './deploy-examples';
import { live, type Live } from './live.svelte';
import { liveAliases, liveModels } from './registry.svelte';
import { tabServer } from './serving.svelte';

export class DeployState {
  readonly #projectId: () => string;
  readonly #models: Live<ModelVersionRecord[]>;
  readonly #aliases: Live<AliasRecord[]>;
  readonly served = $derived.by((): ServedName[] => servedNames(this.#models.value, this.#aliases.value));
  /** The model name whose examples are shown ('' for the first). */
  chosen = $state('');
  readonly current = $derived.by(() => this.served.find((s) => s.name === this.chosen) ?? this.served[0] ?? null);
  /** The latest version of the chosen name: what its URL without a version answers. */
  readonly latest = $derived.by(() => this.current?.versions.at(-1)?.record ?? null);
  readonly #stats: Live<StatisticsRecord | undefined>;
  /** This app's base on this origin: the tab's routes are under it. */
  readonly base = new URL('./', location.href).href;
  readonly log = $derived.by(() => tabServer.log.filter((e) => e.projectId === this.#projectId()));
  /** The first test-split row of the latest version's data, by column, once read. */
  #testRow = $state.raw<{ modelId: string; values: Map<string, string | number | boolean | null> } | null>(null);

  readonly examples = $derived.by(() => {
    const model = this.latest;
    if (!model) return null;
    const columns = this.#stats.value?.stats.columns ?? [];
    const real = this.#testRow?.modelId === model.id ? this.#testRow.values : null;
    const row = exampleRow(
      model,
      (name) => {
        const c = columns.find((col) => col.name === name);
        return c?.kind === 'numeric' ? c.median : null;
      },
      (name) => real?.get(name),
    );
    const body = row ? predictBody(row) : null;
    const url = modelUrl(this.base, model.name);
    return {
      url,
      /** The predict body is a real row of the model's data (else known values until it is read). */
      fromData: real !== null,
      status: fetchStatusExample(url),
      metadata: fetchStatusExample(`${url}/metadata`),
      predict: body ? fetchPredictExample(url, body) : null,
      curl: curlExamples(bundleFileName(model.name, model.version), model.name, body),
    };
  });

  constructor(projectId: () => string) {
    this.#projectId = projectId;
    this.#models = liveModels(projectId);
    this.#aliases = liveAliases(projectId);
    this.#stats = live(() => {
      const id = this.latest?.datasetVersionId;
      return id ? db().statistics.where('versionId').equals(id).first() : undefined;
    }, undefined);
    $effect(() => {
      const model = this.latest;
      if (model && exampleRow(model) && this.#testRow?.modelId !== model.id) void this.#readTestRow(model);
    });
  }

  /** The model's first test-split row (the Evaluate stage's evaluation rows), its cells read from its data. */
  async #readTestRow(model: ModelVersionRecord): Promise<void> {
    const versionId = model.datasetVersionId ?? model.metadata.lineage.datasetVersionId;
    if (!versionId) return;
    try {
      const { dataWorker, trainWorker } = await import('./workers');
      const first = (await trainWorker.api.explainSetup({ modelId: model.id, datasetVersionId: null })).rows[0]?.row;
      if (first === undefined) return;
      const [{ columns }, page] = await Promise.all([dataWorker.api.describe(versionId), dataWorker.api.getRows(versionId, first, 1)]);
      this.#testRow = { modelId: model.id, values: rowByColumn(columns, page.rows[0] ?? []) };
    } catch (e) {
      // the examples keep the known values and medians
      console.warn('The example row could not be read from the model\'s data', e);
    }
  }
}
