/** A small project with a record in every kind of table, written straight into a test database. */
import type { PipetteDB } from '../../../src/store/db';

export const ID = {
  project: '10000000-0000-4000-8000-000000000001',
  other: '10000000-0000-4000-8000-000000000002',
  dataset: '20000000-0000-4000-8000-000000000001',
  version: '30000000-0000-4000-8000-000000000001',
  writing: '30000000-0000-4000-8000-000000000002',
  run: '40000000-0000-4000-8000-000000000001',
  model: '50000000-0000-4000-8000-000000000001',
  pipelineRun: '60000000-0000-4000-8000-000000000001',
  schema: '70000000-0000-4000-8000-000000000001',
  search: 'a0000000-0000-4000-8000-000000000001',
};

type AnyTable = { add(r: unknown): Promise<unknown>; bulkAdd(r: unknown[]): Promise<unknown> };
const t = (db: PipetteDB, name: string) => db.table(name) as unknown as AnyTable;

/** Rows of another project, so keys already exist where the import goes. */
export async function seedOther(db: PipetteDB): Promise<void> {
  await t(db, 'projects').add({ id: ID.other, name: 'Other', createdAt: 1, updatedAt: 1, scope: {} });
  await t(db, 'labelEvents').bulkAdd([1, 2, 3].map((row) => ({ projectId: ID.other, datasetVersionId: 'x', labeler: 'me', row, at: row })));
  await t(db, 'servingRequests').add({ projectId: ID.other, modelId: 'x', at: 1, rows: [] });
}

export async function seedProject(db: PipetteDB, batchBytes = 64): Promise<void> {
  const p = ID.project;
  await t(db, 'projects').add({ id: p, name: 'Penguins 企鵝', createdAt: 5, updatedAt: 6, scope: { problem: 'species', baseline: null }, demo: true });
  await t(db, 'datasets').add({ id: ID.dataset, projectId: p, name: 'penguins', createdAt: 7 });
  for (const [id, status] of [[ID.version, 'ready'], [ID.writing, 'writing']] as const)
    await t(db, 'versions').add({ id, datasetId: ID.dataset, projectId: p, version: 1, parentId: null, status, rowCount: 3, columns: [], batchRowCounts: [3], byteSize: batchBytes, warnings: [], createdAt: 8 });
  const ipc = Uint8Array.from({ length: batchBytes }, (_, i) => (i * 37) % 256);
  await t(db, 'batches').bulkAdd([
    { versionId: ID.version, index: 0, rowCount: 3, ipc },
    { versionId: ID.writing, index: 0, rowCount: 3, ipc },
  ]);
  await t(db, 'statistics').add({ versionId: ID.version, labelColumn: 'species', stats: { mean: NaN, top: '99999999-9999-4999-8999-999999999999' } });
  await t(db, 'schemas').add({ id: ID.schema, projectId: p, version: 1, createdAt: 9 });
  await t(db, 'jobs').add({ id: '80000000-0000-4000-8000-000000000001', projectId: p, kind: 'import', status: 'done', progress: 1, label: 'a.csv', output: { versionId: ID.version }, createdAt: 1, updatedAt: 1 });
  const first = (await t(db, 'labelEvents').add({ projectId: p, datasetVersionId: ID.version, labeler: 'me', row: 0, value: 'Adelie', at: 10 })) as number;
  await t(db, 'labelEvents').add({ projectId: p, datasetVersionId: ID.version, labeler: 'me', row: 0, value: null, at: 11, undoes: first });
  await t(db, 'labelSets').add({ id: '90000000-0000-4000-8000-000000000001', projectId: p, datasetVersionId: ID.version, probs: new Float32Array([0.25, 0.75]), createdAt: 12 });
  const seq = (await t(db, 'servingRequests').add({ projectId: p, modelId: ID.model, at: 13, rows: [{ Island: 'Biscoe' }] })) as number;
  await t(db, 'runs').add({ id: ID.run, projectId: p, datasetVersionId: ID.version, status: 'running', config: { baseModelId: null }, history: [{ loss: 0.5 }], createdAt: 14, updatedAt: 14 });
  await t(db, 'checkpoints').add({ runId: ID.run, kind: 'epoch', epoch: 1, data: { weights: [new Float32Array([1, 2, 3])] }, savedAt: 15 });
  await t(db, 'models').add({ id: ID.model, projectId: p, name: 'm', version: 1, runId: ID.run, datasetVersionId: ID.version, parentModelId: null, createdAt: 16 });
  await t(db, 'modelArtifacts').add({ modelId: ID.model, artifacts: { modelTopology: {}, weightSpecs: [], weightData: new Float32Array([0.5, -1]).buffer } });
  await t(db, 'aliases').add({ projectId: p, alias: 'production', modelId: ID.model, updatedAt: 17 });
  await t(db, 'pipelineRuns').add({ id: ID.pipelineRun, projectId: p, pipelineId: 'x', status: 'finished', trigger: { kind: 'drift', modelId: ID.model, throughSeq: seq }, startedAt: 18 });
  await t(db, 'mlmd').add({ projectId: p, store: { artifacts: [{ id: 1, uri: `pipette:model/${ID.model}` }] }, updatedAt: 19 });
  // a tune trial's run is keyed by its search's id and the trial's number (store/tune-records.ts trialRunId)
  await t(db, 'tuneSearches').add({ id: ID.search, projectId: p, name: 's', status: 'running', createdAt: 21, updatedAt: 21 });
  await t(db, 'tuneTrials').add({ searchId: ID.search, id: '1', runId: `${ID.search}-t1`, status: 'running' });
  await t(db, 'runs').add({ id: `${ID.search}-t1`, projectId: p, status: 'done', config: {}, history: [], createdAt: 22, updatedAt: 22 });
  // the trial run of a search since deleted: its key still holds an id to renumber
  await t(db, 'runs').add({ id: 'b0000000-0000-4000-8000-000000000001-t2', projectId: p, status: 'done', config: {}, history: [], createdAt: 23, updatedAt: 23 });
  await t(db, 'lessonProgress').add({ projectId: p, lessonId: 'validation', steps: { stats: 30 }, answers: {}, updatedAt: 30 });
  await t(db, 'lessonWorkshops').add({ projectId: p, lessonIds: ['validation', 'quantization'], updatedAt: 31 });
  await t(db, 'servedResponses').add({ projectId: p, model: 'm', at: 20, version: 1, status: 200, latencyMs: 3, classes: ['Adelie'] });
}

/** How many records each table holds (what a refused import must leave as it was). */
export async function tableCounts(db: PipetteDB): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of db.tables) out[table.name] = await table.count();
  return out;
}
