/**
 * A run whose targets come from a label set (soft labels), on a small synthetic text dataset: which rows
 * it trains and is scored on, the refusals, resume, and the weak-supervision comparison.
 */
import 'fake-indexeddb/auto';
import type * as tfjs from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { TrainError } from '../../../src/core/model/errors';
import { presetById } from '../../../src/core/train/presets';
import { addLabelSet } from '../../../src/services/label-store';
import { loadModelData } from '../../../src/services/model-data';
import { ModelService } from '../../../src/services/registry-model';
import { TrainService } from '../../../src/services/train';
import { loadLabelSet, loadTable, prepareData } from '../../../src/services/train-data';
import { PipetteDB } from '../../../src/store/db';
import type { LabelSetRecord } from '../../../src/store/label-records';
import { createProject } from '../../../src/store/projects';
import { sweepRuns } from '../../../src/store/sweep';
import type { RunConfig } from '../../../src/store/training-records';
import { writeVersion } from '../validate-service/helpers';
import { rng } from '../label/helpers';
import { useCpu } from '../train/helpers';
import { cpuOnly } from './cpu-backend';

let tf: typeof tfjs;
let db: PipetteDB;
let dbCount = 0;
let projectId: string;
let versionId: string;
let set: LabelSetRecord;
let service: TrainService;

const N = 400;
const SPAMMY = ['money', 'free', 'cash', 'offer', 'winner'];
const HAMMY = ['meeting', 'patch', 'lunch', 'review', 'build'];
const FILLER = ['the', 'a', 'of', 'and', 'to', 'in', 'is', 'it'];

/** Rows whose index is a multiple of 4 get no function's vote (not covered). */
const covered = (i: number) => i % 4 !== 0;

beforeAll(async () => {
  tf = await useCpu();
});

beforeEach(async () => {
  db = new PipetteDB(`label-set-run-${dbCount++}`);
  await db.open();
  projectId = (await createProject(db, 'p')).id;
  const rand = rng(7);
  const truth = Array.from({ length: N }, (_, i) => (i % 3 === 0 ? 'spam' : 'ham'));
  const pick = (words: string[]) => words[Math.floor(rand() * words.length)]!;
  const text = truth.map((y) => [pick(y === 'spam' ? SPAMMY : HAMMY), pick(FILLER), pick(FILLER), pick(y === 'spam' ? SPAMMY : HAMMY)].join(' '));
  ({ versionId } = await writeVersion(db, projectId, [
    { name: 'text', type: 'text', values: text },
    { name: 'truth', type: 'categorical', values: truth },
  ]));
  // A label model's output: covered rows only, 85 % probability on the true class except every 10th
  // covered row, which it gets wrong; two functions' votes stored as the Label page saves them.
  const rows = Array.from({ length: N }, (_, i) => i).filter(covered);
  const isSpam = (i: number) => truth[i] === 'spam';
  const wrong = (r: number) => r % 10 === 0;
  const labels = Int32Array.from(rows, (i, r) => (isSpam(i) !== wrong(r) ? 1 : 0));
  const probs = new Float32Array(rows.length * 2);
  labels.forEach((l, r) => {
    probs[r * 2 + l] = 0.85;
    probs[r * 2 + 1 - l] = 0.15;
  });
  const votes = new Int8Array(rows.length * 2).fill(-1);
  labels.forEach((l, r) => (votes[r * 2 + (r % 2)] = l));
  set = await addLabelSet(db, {
    projectId,
    datasetVersionId: versionId,
    kind: 'label-model',
    classes: ['ham', 'spam'],
    note: '',
    data: { schemaId: null, rows: Int32Array.from(rows), labels, probs, lfs: [{ id: 'a', name: 'a' }, { id: 'b', name: 'b' }], votes },
  });
  service = new TrainService({ tf, db, backends: cpuOnly(tf), loadModel: () => Promise.reject(new Error('no base models here')) });
});

afterEach(async () => {
  await db.delete();
});

function config(overrides: Partial<RunConfig> = {}, epochs = 8): RunConfig {
  const preset = presetById('text-bag-of-words')!;
  return {
    name: 'End model',
    task: 'text-classification',
    presetId: preset.id,
    features: [{ column: 'text' }],
    label: 'truth',
    spec: preset.make({ input: { kind: 'tabular', features: 1 }, classes: 2 }),
    baseModelId: null,
    split: { seed: 3, fractions: { train: 0.6, validation: 0.2, test: 0.2 } },
    hyper: { optimizer: 'adam', learningRate: 0.01, batchSize: 16, epochs, patience: 0, classWeights: 'balanced' },
    backend: 'cpu',
    labelSource: { kind: 'labelSet', labelSetId: set.id, goldColumn: 'truth' },
    ...overrides,
  };
}

it('trains on the covered rows of the train split only; the test split holds every test row, covered or not', async () => {
  const loaded = await loadTable(db, versionId, ['text', 'truth']);
  const labelSet = await loadLabelSet(db, config().labelSource);
  const data = await prepareData(loaded, { features: [{ column: 'text' }], label: 'truth', labelTask: 'classification', split: config().split, labelSet });
  const { train, validation, test, excluded } = data.split;
  expect([...train, ...validation].every(covered)).toBe(true);
  expect(test.some((i) => !covered(i))).toBe(true);
  // every row is somewhere: the uncovered rows of train and validation are the excluded ones
  expect(train.length + validation.length + test.length + excluded.length).toBe(N);
  expect([...excluded].every((i) => !covered(i))).toBe(true);
  // the split is over all rows, so about a fifth of the uncovered rows are test rows
  expect(test.filter((i) => !covered(i)).length).toBe(Math.round(0.2 * (N / 4)));
  expect(data.stats.trainRows).toBe(train.length);
  expect(data.stats.label).toMatchObject({ column: 'truth', task: 'classification', classes: ['ham', 'spam'] });
});

it('records the three accuracies on the same test rows; the saved model names its label set', async () => {
  const runId = 'r1';
  expect((await service.start({ runId, projectId, datasetVersionId: versionId, config: config() }, new AbortController().signal)).status).toBe('done');
  const run = (await db.runs.get(runId))!;
  const w = run.weakSupervision!;
  const testRows = run.split!.counts.test;
  expect(w).toMatchObject({ labelSetId: set.id, labelSetVersion: 1, labelSetKind: 'label-model', goldColumn: 'truth', rows: testRows });
  expect(w.coveredRows).toBe(testRows - Math.round(0.2 * (N / 4)));
  expect(w.endModel).toBe(run.metrics!.summary.accuracy);
  // the label model is wrong on every 10th covered row and guesses on the uncovered ones; the words give the
  // end model the truth on all of them
  expect(w.labelModel!).toBeLessThan(0.92);
  expect(w.endModel).toBeGreaterThan(0.97);
  expect(w.majorityVote).not.toBeNull();
  // on the covered test rows alone, counted by hand: both combiners give the set's label, wrong on every
  // 10th covered row (r, its place in the set), and no coin is flipped; the end model still beats them
  const loaded = await loadTable(db, versionId, ['text', 'truth']);
  const { test } = (await prepareData(loaded, { features: [{ column: 'text' }], label: 'truth', labelTask: 'classification', split: config().split, labelSet: await loadLabelSet(db, config().labelSource) })).split;
  const places = [...test].filter(covered).map((i) => i - Math.floor(i / 4) - 1);
  const right = places.filter((r) => r % 10 !== 0).length / places.length;
  expect(places).toHaveLength(w.coveredRows);
  expect(w.covered).toEqual({ majorityVote: right, labelModel: right, endModel: expect.any(Number) });
  expect(w.covered!.endModel!).toBeGreaterThan(right);
  for (const e of run.history) expect(e.numTensors).toBe(run.history[0]!.numTensors);
  const modelId = await new ModelService({ tf, db }).saveRun(runId, '');
  expect((await db.models.get(modelId))!.metadata.lineage.labelSetId).toBe(set.id);
  // later stages (optimize, evaluate) get the run's own test rows back
  const later = await loadModelData(db, { modelId, part: 'test' });
  expect(later.rows.length).toBe(testRows);
  const train = (await loadModelData(db, { modelId, part: 'train' })).rows;
  expect([...train].every(covered)).toBe(true);
});

it('refuses a label set of another version, one naming rows the version lacks, a gold column as a feature, a deleted set', async () => {
  const other = await writeVersion(db, projectId, [
    { name: 'text', type: 'text', values: ['a b', 'c d'] },
    { name: 'truth', type: 'categorical', values: ['ham', 'spam'] },
  ]);
  const code = async (req: Promise<unknown>) => ((await req.then(() => null, (e: unknown) => e)) as TrainError | null)?.code;
  const prepare = (over: Partial<RunConfig>, version = versionId) => {
    const c = config(over);
    return service.prepare({ datasetVersionId: version, features: c.features, label: c.label, labelTask: 'classification', split: c.split, labelSource: c.labelSource });
  };
  expect(await code(prepare({}, other.versionId))).toBe('label-set-version');
  expect(await code(prepare({ features: [{ column: 'text' }, { column: 'truth' }] }))).toBe('gold-feature');
  const bad = await addLabelSet(db, { ...set, data: { ...set.data, rows: Int32Array.from([1, N + 5]) } } as LabelSetRecord);
  const err = await prepare({ labelSource: { kind: 'labelSet', labelSetId: bad.id, goldColumn: 'truth' } }).catch((e: TrainError) => e);
  expect(err).toBeInstanceOf(TrainError);
  expect((err as TrainError).details).toMatchObject({ row: N + 6, params: { rows: N } });
  expect(await code(prepare({ labelSource: { kind: 'labelSet', labelSetId: 'gone', goldColumn: 'truth' } }))).toBe('label-set-missing');
  // and a started run records why it failed
  await expect(service.start({ runId: 'r2', projectId, datasetVersionId: other.versionId, config: config() }, new AbortController().signal)).rejects.toThrow(/another dataset version/);
  expect((await db.runs.get('r2'))!.status).toBe('failed');
});

it('an interrupted label-set run resumes from its checkpoint: same split, same targets, same comparison rows', async () => {
  const runId = 'whole';
  let paused = false;
  const first = service.start({ runId, projectId, datasetVersionId: versionId, config: config({}, 6) }, new AbortController().signal, (e) => {
    if (e.kind === 'batch' && e.progress.epoch >= 2 && !paused) {
      paused = true;
      void service.pause(runId);
    }
  });
  await expect.poll(async () => (await db.runs.get(runId))?.status, { timeout: 20_000 }).toBe('paused');
  const run = (await db.runs.get(runId))!;
  const checkpoint = (await db.checkpoints.get(runId))!;
  await db.runs.add({ ...run, id: 'crashed', status: 'running' });
  await db.checkpoints.add({ ...checkpoint, runId: 'crashed' });
  await service.continue(runId);
  await first;
  expect(await sweepRuns(db)).toBe(1);
  expect((await service.resume('crashed', new AbortController().signal)).status).toBe('done');
  const [whole, resumed] = [(await db.runs.get(runId))!, (await db.runs.get('crashed'))!];
  expect(resumed.history).toHaveLength(6);
  expect(resumed.history.slice(0, checkpoint.epoch)).toEqual(run.history);
  expect(resumed.split).toEqual(whole.split);
  // the end models may differ in the last digits; the rows and both combiners' scores may not
  const { endModel: a, covered: ca, ...restWhole } = whole.weakSupervision!;
  const { endModel: b, covered: cb, ...restResumed } = resumed.weakSupervision!;
  expect(restResumed).toEqual(restWhole);
  expect({ ...cb, endModel: null }).toEqual({ ...ca, endModel: null });
  expect(b).toBeGreaterThan(0.97);
  expect(a).toBeGreaterThan(0.97);
});

it('without a gold column, the covered test rows are scored against the set\'s own labels, and there is no comparison', async () => {
  const c = config({ label: '', labelSource: { kind: 'labelSet', labelSetId: set.id, goldColumn: null } }, 4);
  expect((await service.start({ runId: 'nogold', projectId, datasetVersionId: versionId, config: c }, new AbortController().signal)).status).toBe('done');
  const run = (await db.runs.get('nogold'))!;
  expect(run.weakSupervision).toBeUndefined();
  expect(run.split!.counts.test).toBe(Math.round(0.2 * N) - Math.round(0.2 * (N / 4)));
  // the set is wrong on every 10th covered row, where the end model follows the words: about 0.9 against it
  expect(run.metrics!.summary.accuracy).toBeGreaterThan(0.8);
  expect(run.metrics!.summary.accuracy).toBeLessThan(0.98);
});
