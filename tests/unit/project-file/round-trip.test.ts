import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src/protocol/jobs';
import { exportProject } from '../../../src/services/project-file-export';
import { importProject } from '../../../src/services/project-file-import';
import { PipetteDB } from '../../../src/store/db';
import { ID, seedOther, seedProject, tableCounts } from './seed';

const dbs: PipetteDB[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});
function open(name: string): PipetteDB {
  const db = new PipetteDB(name);
  dbs.push(db);
  return db;
}
const signal = new AbortController().signal;

describe('project file round trip', () => {
  it('imports every record of the project as a new project with fresh ids, references remapped', async () => {
    const from = open('pf-from');
    await seedOther(from);
    await seedProject(from);
    const exported = await exportProject(from, { jobId: 'e', projectId: ID.project }, signal, () => {});
    expect(exported.fileName).toBe('Penguins-企鵝.pipette');
    // the half-written version and its batch stay behind; the other project's rows are not in the file
    expect(exported.counts).toMatchObject({ projects: 1, versions: 1, batches: 1, labelEvents: 2, servingRequests: 1, runs: 3, tuneSearches: 1, tuneTrials: 1, checkpoints: 1, modelArtifacts: 1, mlmd: 1 });

    const to = open('pf-to');
    await seedOther(to); // its label events hold keys 1..3 and its serving request 1
    const progress: number[] = [];
    const out = await importProject(to, { jobId: 'i', file: exported.file, fileName: exported.fileName }, signal, (p) => progress.push(p.fraction));
    expect(progress.at(-1)).toBeCloseTo(1, 6);
    expect(out.projectId).not.toBe(ID.project);
    expect(out.counts).toEqual(Object.fromEntries(Object.entries(exported.counts).filter(([, n]) => n > 0)));

    const project = (await to.projects.get(out.projectId))!;
    expect(project.name).toBe('Penguins 企鵝');
    expect(project.scope).toEqual({ problem: 'species', baseline: null });
    expect(project.demo).toBeUndefined();
    const [version] = await to.versions.where('projectId').equals(out.projectId).toArray();
    expect(version!.id).not.toBe(ID.version);
    const [batch] = await to.batches.where('versionId').equals(version!.id).toArray();
    expect([...batch!.ipc]).toEqual(Array.from({ length: 64 }, (_, i) => (i * 37) % 256));
    const stats = (await to.statistics.get([version!.id, 'species'])) as unknown as { stats: { mean: number; top: string } };
    expect(Number.isNaN(stats.stats.mean)).toBe(true);
    // a UUID that is data, not one of the file's ids, is kept
    expect(stats.stats.top).toBe('99999999-9999-4999-8999-999999999999');

    // auto-incremented keys move past the ones already there, and what points at them moves along
    const events = await to.labelEvents.where('projectId').equals(out.projectId).sortBy('at');
    // (in the exporting database they were 4 and 5, after the other project's 1..3; here 3 is the largest)
    expect(events.map((e) => e.seq)).toEqual([7, 8]);
    expect(events[1]!.undoes).toBe(7);
    const [request] = await to.servingRequests.where('projectId').equals(out.projectId).toArray();
    expect(request!.seq).toBe(3);
    const [pipelineRun] = await to.pipelineRuns.where('projectId').equals(out.projectId).toArray();
    const [model] = await to.models.where('projectId').equals(out.projectId).toArray();
    expect(pipelineRun!.trigger).toEqual({ kind: 'drift', modelId: model!.id, throughSeq: 3 });

    const [search] = await to.tuneSearches.where('projectId').equals(out.projectId).toArray();
    expect(search!.status).toBe('paused'); // it was running: the Tune page resumes it
    const [trial] = await to.tuneTrials.where('searchId').equals(search!.id).toArray();
    expect(trial!.runId).toBe(`${search!.id}-t1`);
    expect(await to.runs.get(trial!.runId)).toMatchObject({ projectId: out.projectId, status: 'done' });
    const run = await to.runs.where('projectId').equals(out.projectId).filter((r) => r.status !== 'done').first();
    expect(run!.status).toBe('interrupted'); // it was running where it was exported
    expect(model!.runId).toBe(run!.id);
    expect(model!.datasetVersionId).toBe(version!.id);
    const checkpoint = (await to.checkpoints.get(run!.id)) as unknown as { data: { weights: Float32Array[] } };
    expect([...checkpoint.data.weights[0]!]).toEqual([1, 2, 3]);
    const artifacts = (await to.modelArtifacts.get(model!.id))!;
    expect([...new Float32Array(artifacts.artifacts.weightData)]).toEqual([0.5, -1]);
    expect((await to.aliases.get([out.projectId, 'production']))!.modelId).toBe(model!.id);
    const mlmd = (await to.mlmd.get(out.projectId)) as unknown as { store: { artifacts: { uri: string }[] } };
    expect(mlmd.store.artifacts[0]!.uri).toBe(`pipette:model/${model!.id}`);
    const [labelSet] = await to.labelSets.where('projectId').equals(out.projectId).toArray();
    expect((labelSet as unknown as { probs: Float32Array }).probs).toEqual(new Float32Array([0.25, 0.75]));
    expect((await to.jobs.toArray()).filter((j) => j.kind === 'project-import')).toEqual([]);
  });

  it('a workshop file carries the chosen lessons and not the teacher own progress', async () => {
    const from = open('pf-teacher');
    await seedProject(from);
    const full = await exportProject(from, { jobId: 'e', projectId: ID.project }, signal, () => {});
    expect(full.counts).toMatchObject({ lessonProgress: 1, lessonWorkshops: 1 });
    const workshop = await exportProject(from, { jobId: 'w', projectId: ID.project, workshop: true }, signal, () => {});
    expect(workshop.counts.lessonProgress).toBeUndefined();
    const to = open('pf-student');
    const out = await importProject(to, { jobId: 'i', file: workshop.file, fileName: 'workshop.pipette' }, signal, () => {});
    expect(out.workshop).toEqual({ lessons: ['validation', 'quantization'] });
    expect((await to.lessonWorkshops.get(out.projectId))!.lessonIds).toEqual(['validation', 'quantization']);
    expect(await to.lessonProgress.count()).toBe(0);
  });

  it('imports into the browser it came from beside the original, twice, nothing shared', async () => {
    const db = open('pf-same');
    await seedProject(db);
    const { file } = await exportProject(db, { jobId: 'e', projectId: ID.project }, signal, () => {});
    const before = await tableCounts(db);
    const a = await importProject(db, { jobId: 'a', file, fileName: 'p.pipette' }, signal, () => {});
    const b = await importProject(db, { jobId: 'b', file, fileName: 'p.pipette' }, signal, () => {});
    expect(new Set([ID.project, a.projectId, b.projectId]).size).toBe(3);
    const after = await tableCounts(db);
    // two copies of everything but the half-written version and its batch
    expect(after.versions).toBe(before.versions! + 2);
    expect(after.batches).toBe(before.batches! + 2);
    expect(after.labelEvents).toBe(before.labelEvents! + 4);
    expect(after.projects).toBe(3);
  });
  it('an export cancelled half way stops there: it rejects as cancelled, reads no further table and changes nothing', async () => {
    const from = open('pf-cancel');
    await seedProject(from);
    const before = await tableCounts(from);
    const controller = new AbortController();
    const tablesSeen: string[] = [];
    const outcome = await exportProject(from, { jobId: 'e', projectId: ID.project }, controller.signal, (p) => {
      tablesSeen.push(p.table);
      if (p.table === 'batches') controller.abort();
    }).then(
      () => 'finished',
      (e: unknown) => (e instanceof CancelledError ? 'cancelled' : String(e)),
    );
    expect(outcome).toBe('cancelled');
    // nothing reported after the table it was cancelled in
    expect(tablesSeen.at(-1)).toBe('batches');
    expect(await tableCounts(from)).toEqual(before);
  });
});
