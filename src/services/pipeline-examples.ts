/**
 * What a pipeline's ExampleGen reads: its dataset (by id, or by name as the demo and exported pipelines
 * name it) and a ready version of it ("latest" when the run starts, or a fixed one by id or number).
 * Dexie-only, so the page's pipeline host calls it directly. Each refusal is a PipelineError naming the
 * component and the dataset.
 */
import { PipelineError } from '../core/pipeline/errors';
import type { ComponentSpec, VersionRef } from '../core/pipeline/spec';
import type { Dataset, DatasetVersion, PipetteDB } from '../store/db';

export interface ResolvedExamples {
  dataset: Dataset;
  version: DatasetVersion;
}

function versionText(ref: VersionRef): string {
  return ref === 'latest' ? 'latest' : 'id' in ref ? ref.id : String(ref.number);
}

export async function resolveExamples(db: PipetteDB, projectId: string, component: ComponentSpec<'ExampleGen'>): Promise<ResolvedExamples> {
  const { dataset: ref, version: versionRef } = component.settings;
  const named = 'id' in ref ? ref.id : ref.name;
  let dataset: Dataset | undefined;
  if ('id' in ref) {
    const found = await db.datasets.get(ref.id);
    dataset = found?.projectId === projectId ? found : undefined;
  } else {
    const matches = await db.datasets.where('projectId').equals(projectId).filter((d) => d.name === ref.name).toArray();
    if (matches.length > 1) {
      throw new PipelineError('ambiguous-dataset', { component: component.id, params: { dataset: ref.name, count: matches.length } }, `${component.id}: ${matches.length} datasets are named ${ref.name}`);
    }
    dataset = matches[0];
  }
  if (!dataset) throw new PipelineError('no-dataset', { component: component.id, params: { dataset: named } }, `${component.id}: the project has no dataset ${named}`);

  const ready = (await db.versions.where('datasetId').equals(dataset.id).toArray()).filter((v) => v.status === 'ready');
  const version =
    versionRef === 'latest'
      ? ready.reduce<DatasetVersion | undefined>((newest, v) => (!newest || v.version > newest.version ? v : newest), undefined)
      : ready.find((v) => ('id' in versionRef ? v.id === versionRef.id : v.version === versionRef.number));
  if (!version) {
    throw new PipelineError('no-version', { component: component.id, params: { dataset: dataset.name, version: versionText(versionRef) } }, `${component.id}: ${dataset.name} has no ready version ${versionText(versionRef)}`);
  }
  return { dataset, version };
}
