/**
 * "Make a pipeline from this model" on the page: the records of how a model version was made by hand, read
 * in one transaction so they agree (the model, its training run and transform, the project's datasets,
 * ready versions and schema versions, the model's evaluations), and the pipeline core/pipeline/from-lineage.ts
 * makes of them. The Registry and the Lineage panel open the Pipelines page's editor with it.
 */
import { pipelineFromModel, type FromLineage, type FromLineageRecords } from '../core/pipeline/from-lineage';
import type { PipetteDB } from '../store/db';

export async function modelLineageRecords(db: PipetteDB, projectId: string, modelId: string): Promise<FromLineageRecords> {
  return db.transaction('r', [db.models, db.runs, db.transforms, db.datasets, db.versions, db.schemas, db.evaluations], async () => {
    const model = await db.models.get(modelId);
    const mine = model?.projectId === projectId ? model : undefined;
    const run = mine?.runId ? await db.runs.get(mine.runId) : undefined;
    const transformId = run?.config.transformId;
    const transform = transformId ? await db.transforms.get(transformId) : undefined;
    return {
      models: mine ? [mine] : [],
      runs: run ? [run] : [],
      transforms: transform ? [transform] : [],
      datasets: await db.datasets.where('projectId').equals(projectId).toArray(),
      versions: await db.versions.where('projectId').equals(projectId).filter((v) => v.status === 'ready').toArray(),
      schemas: await db.schemas.where('projectId').equals(projectId).toArray(),
      evaluations: await db.evaluations.where('modelId').equals(modelId).toArray(),
    };
  });
}

export interface PipelineFromModel extends FromLineage {
  /** The model as people name it ("Penguin species v1"). */
  model: string;
  /** The dataset version the run trained on (what a fixed ExampleGen reads). */
  dataset: { name: string; version: number };
}

/** The pipeline repeating how a model was made; refused (a PipelineError) when a pipeline cannot repeat it. */
export async function makePipelineFromModel(db: PipetteDB, projectId: string, modelId: string, version: 'fixed' | 'latest', description: (model: string) => string): Promise<PipelineFromModel> {
  const records = await modelLineageRecords(db, projectId, modelId);
  const m = records.models[0];
  const model = m ? `${m.name} v${m.version}` : modelId;
  const made = pipelineFromModel(records, modelId, { version, description: description(model) });
  // it was made, so the run and its version are there
  const trainedOn = records.versions.find((v) => v.id === records.runs[0]?.datasetVersionId);
  const dataset = { name: records.datasets.find((d) => d.id === trainedOn?.datasetId)?.name ?? '', version: trainedOn?.version ?? 0 };
  return { ...made, model, dataset };
}
