/**
 * The command-line runner's Trainer against the tab's, on the same penguins.json: the tab's Train stage as
 * its pipeline host calls it (app/pipeline-train.ts: the Transform stage's analyze, then the training
 * service's prepareRun and startRun with the Trainer component's layers, model seed and hyperparameters;
 * TrainService on fake-indexeddb, cpu TF.js) and `pipette run`'s main in this process with the demo
 * pipeline. Issue 14 asks for the model metrics "within a stated tolerance".
 *
 * Without dropout both sides are the same computation: the same spec with the same seeds (initializers
 * from modelSeed, each epoch's shuffle from the split's seed) on the same rows, encoded alike, with the
 * same kernels of cpu TF.js in one process. So the demo without its dropout layer must give the tab's
 * epoch history and metrics exactly.
 *
 * With it (the demo as it is), the tolerance: accuracy within 2/51 (two of the 51 test predictions),
 * macro F1 within 0.05, log loss within 0.01. Dropout's masks are drawn unseeded (model-spec/build.ts:
 * a seeded dropout layer would draw the same mask for every batch), so two runs of the same settings
 * differ in their weights and in the epoch early stopping keeps. Four runs of the demo through the CLI
 * gave accuracy 1 each time and log losses from 1.7e-5 to 2.8e-4.
 */
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import type { ComponentSpec, PipelineSpec } from '../../../src/core/pipeline/spec';
import { importIntoStore } from '../../../src/services/import';
import { ModelService } from '../../../src/services/registry-model';
import { TrainService } from '../../../src/services/train';
import type { BackendControl } from '../../../src/services/train-backend';
import { analyzeTransform } from '../../../src/services/transform';
import { PipetteDB } from '../../../src/store/db';
import { createProject } from '../../../src/store/projects';
import type { RunConfig } from '../../../src/store/training-records';

const root = resolve(import.meta.dirname, '../../..');
const penguinsText = readFileSync(join(root, 'node_modules/vega-datasets/data/penguins.json'), 'utf8');
const demo = JSON.parse(readFileSync(join(root, 'pipelines/demo.pipeline.json'), 'utf8')) as PipelineSpec;
const component = <T extends 'Transform' | 'Trainer' | 'ExampleGen'>(id: string) => demo.components.find((c) => c.id === id) as ComponentSpec<T>;

let work: string;
let db: PipetteDB;

interface Trained {
  summary: Record<string, number>;
  history: { loss: number; valLoss: number | null }[];
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pipette-train-parity-'));
  db = new PipetteDB('cli-train-parity');
  await db.open();
  await tf.setBackend('cpu');
});

afterAll(async () => {
  await db.delete();
  rmSync(work, { recursive: true, force: true });
});

/** The tab: what app/pipeline-train.ts's runTrainer asks of the training worker, on the demo's settings. */
async function tabRun(layers: ComponentSpec<'Trainer'>['settings']['layers']): Promise<Trained> {
  const projectId = (await createProject(db, 'P')).id;
  const { versionId } = await importIntoStore(db, { jobId: crypto.randomUUID(), projectId, sources: [new File([penguinsText], 'penguins.json')], datasetName: 'Palmer penguins' }, new AbortController().signal, () => {});
  const examples = component<'ExampleGen'>('example_gen').settings;
  const split = { seed: examples.split.seed, fractions: { ...examples.split.fractions } };
  const t = component<'Transform'>('transform').settings;
  const transform = await analyzeTransform(db, { projectId, datasetVersionId: versionId, labelColumn: 'Species', seed: split.seed, fractions: split.fractions, name: t.name, parentId: null, spec: t.spec });
  const s = component<'Trainer'>('trainer').settings;
  const models = new ModelService({ tf, db });
  const cpuOnly: BackendControl = { reports: async () => [{ name: 'cpu', available: true, msPerStep: 1 }], use: async () => void (await tf.setBackend('cpu')) };
  const train = new TrainService({ tf, db, backends: cpuOnly, loadModel: (id) => models.load(id) });
  const prepared = await train.prepare({ datasetVersionId: versionId, features: [], label: 'Species', labelTask: 'classification', split, transformId: transform.id });
  const config: RunConfig = {
    name: s.name,
    task: s.task,
    presetId: s.presetId,
    features: [],
    label: 'Species',
    spec: { version: 1, input: prepared.input, layers, head: { kind: 'classification', classes: prepared.classes!.length }, seed: s.modelSeed },
    baseModelId: null,
    split,
    hyper: { ...s.hyper },
    backend: s.backend,
    transformId: transform.id,
  };
  const runId = crypto.randomUUID();
  const outcome = await train.start({ runId, projectId, datasetVersionId: versionId, config }, new AbortController().signal);
  expect(outcome.status).toBe('done');
  const run = (await db.runs.get(runId))!;
  return { summary: run.metrics!.summary, history: run.history.map(({ loss, valLoss }) => ({ loss, valLoss })) };
}

/** pipette run's main in this process, on the same file. */
async function nodeRun(name: string, layers: ComponentSpec<'Trainer'>['settings']['layers']): Promise<Trained> {
  const data = join(work, 'data');
  mkdirSync(join(data, 'Palmer penguins'), { recursive: true });
  writeFileSync(join(data, 'Palmer penguins', 'penguins.json'), penguinsText);
  const spec = structuredClone(demo);
  (spec.components.find((c) => c.id === 'trainer') as ComponentSpec<'Trainer'>).settings.layers = layers;
  const pipeline = join(work, `${name}.json`);
  writeFileSync(pipeline, JSON.stringify(spec));
  const out = join(work, `out-${name}`);
  const lines: string[] = [];
  const tensors = tf.memory().numTensors;
  const code = await main(['run', pipeline, '--data', data, '--out', out, '--quiet'], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  expect(lines).toEqual([]);
  expect(code).toBe(0);
  // the Trainer and Evaluator disposed every tensor they made
  expect(tf.memory().numTensors).toBe(tensors);
  const run = JSON.parse(readFileSync(join(out, 'artifacts/trainer/6/model_run.json'), 'utf8')) as { metrics: { summary: Record<string, number> }; history: { loss: number; valLoss: number | null }[] };
  return { summary: run.metrics.summary, history: run.history.map(({ loss, valLoss }) => ({ loss, valLoss })) };
}

describe('pipette run trains as the tab trains', () => {
  it('without dropout, the epoch history and test metrics are the tab\'s exactly', async () => {
    const layers = component<'Trainer'>('trainer').settings.layers.filter((l) => l.type !== 'dropout');
    expect(layers).toHaveLength(2);
    const tab = await tabRun(layers);
    const node = await nodeRun('no-dropout', layers);
    expect(node.history.length).toBeGreaterThan(10);
    expect(node.history).toEqual(tab.history);
    expect(node.summary).toEqual(tab.summary);
  }, 120_000);

  it("the demo as it is (with dropout): its test metrics are the tab's within the stated tolerance", async () => {
    const layers = component<'Trainer'>('trainer').settings.layers;
    const tab = (await tabRun(layers)).summary;
    const node = (await nodeRun('demo', layers)).summary;
    expect(Object.keys(node).sort()).toEqual(Object.keys(tab).sort());
    expect(Math.abs(node.accuracy! - tab.accuracy!)).toBeLessThanOrEqual(2 / 51);
    expect(Math.abs(node.macroF1! - tab.macroF1!)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(node.logLoss! - tab.logLoss!)).toBeLessThanOrEqual(0.01);
  }, 120_000);
});
