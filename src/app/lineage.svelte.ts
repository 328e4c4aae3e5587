/**
 * Page state of the Pipelines page's Lineage panel: the project's pipeline MLMD store merged with what
 * people did by hand in the stage pages (core/pipeline/lineage-from-records.ts), read live; a model
 * version's lineage back to its data or a dataset version's forward; the three questions; the download.
 */
import { lineageStore } from '../core/pipeline/lineage-from-records';
import { toMlmdJson, type Artifact, type MlmdStore } from '../core/pipeline/mlmd';
import { diffRuns, type ComponentDiff } from '../core/pipeline/mlmd-diff';
import { emptyStore } from '../core/pipeline/mlmd-record';
import { db } from '../store/db';
import { loadProjectLineage, type ProjectLineage } from '../store/lineage-records';
import { downloadText } from './download';
import { live, type Live } from './live.svelte';
import { artifactByUri, layoutLineage, modelsUsing, productionData, runContexts, type LineageLayout } from './lineage-view';

export interface PickOption {
  id: string;
  label: string;
}

export class LineageState {
  readonly #data: Live<ProjectLineage | null>;
  /** What the graph starts from: a model version (upstream) or a dataset version (downstream). */
  mode = $state<'model' | 'version'>('model');
  modelId = $state('');
  versionId = $state('');
  /** The answers shown, once their button is pressed (null: nothing to answer with). */
  productionAnswer = $state.raw<{ model: Artifact; examples: Artifact[] } | null | undefined>(undefined);
  usedByAnswer = $state.raw<Artifact[] | undefined>(undefined);
  runA = $state('');
  runB = $state('');

  constructor(props: () => { projectId: string }) {
    this.#data = live(() => loadProjectLineage(db(), props().projectId), null);
  }

  readonly store: MlmdStore = $derived.by(() => {
    const data = this.#data.value;
    return data ? lineageStore(data.pipeline, data.records) : emptyStore();
  });

  get models(): PickOption[] {
    return [...(this.#data.value?.records.models ?? [])].sort((a, b) => b.version - a.version).map((m) => ({ id: m.id, label: `${m.name} v${m.version}` }));
  }

  get versions(): PickOption[] {
    const records = this.#data.value?.records;
    const names = new Map((records?.datasets ?? []).map((d) => [d.id, d.name]));
    return [...(records?.versions ?? [])].sort((a, b) => b.createdAt - a.createdAt).map((v) => ({ id: v.id, label: `${names.get(v.datasetId) ?? ''} v${v.version}` }));
  }

  get productionModelId(): string | null {
    return this.#data.value?.records.aliases.find((a) => a.alias === 'production')?.modelId ?? null;
  }

  /** The picked model, else production, else the newest; the picked version, else the newest. */
  get pickedModel(): string {
    return this.modelId || this.productionModelId || this.models[0]?.id || '';
  }

  get pickedVersion(): string {
    return this.versionId || this.versions[0]?.id || '';
  }

  readonly layout: LineageLayout | null = $derived.by(() => {
    const start = this.mode === 'model' ? artifactByUri(this.store, `pipette:model/${this.pickedModel}`, 'Model') : artifactByUri(this.store, `pipette:version/${this.pickedVersion}`, 'Examples');
    return start ? layoutLineage(this.store, start.id, this.mode === 'model' ? 'up' : 'down') : null;
  });

  /** The pipeline runs, numbered in order, with the time of their first execution. */
  get runs(): { id: string; n: number; startedAt: number | null }[] {
    const store = this.store;
    return runContexts(store).map((c, i) => {
      const ids = new Set(store.associations.filter((a) => a.contextId === c.id).map((a) => a.executionId));
      const times = store.executions.filter((e) => ids.has(e.id) && e.createTimeSinceEpoch !== undefined).map((e) => e.createTimeSinceEpoch!);
      return { id: String(c.id), n: i + 1, startedAt: times.length > 0 ? Math.min(...times) : null };
    });
  }

  readonly diff: ComponentDiff[] | null = $derived(this.runA && this.runB ? diffRuns(this.store, Number(this.runA), Number(this.runB)) : null);

  askProduction(): void {
    this.productionAnswer = productionData(this.store, this.productionModelId);
  }

  askUsedBy(): void {
    this.usedByAnswer = modelsUsing(this.store, this.pickedVersion);
  }

  download(): void {
    downloadText('lineage.mlmd.json', `${JSON.stringify(toMlmdJson(this.store), null, 2)}\n`);
  }
}
