/** Projects and their scope cards. Each change is one transaction. */
import { RecordError } from '../core/record-error';
import { newId, type PipetteDB, type Project, type Scope } from './db';

export const EMPTY_SCOPE: Scope = {
  problem: '',
  target: '',
  metric: '',
  baseline: null,
  baselineSource: '',
  notes: '',
};

export async function createProject(db: PipetteDB, name: string, init: Partial<Project> = {}): Promise<Project> {
  const trimmed = name.trim();
  if (!trimmed) throw new RecordError('name-required', { what: 'project' }, 'A project needs a name.');
  const now = Date.now();
  const project: Project = { id: newId(), createdAt: now, updatedAt: now, scope: { ...EMPTY_SCOPE }, ...init, name: trimmed };
  await db.projects.add(project);
  return project;
}

export async function renameProject(db: PipetteDB, id: string, name: string): Promise<void> {
  const trimmed = name.trim();
  if (!trimmed) throw new RecordError('name-required', { what: 'project' }, 'A project needs a name.');
  await db.projects.update(id, { name: trimmed, updatedAt: Date.now() });
}

export async function saveScope(db: PipetteDB, id: string, scope: Scope): Promise<void> {
  await db.projects.update(id, { scope: { ...scope }, updatedAt: Date.now() });
}

/** Delete a project and everything in it, in one transaction: nothing is left half deleted. */
export async function deleteProject(db: PipetteDB, id: string): Promise<void> {
  const tables = [
    db.projects, db.datasets, db.versions, db.batches, db.jobs,
    db.schemas, db.statistics, db.anomalyDecisions, db.servingRequests,
    db.runs, db.checkpoints, db.models, db.modelArtifacts, db.aliases,
    db.labelSchemas, db.labelEvents, db.labelSets, db.labelingFunctions, db.evaluations,
    db.pipelines, db.pipelineRuns, db.mlmd, db.pipelineTriggers, db.lessonProgress, db.lessonWorkshops,
  ];
  await db.transaction('rw', tables, async () => {
    const versionIds = await db.versions.where('projectId').equals(id).primaryKeys();
    for (const versionId of versionIds) {
      await db.batches.where('versionId').equals(versionId).delete();
      await db.statistics.where('versionId').equals(versionId).delete();
    }
    const runIds = await db.runs.where('projectId').equals(id).primaryKeys();
    await db.checkpoints.bulkDelete(runIds);
    const modelIds = await db.models.where('projectId').equals(id).primaryKeys();
    await db.modelArtifacts.bulkDelete(modelIds);
    for (const table of [
      db.versions, db.datasets, db.jobs, db.schemas, db.anomalyDecisions, db.servingRequests, db.runs, db.models, db.aliases,
      db.labelSchemas, db.labelEvents, db.labelSets, db.labelingFunctions, db.evaluations,
      db.pipelines, db.pipelineRuns, db.pipelineTriggers, db.lessonProgress, db.lessonWorkshops,
    ])
      await table.where('projectId').equals(id).delete();
    await db.mlmd.delete(id);
    await db.projects.delete(id);
  });
}

export function listProjects(db: PipetteDB): Promise<Project[]> {
  return db.projects.orderBy('updatedAt').reverse().toArray();
}
