/**
 * Resume through the whole service (store, split, preprocessing, backend, trainer): a run that crashed after
 * a checkpoint and was resumed ends with exactly the weights of a run that never stopped. Dropout is left
 * out of the model, because TF.js draws its masks from an unseeded generator.
 */
import 'fake-indexeddb/auto';
import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import type { OptimizerName } from '../../../src/core/train/trainer';
import { PipetteDB } from '../../../src/store/db';
import { createProject } from '../../../src/store/projects';
import { sweepRuns } from '../../../src/store/sweep';
import { ModelService } from '../../../src/services/registry-model';
import { TrainService } from '../../../src/services/train';
import type { BackendControl } from '../../../src/services/train-backend';
import { useCpu } from '../train/helpers';
import { crashedCopy, importJson, penguinConfig, penguins, PENGUIN_FEATURES } from './penguins';

let tf: typeof tfjs;
beforeAll(async () => {
  tf = await useCpu();
});

it.each(['adam', 'rmsprop'] as OptimizerName[])('%s: a resumed run ends with exactly the weights of an uninterrupted one', async (optimizer) => {
  const db = new PipetteDB(`resume-${optimizer}`);
  await db.open();
  try {
    const projectId = (await createProject(db, 'P')).id;
    const versionId = await importJson(db, projectId, 'penguins.json', penguins);
    const models = new ModelService({ tf, db });
    const cpuOnly: BackendControl = { reports: async () => [{ name: 'cpu', available: true, msPerStep: 1 }], use: async () => void (await tf.setBackend('cpu')) };
    const service = new TrainService({ tf, db, backends: cpuOnly, loadModel: (id) => models.load(id) });
    const config = penguinConfig(PENGUIN_FEATURES, {}, { epochs: 8, optimizer });
    config.spec = { ...config.spec!, layers: config.spec!.layers.filter((l) => l.type !== 'dropout') };
    const never = new AbortController().signal;

    const { runId, crashedId: crashed, checkpoint } = await crashedCopy(db, service, projectId, versionId, config);
    expect(checkpoint.epoch).toBeGreaterThanOrEqual(3);

    await sweepRuns(db);
    expect((await service.resume(crashed, never)).status).toBe('done');
    const a = (await db.checkpoints.get(runId))!.data.weights;
    const b = (await db.checkpoints.get(crashed))!.data.weights;
    expect(b.map((w) => w.name)).toEqual(a.map((w) => w.name));
    b.forEach((w, i) => expect(Array.from(w.values), w.name).toEqual(Array.from(a[i]!.values)));
    expect((await db.runs.get(crashed))!.history.map((h) => h.loss)).toEqual((await db.runs.get(runId))!.history.map((h) => h.loss));
  } finally {
    await db.delete();
  }
}, 120_000);
