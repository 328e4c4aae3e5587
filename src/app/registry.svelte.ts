/**
 * Model versions as the page sees them: live lists of a project's versions and aliases, download of a
 * version as a bundle zip, promotion through the registry's gate, and the Registry stage's page state
 * (import, delete, aliases, "train further"). The Dexie parts run on the page (services/registry.ts);
 * export and import run in the training worker.
 */
import { EvalError } from '../core/evaluate/errors';
import {
  deleteModelVersion,
  GATED_ALIAS,
  listAliases,
  listModels,
  listPromotions,
  removeAlias,
  resolveAlias,
  setAlias,
  SUGGESTED_ALIASES,
  type Promotion,
  type SetAliasOptions,
} from '../services/registry';
import type { ColumnFeatureStats } from '../core/model/preprocess';
import { transformFeature } from '../core/model/preprocess/inputs';
import { knownInputValues } from '../core/transform/known-values';
import { db } from '../store/db';
import type { PredictImage, PredictResult } from '../protocol/train';
import type { AliasRecord, ModelVersionRecord, RunRecord } from '../store/training-records';
import type { StatisticsRecord } from '../store/validation-records';
import { downloadBlob } from './download';
import { errorMessage } from './format';
import { t } from './i18n.svelte';
import { live, type Live } from './live.svelte';
import { href, router } from './router.svelte';
import { draft } from './train.svelte';
import { liveThrottled } from './train-live.svelte';
import { ProjectVersions } from './versions.svelte';
import { trainWorker } from './workers';

export { GATED_ALIAS, SUGGESTED_ALIASES, type Promotion };

/** A project's model versions, newest first (create while a component initializes). */
export function liveModels(projectId: () => string): Live<ModelVersionRecord[]> {
  return live(() => listModels(db(), projectId()), [] as ModelVersionRecord[]);
}

export function liveAliases(projectId: () => string): Live<AliasRecord[]> {
  return live(() => listAliases(db(), projectId()), [] as AliasRecord[]);
}

/** The version the gated alias (production) points at. */
export function liveProduction(projectId: () => string): Live<ModelVersionRecord | undefined> {
  return live(() => resolveAlias(db(), projectId(), GATED_ALIAS), undefined as ModelVersionRecord | undefined);
}

/** Point an alias at a version; production goes through the gate (a blessing, or a written reason). */
export function promote(projectId: string, alias: string, modelId: string, options: SetAliasOptions = {}): Promise<void> {
  return setAlias(db(), projectId, alias, modelId, options);
}

/** Offer a version to the person as a TF.js bundle zip (exported in the training worker). */
export async function downloadModel(modelId: string): Promise<void> {
  const file = await trainWorker.api.exportModel(modelId);
  downloadBlob(file.fileName, new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
}

/** The Registry stage: the list, the selected version, import, download, delete and aliases. */
export class RegistryState {
  readonly models: Live<ModelVersionRecord[]>;
  readonly aliases: Live<AliasRecord[]>;
  readonly runs: Live<RunRecord[]>;
  readonly versions: ProjectVersions;
  /** Each version's standing at the production gate: the evaluation it reads, and whether it blesses, is stale... */
  readonly promotions: Live<Map<string, Promotion>>;

  selectedId = $state<string | null>(null);
  readonly selected = $derived.by(() => this.models.value.find((m) => m.id === this.selectedId) ?? this.models.value[0]);

  importing = $state(false);
  importError = $state.raw<unknown>(null);
  importedId = $state<string | null>(null);
  downloading = $state<string | null>(null);
  downloadError = $state.raw<unknown>(null);
  /** The version the person asked to delete (the confirmation is open). */
  deleting = $state<ModelVersionRecord | null>(null);
  aliasName = $state('staging');
  aliasError = $state('');
  overrideReason = $state('');
  /** Production without a blessing needs a written reason: the form asks for one before it is refused. */
  readonly needsOverride = $derived.by(
    () => !!this.selected && this.aliasName.trim().toLowerCase() === GATED_ALIAS && this.promotionOf(this.selected.id).state !== 'blessed',
  );

  constructor(private readonly projectId: () => string) {
    this.models = liveModels(projectId);
    this.aliases = liveAliases(projectId);
    // runs change every epoch: their names are all the list needs, so re-read them at most every 2 s
    this.runs = liveThrottled(['runs'], projectId, (id) => db().runs.where('projectId').equals(id).toArray(), [] as RunRecord[], 2000);
    this.versions = new ProjectVersions(projectId);
    this.promotions = live(() => listPromotions(db(), projectId()), new Map<string, Promotion>());
  }

  promotionOf(id: string): Promotion {
    return this.promotions.value.get(id) ?? { state: 'not-evaluated' };
  }

  aliasesOf(id: string): AliasRecord[] {
    return this.aliases.value.filter((a) => a.modelId === id).sort((a, b) => a.alias.localeCompare(b.alias));
  }

  async importZip(file: File): Promise<void> {
    this.importing = true;
    this.importError = null;
    this.importedId = null;
    try {
      this.importedId = await trainWorker.api.importModel(this.projectId(), file, file.name);
      this.selectedId = this.importedId;
    } catch (err) {
      this.importError = err;
    } finally {
      this.importing = false;
    }
  }

  async download(m: ModelVersionRecord): Promise<void> {
    this.downloading = m.id;
    this.downloadError = null;
    try {
      await downloadModel(m.id);
    } catch (err) {
      this.downloadError = err;
    } finally {
      this.downloading = null;
    }
  }

  async addAlias(): Promise<void> {
    const selected = this.selected;
    if (!selected) return;
    this.aliasError = '';
    try {
      await promote(this.projectId(), this.aliasName, selected.id, this.needsOverride ? { overrideReason: this.overrideReason } : {});
      this.overrideReason = '';
    } catch (err) {
      this.aliasError = err instanceof EvalError ? errorMessage(err) : t('registry.alias.invalid');
    }
  }

  removeAlias(alias: string): Promise<void> {
    return removeAlias(db(), this.projectId(), alias);
  }

  /** Delete the version the person confirmed. */
  async confirmDelete(): Promise<void> {
    const m = this.deleting;
    this.deleting = null;
    if (!m) return;
    if (this.selectedId === m.id) this.selectedId = null;
    await deleteModelVersion(db(), m.id);
  }

  /** Open the Pipelines page's editor on a new pipeline repeating how this version was made by hand. */
  /** The Tune page opened on the search a model's trial came from. */
  tuneLink(searchId: string): string {
    return href({ page: 'project', projectId: this.projectId(), stage: 'tune', query: { search: searchId } });
  }

  makePipeline(m: ModelVersionRecord): void {
    router.go({ page: 'project', projectId: this.projectId(), stage: 'pipelines', query: { fromModel: m.id } });
  }

  /** Open the Train stage's form on this version, to train it further. */
  trainFurther(m: ModelVersionRecord): void {
    const projectId = this.projectId();
    draft.forProject(projectId);
    draft.baseModelId = m.id;
    draft.open = true;
    draft.touched = true;
    router.go({ page: 'project', projectId, stage: 'train' });
  }
}

/**
 * Try a model version: a row's values as typed, or a drawn image; the training worker encodes it with the
 * model's own preprocessing, predicts, and logs the request (for the Validate stage's skew check).
 */
export class Prediction {
  /** The form's values as text, by column. */
  values = $state<Record<string, string>>({});
  image = $state.raw<PredictImage | null>(null);
  result = $state.raw<PredictResult | null>(null);
  error = $state.raw<unknown>(null);
  busy = $state(false);
  /** A model on a transform: the raw columns the transform reads (the form asks for these). */
  readonly transformInputs = $derived.by(() => transformFeature(this.model().metadata.preprocessing)?.fitted.columns ?? null);
  /**
   * A model on a transform: the values each categorical input is known to take, which the form offers
   * (its fitted vocabulary, else the categories in the dataset's statistics).
   */
  readonly inputChoices = $derived.by(() => {
    const feature = transformFeature(this.model().metadata.preprocessing);
    if (!feature) return new Map<string, string[]>();
    const columns = this.#datasetStats.value?.stats.columns ?? [];
    return knownInputValues(feature.fitted, (name) => {
      const c = columns.find((col) => col.name === name);
      return c?.kind === 'string' ? c.topValues.map((v) => v.value) : [];
    });
  });
  /** The statistics of the model's dataset version, when the Validate stage computed them. */
  readonly #datasetStats: Live<StatisticsRecord | undefined>;
  /** The features read from one column each (every model not on a transform). */
  readonly columnFeatures = $derived.by(() => this.model().metadata.preprocessing.features.filter((f): f is ColumnFeatureStats => f.encoding !== 'transform'));
  /** The model's one image feature, if it takes an image. */
  readonly imageFeature = $derived.by(() => {
    const first = this.model().metadata.preprocessing.features[0];
    return first?.encoding === 'image' ? first : null;
  });
  /** Classes by probability, most likely first. */
  readonly ranked = $derived.by(() => {
    const r = this.result;
    return r?.probabilities ? r.labels!.map((label, i) => ({ label, p: r.probabilities![i]! })).sort((a, b) => b.p - a.p) : [];
  });

  constructor(
    private readonly projectId: () => string,
    private readonly model: () => ModelVersionRecord,
  ) {
    this.#datasetStats = live(() => {
      const model = this.model();
      if (!model.datasetVersionId || !transformFeature(model.metadata.preprocessing)) return undefined;
      return db().statistics.where('versionId').equals(model.datasetVersionId).first();
    }, undefined);
  }

  /** The form's row: every field it shows is given, a blank one empty (a missing value, not a left-out column). */
  #rowValues(): Record<string, string> {
    const typed = $state.snapshot(this.values);
    const shown = this.transformInputs?.map((c) => c.name) ?? this.columnFeatures.map((f) => f.column);
    return { ...Object.fromEntries(shown.map((name) => [name, ''])), ...typed };
  }

  async predict(): Promise<void> {
    const req = { projectId: this.projectId(), modelId: this.model().id };
    this.busy = true;
    this.error = null;
    try {
      this.result = this.imageFeature
        ? await trainWorker.api.predict({ ...req, kind: 'image', image: this.image! })
        : await trainWorker.api.predict({ ...req, kind: 'row', values: this.#rowValues() });
    } catch (err) {
      this.result = null;
      this.error = err;
    } finally {
      this.busy = false;
    }
  }
}
