/**
 * A project's records as the lineage reader takes them (core/pipeline/lineage-from-records.ts): the rows
 * of the stages' tables, read in one transaction so they agree with each other, and the project's
 * pipeline MLMD store.
 */
import type { LineageRecords } from '../core/pipeline/lineage-from-records';
import type { MlmdStore } from '../core/pipeline/mlmd';
import type { PipetteDB } from './db';
import { loadMlmd } from './pipeline-records';

export interface ProjectLineage {
  records: LineageRecords;
  pipeline: MlmdStore;
}

export function loadProjectLineage(db: PipetteDB, projectId: string): Promise<ProjectLineage> {
  const tables = [db.datasets, db.versions, db.statistics, db.schemas, db.transforms, db.runs, db.models, db.evaluations, db.aliases, db.tuneSearches, db.tuneTrials, db.mlmd];
  return db.transaction('r', tables, async () => {
    const versions = (await db.versions.where('projectId').equals(projectId).toArray()).filter((v) => v.status === 'ready');
    const statistics = await db.statistics.where('versionId').anyOf(versions.map((v) => v.id)).toArray();
    const tuneSearches = await db.tuneSearches.where('projectId').equals(projectId).toArray();
    const records: LineageRecords = {
      datasets: await db.datasets.where('projectId').equals(projectId).toArray(),
      versions,
      statistics,
      schemas: await db.schemas.where('projectId').equals(projectId).toArray(),
      transforms: await db.transforms.where('projectId').equals(projectId).toArray(),
      runs: await db.runs.where('projectId').equals(projectId).toArray(),
      models: await db.models.where('projectId').equals(projectId).toArray(),
      evaluations: await db.evaluations.where('projectId').equals(projectId).toArray(),
      aliases: await db.aliases.where('projectId').equals(projectId).toArray(),
      tuneSearches,
      tuneTrials: await db.tuneTrials.where('searchId').anyOf(tuneSearches.map((x) => x.id)).toArray(),
    };
    return { records, pipeline: await loadMlmd(db, projectId) };
  });
}
