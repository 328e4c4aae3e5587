/**
 * Training on a label set (issue 5, soft labels) through the real service path: the spam demo's
 * labeling functions, the label model saved as a label set, and an end model trained by the training
 * service on the set's probabilities, scored with majority vote and the label model on the same test rows.
 */
import 'fake-indexeddb/auto';
import type * as tfjs from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ModelSpec } from '../../../src/core/model/model-spec';
import { presetById } from '../../../src/core/train/presets';
import { importIntoStore } from '../../../src/services/import';
import { LabelService } from '../../../src/services/label';
import { addSpamDemoFunctions } from '../../../src/services/label-store';
import { TrainService } from '../../../src/services/train';
import { PipetteDB } from '../../../src/store/db';
import type { LabelSetRecord } from '../../../src/store/label-records';
import { createProject } from '../../../src/store/projects';
import type { RunConfig } from '../../../src/store/training-records';
import { buildDemoData } from '../../../scripts/demo-data';
import { nodeWorker } from '../label/node-worker';
import { useCpu } from '../train/helpers';
import { cpuOnly } from './cpu-backend';

let tf: typeof tfjs;
let db: PipetteDB;
let projectId: string;
let versionId: string;
let set: LabelSetRecord;
let service: TrainService;

beforeAll(async () => {
  tf = await useCpu();
  const dir = fileURLToPath(new URL('../../../public/demo/', import.meta.url));
  if (!existsSync(`${dir}spam.csv`)) buildDemoData(dir);
  db = new PipetteDB('weak-spam');
  await db.open();
  projectId = (await createProject(db, 'Spam')).id;
  const csv = readFileSync(`${dir}spam.csv`);
  ({ versionId } = await importIntoStore(db, { jobId: 'import', projectId, sources: [new File([csv], 'spam.csv')] }, new AbortController().signal, () => {}));
  await addSpamDemoFunctions(db, projectId);
  const labels = new LabelService(db, null, nodeWorker);
  const run = await labels.runLabelingFunctions({ jobId: 'lf', projectId, versionId, gold: { kind: 'column', column: 'label' }, timeoutMs: 20_000 });
  set = await labels.saveWeakLabels(run.runId, 'label-model');
  service = new TrainService({ tf, db, backends: cpuOnly(tf), loadModel: () => Promise.reject(new Error('no base models here')) });
}, 180_000);

afterAll(async () => {
  await db?.delete();
});

function withoutDropout(spec: ModelSpec): ModelSpec {
  return { ...spec, layers: spec.layers.filter((l) => l.type !== 'dropout') };
}

function config(overrides: Partial<RunConfig> = {}): RunConfig {
  const preset = presetById('text-bag-of-words')!;
  return {
    name: 'End model',
    task: 'text-classification',
    presetId: preset.id,
    features: [{ column: 'subject' }, { column: 'body' }],
    label: 'label',
    // without the preset's dropout, whose unseeded masks moved the end model's accuracy on the covered rows
    // by about 1 % from run to run (0.9205-0.9332 over three runs), as much as its margin over the label model
    spec: withoutDropout(preset.make({ input: { kind: 'tabular', features: 1 }, classes: 2 })),
    baseModelId: null,
    split: { seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } },
    hyper: { optimizer: 'adam', learningRate: 0.005, batchSize: 32, epochs: 6, patience: 0, classWeights: 'none' },
    backend: 'cpu',
    labelSource: { kind: 'labelSet', labelSetId: set.id, goldColumn: 'label' },
    ...overrides,
  };
}

it('trains an end model on the label model\'s probabilities; end model > label model >= majority vote on the same test rows', async () => {
  const runId = 'weak-1';
  const out = await service.start({ runId, projectId, datasetVersionId: versionId, config: config() }, new AbortController().signal);
  expect(out.status).toBe('done');
  const run = (await db.runs.get(runId))!;
  const w = run.weakSupervision!;
  console.log(
    `spam end model (service, cpu): test rows ${w.rows} (${w.coveredRows} covered); majority vote ${w.majorityVote?.toFixed(4)}, ` +
      `label model ${w.labelModel?.toFixed(4)}, end model ${w.endModel.toFixed(4)}; split ${JSON.stringify(run.split?.counts)}; ` +
      `covered rows only: majority vote ${w.covered?.majorityVote?.toFixed(4)}, label model ${w.covered?.labelModel?.toFixed(4)}, end model ${w.covered?.endModel?.toFixed(4)}`,
  );
  expect(run.metrics!.summary.accuracy).toBe(w.endModel);
  expect(w.endModel).toBeGreaterThan(w.labelModel!);
  expect(w.labelModel!).toBeGreaterThanOrEqual(w.majorityVote!);
  // the same order on the covered rows alone, where no method flips a coin. Measured (cpu, 6 epochs, 868 of
  // 907 test rows covered, the same in two runs now that nothing is random): majority vote 0.9182, label
  // model 0.9217, end model 0.9274, i.e. 797, 800 and 805 rows right.
  const c = w.covered!;
  expect(c.majorityVote!).toBeGreaterThan(0.9);
  expect(c.labelModel!).toBeGreaterThanOrEqual(c.majorityVote!);
  expect(c.endModel!).toBeGreaterThanOrEqual(c.labelModel!);
}, 300_000);
