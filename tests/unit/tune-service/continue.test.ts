/**
 * A Hyperband trial promoted from its parent continues from the parent's checkpoint (weights, optimizer
 * state, epoch): trained from the parent's epoch-3 checkpoint to epoch 6 it ends with exactly the weights of
 * the same run trained 6 epochs straight (cpu, no dropout: TF.js draws dropout masks unseeded).
 */
import 'fake-indexeddb/auto';
import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { PipetteDB } from '../../../src/store/db';
import { createProject } from '../../../src/store/projects';
import { ModelService } from '../../../src/services/registry-model';
import { TrainService } from '../../../src/services/train';
import type { BackendControl } from '../../../src/services/train-backend';
import type { TrainEvent } from '../../../src/protocol/train';
import { useCpu } from '../train/helpers';
import { importJson, penguinConfig, penguins, PENGUIN_FEATURES } from '../train-service/penguins';

let tf: typeof tfjs;
beforeAll(async () => {
  tf = await useCpu();
});

it('a run continued from a parent at epoch 3 to epoch 6 equals 6 epochs straight', async () => {
  const db = new PipetteDB('tune-continue');
  await db.open();
  try {
    const projectId = (await createProject(db, 'P')).id;
    const datasetVersionId = await importJson(db, projectId, 'penguins.json', penguins);
    const models = new ModelService({ tf, db });
    const cpuOnly: BackendControl = { reports: async () => [{ name: 'cpu', available: true, msPerStep: 1 }], use: async () => void (await tf.setBackend('cpu')) };
    const service = new TrainService({ tf, db, backends: cpuOnly, loadModel: (id) => models.load(id) });
    const never = new AbortController().signal;
    const configOf = (epochs: number) => {
      const c = penguinConfig(PENGUIN_FEATURES, {}, { epochs });
      return { ...c, spec: { ...c.spec!, layers: c.spec!.layers.filter((l) => l.type !== 'dropout') } };
    };
    const start = (runId: string, config: ReturnType<typeof configOf>, onEvent?: (e: TrainEvent) => void) =>
      service.start({ runId, projectId, datasetVersionId, config }, never, onEvent);

    await start('straight', configOf(6));
    await start('parent', configOf(3));
    const epochs: number[] = [];
    const outcome = await start('child', { ...configOf(6), continueFrom: { runId: 'parent', epoch: 3 } }, (e) => {
      if (e.kind === 'epoch') epochs.push(e.epoch.epoch);
    });
    expect(outcome.status).toBe('done');
    // only epochs 4..6 (0-based 3..5) were trained; the first three are the parent's
    expect(epochs).toEqual([3, 4, 5]);
    const straight = (await db.checkpoints.get('straight'))!.data;
    const child = (await db.checkpoints.get('child'))!.data;
    expect(child.epoch).toBe(6);
    expect(child.weights.map((w) => w.name)).toEqual(straight.weights.map((w) => w.name));
    child.weights.forEach((w, i) => expect(Array.from(w.values), w.name).toEqual(Array.from(straight.weights[i]!.values)));
    const losses = async (id: string) => (await db.runs.get(id))!.history.map((h) => h.loss);
    expect(await losses('child')).toEqual(await losses('straight'));

    // a continuation needs the parent's checkpoint at exactly that epoch
    await expect(start('orphan', { ...configOf(6), continueFrom: { runId: 'parent', epoch: 2 } })).rejects.toMatchObject({ code: 'missing' });
  } finally {
    await db.delete();
  }
}, 120_000);
