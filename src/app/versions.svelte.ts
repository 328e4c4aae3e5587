/**
 * A project's ready dataset versions and their datasets, as live queries: the pickers and labels of the
 * Train, Evaluate, Optimize and Registry stages read them. Create it while a component initializes.
 */
import { listVersions } from '../store/datasets';
import { db, type Dataset, type DatasetVersion } from '../store/db';
import { live } from './live.svelte';

export class ProjectVersions {
  readonly #versions;
  readonly #datasets;

  constructor(projectId: () => string) {
    this.#versions = live(() => listVersions(db(), projectId()), [] as DatasetVersion[]);
    this.#datasets = live(() => db().datasets.where('projectId').equals(projectId()).toArray(), [] as Dataset[]);
  }

  /** Newest first. */
  get list(): DatasetVersion[] {
    return this.#versions.value;
  }

  get loading(): boolean {
    return this.#versions.loading;
  }

  get datasets(): Dataset[] {
    return this.#datasets.value;
  }

  find(id: string | null | undefined): DatasetVersion | undefined {
    return this.list.find((v) => v.id === id);
  }

  /** The name of the dataset a version belongs to ('?' while it loads or after it was deleted). */
  datasetName(v: DatasetVersion): string {
    return this.datasets.find((d) => d.id === v.datasetId)?.name ?? '?';
  }
}
