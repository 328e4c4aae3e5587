import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PipetteDB } from '../../../src/store/db';
import { createProject, deleteProject } from '../../../src/store/projects';
import { deleteModelVersion, isValidAlias, listAliases, listModels, removeAlias, resolveAlias, setAlias } from '../../../src/services/registry';
import { deleteRun, listRuns } from '../../../src/services/train-runs';
import type { RunRecord } from '../../../src/store/training-records';
import { addTinyModel } from './tiny-model';

let db: PipetteDB;
let n = 0;
let projectId: string;
beforeEach(async () => {
  db = new PipetteDB(`registry-${n++}`);
  await db.open();
  projectId = (await createProject(db, 'P')).id;
});
afterEach(async () => {
  await db.delete();
});

function add(id: string, runId: string | null = null) {
  return addTinyModel(db, projectId, id, { runId });
}

function run(id: string): RunRecord {
  return {
    id,
    projectId,
    datasetVersionId: 'dv',
    status: 'done',
    config: {} as RunRecord['config'],
    history: [],
    metrics: null,
    durationMs: 1,
    createdAt: Date.now(),
    updatedAt: Date.now(),
  };
}

describe('model versions', () => {
  it('are numbered within the project, and a run is saved once', async () => {
    await db.runs.add(run('r1'));
    expect((await add('m1', 'r1')).version).toBe(1);
    // the same run again: the existing version, nothing new
    expect((await add('m2', 'r1')).id).toBe('m1');
    expect((await add('m3')).version).toBe(2);
    expect((await listModels(db, projectId)).map((m) => m.id)).toEqual(['m3', 'm1']);
    expect((await db.runs.get('r1'))!.modelId).toBe('m1');
    expect((await db.models.get('m1'))!.weightBytes).toBe(8);
  });

  it('aliases point at one version each, move, and are validated', async () => {
    await add('m1');
    await add('m2');
    // these versions were never evaluated: production takes them only with a written reason (the gate
    // itself is tested in tests/unit/evaluate-service)
    await setAlias(db, projectId, 'Production', 'm1', { overrideReason: 'first model, nothing to compare' });
    await setAlias(db, projectId, 'staging', 'm1');
    expect((await resolveAlias(db, projectId, 'production'))?.id).toBe('m1');
    await setAlias(db, projectId, 'production', 'm2', { overrideReason: 'rollout test' });
    expect((await resolveAlias(db, projectId, 'production'))?.id).toBe('m2');
    expect((await db.aliases.get([projectId, 'production']))?.override).toEqual({ reason: 'rollout test', evaluationId: null });
    expect((await listAliases(db, projectId)).map((a) => `${a.alias}->${a.modelId}`).sort()).toEqual(['production->m2', 'staging->m1']);
    await expect(setAlias(db, projectId, 'no spaces', 'm1')).rejects.toThrow(/not a valid alias/);
    await expect(setAlias(db, projectId, 'x', 'nope')).rejects.toThrow(/does not exist/);
    expect(isValidAlias('canary-2')).toBe(true);
    await removeAlias(db, projectId, 'staging');
    expect(await resolveAlias(db, projectId, 'staging')).toBeUndefined();
  });

  it('deleting a version removes its artifacts, aliases and evaluations and frees its run', async () => {
    await db.runs.add(run('r1'));
    await add('m1', 'r1');
    await setAlias(db, projectId, 'production', 'm1', { overrideReason: 'test' });
    await db.evaluations.add({ id: 'e1', projectId, modelId: 'm1' } as never);
    await deleteModelVersion(db, 'm1');
    expect(await db.models.count()).toBe(0);
    expect(await db.modelArtifacts.count()).toBe(0);
    expect(await db.aliases.count()).toBe(0);
    expect(await db.evaluations.count()).toBe(0);
    expect((await db.runs.get('r1'))!.modelId).toBeUndefined();
  });

  it('runs list newest first and delete with their checkpoint; a project takes everything with it', async () => {
    await db.runs.add({ ...run('old'), createdAt: 1 });
    await db.runs.add({ ...run('new'), createdAt: 2 });
    await db.checkpoints.put({ runId: 'old', kind: 'final', epoch: 1, data: {} as never, savedAt: 1 });
    expect((await listRuns(db, projectId)).map((r) => r.id)).toEqual(['new', 'old']);
    await deleteRun(db, 'old');
    expect(await db.checkpoints.count()).toBe(0);
    await add('m1', 'new');
    await deleteProject(db, projectId);
    expect(await db.runs.count()).toBe(0);
    expect(await db.models.count()).toBe(0);
    expect(await db.modelArtifacts.count()).toBe(0);
  });
});
