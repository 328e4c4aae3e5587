/**
 * The Pipelines stage's records (store/pipeline-records.ts) on fake-indexeddb: pipeline versions are
 * immutable and numbered inside the transaction that adds them; a run's record and the project's MLMD
 * store are written together or not at all; the start-up sweep makes a run its tab left 'running'
 * resumable ('interrupted'), not lost.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkPipeline } from '../../../src/core/pipeline/check';
import { emptyStore, MlmdRecorder } from '../../../src/core/pipeline/mlmd-record';
import { newRunRecord } from '../../../src/core/pipeline/runner';
import { PipetteDB } from '../../../src/store/db';
import { addPipelineVersion, listPipelines, loadMlmd, saveRunState, type RunRowInfo } from '../../../src/store/pipeline-records';
import { deleteProject } from '../../../src/store/projects';
import { sweepInterrupted } from '../../../src/store/sweep';
import { demo } from '../pipeline/helpers';

let db: PipetteDB;
let dbCount = 0;
beforeEach(async () => {
  db = new PipetteDB(`pipeline-store-${dbCount++}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

describe('pipeline versions', () => {
  it('numbers versions within their name inside one transaction, even when added at the same time', async () => {
    const other = { ...demo(), name: 'other' };
    const added = await Promise.all([addPipelineVersion(db, 'p1', demo()), addPipelineVersion(db, 'p1', demo()), addPipelineVersion(db, 'p1', other), addPipelineVersion(db, 'p2', demo())]);
    expect(added.map((r) => [r.projectId, r.name, r.version])).toEqual([
      ['p1', 'penguins', 1],
      ['p1', 'penguins', 2],
      ['p1', 'other', 1],
      ['p2', 'penguins', 1],
    ]);
    // listed by name, newest version first
    expect((await listPipelines(db, 'p1')).map((r) => `${r.name} v${r.version}`)).toEqual(['other v1', 'penguins v2', 'penguins v1']);
  });

  it('keeps a version as it was written: a later version never changes an earlier one', async () => {
    const first = await addPipelineVersion(db, 'p1', demo());
    const edited = demo();
    edited.components[0]!.settings = { ...edited.components[0]!.settings, label: 'Island' } as never;
    await addPipelineVersion(db, 'p1', edited);
    const stored = await db.pipelines.get(first.id);
    expect(stored?.spec).toEqual(demo());
    expect((stored?.spec.components[0]!.settings as { label: string }).label).toBe('Species');
  });
});

describe('run state', () => {
  const row: RunRowInfo = { projectId: 'p1', pipelineId: 'pl1', pipelineVersion: 1, trigger: { kind: 'manual' } };

  it('writes the run record and the MLMD store together, as they were when saved', async () => {
    const dag = checkPipeline(demo());
    const run = newRunRecord('r1', dag, 1000);
    const store = emptyStore();
    new MlmdRecorder(store).context('pipeline', 'penguins');
    const saving = saveRunState(db, row, run, store, 2000);
    // the runner goes on changing both while the transaction runs: the saved copies are the ones given
    run.components.example_gen!.state = 'running';
    new MlmdRecorder(store).context('pipeline_run', 'r1');
    await saving;
    const saved = await db.pipelineRuns.get('r1');
    expect(saved).toMatchObject({ id: 'r1', projectId: 'p1', pipelineId: 'pl1', status: 'running', updatedAt: 2000 });
    expect(saved?.components.example_gen?.state).toBe('pending');
    expect((await loadMlmd(db, 'p1')).contexts.map((c) => c.name)).toEqual(['penguins']);
    run.finishedAt = 3000;
    run.outcome = 'succeeded';
    await saveRunState(db, row, run, store, 3000);
    expect((await db.pipelineRuns.get('r1'))?.status).toBe('finished');
    expect((await loadMlmd(db, 'p1')).contexts.map((c) => c.name)).toEqual(['penguins', 'r1']);
  });

  it('writes neither when the MLMD store cannot be written', async () => {
    const run = newRunRecord('r2', checkPipeline(demo()), 1000);
    db.mlmd.hook('creating', () => {
      throw new Error('disk full');
    });
    await expect(saveRunState(db, row, run, emptyStore())).rejects.toThrow();
    expect(await db.pipelineRuns.get('r2')).toBeUndefined();
  });

  it('sweeps a run left running by a closed tab into interrupted, and leaves finished runs alone', async () => {
    const dag = checkPipeline(demo());
    await saveRunState(db, row, newRunRecord('lost', dag, 1000), emptyStore());
    const done = newRunRecord('done', dag, 1000);
    done.outcome = 'failed';
    await saveRunState(db, row, done, emptyStore());
    await sweepInterrupted(db);
    expect((await db.pipelineRuns.get('lost'))?.status).toBe('interrupted');
    expect((await db.pipelineRuns.get('done'))?.status).toBe('finished');
  });

  it('deletes a project with its pipelines, runs and lineage', async () => {
    const project = { id: 'p1', name: 'x', createdAt: 0, updatedAt: 0, scope: { problem: '', target: '', metric: '', baseline: null, baselineSource: '', notes: '' } };
    await db.projects.add(project);
    await addPipelineVersion(db, 'p1', demo());
    await saveRunState(db, row, newRunRecord('r3', checkPipeline(demo()), 1000), emptyStore());
    await deleteProject(db, 'p1');
    expect([await db.pipelines.count(), await db.pipelineRuns.count(), await db.mlmd.count()]).toEqual([0, 0, 0]);
  });
});
