/**
 * The dataset versions a stage's version picker offers (Label, Validate): grouped by dataset in import
 * order, then by number, with their datasets' names. Create it while a component initializes.
 */
import type { DatasetVersion } from '../store/db';
import { ProjectVersions } from './versions.svelte';

export class StageVersions {
  readonly #all: ProjectVersions;
  /** Versions grouped by dataset (in import order), then by number. */
  readonly ordered = $derived.by(() => {
    const datasets = [...this.#all.datasets].sort((a, b) => a.createdAt - b.createdAt);
    const rank = new Map(datasets.map((d, i) => [d.id, i]));
    return [...this.#all.list].sort((a, b) => (rank.get(a.datasetId) ?? 0) - (rank.get(b.datasetId) ?? 0) || a.version - b.version);
  });
  /** Dataset id -> name. */
  readonly names = $derived.by(() => new Map(this.#all.datasets.map((d) => [d.id, d.name])));

  constructor(projectId: () => string) {
    this.#all = new ProjectVersions(projectId);
  }

  /** Set while the first list of versions has not arrived. */
  get loading(): boolean {
    return this.#all.loading;
  }

  find(id: string): DatasetVersion | undefined {
    return this.ordered.find((v) => v.id === id);
  }

  /** The newest version of the first dataset (the demo's penguins, say): a picker's default. */
  readonly newestOfFirst = $derived.by(() => {
    const first = this.ordered[0];
    const same = first ? this.ordered.filter((v) => v.datasetId === first.datasetId) : [];
    return same.length ? same[same.length - 1]!.id : '';
  });

  /** `chosenId` while it is one of the versions, else the default. */
  chosenOrDefault(chosenId: string): string {
    return this.ordered.some((v) => v.id === chosenId) ? chosenId : this.newestOfFirst;
  }

  /** "penguins v2" */
  versionName(v: DatasetVersion): string {
    return `${this.names.get(v.datasetId) ?? ''} v${v.version}`;
  }
}
