/**
 * The whole demo pipeline through the built command-line runner (`bin/pipette.mjs run`, as CI runs it,
 * over this file's own build) on the penguins as CSV: the Trainer, Evaluator and Pusher in Node. Checked: the exit code agrees with
 * blessing.json; the model bundle, loaded with @tensorflow/tfjs alone in this process (model.json, its
 * weight shards, transform.js applying transform.json to the raw rows), predicts the test rows of split.json
 * with exactly the accuracy evaluation.json reports, counted here by hand; the second run is cached through
 * the Trainer and evaluates against the model the first run pushed (aliases.json); a threshold no model
 * can pass (accuracy >= 1.01) exits 1 naming the evaluator and the threshold, and the Pusher does not push.
 * The tests of a file run in order; the later ones read the --out of the first.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineSpec } from '../../../src/core/pipeline/spec';
import { buildOwnCli, ownCliDir, runOwnCli } from './own-build';

const root = resolve(import.meta.dirname, '../../..');
const DATASET = 'Palmer penguins';
const COLUMNS = ['Species', 'Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'];
type Row = Record<string, string | number | null>;
const penguins = JSON.parse(readFileSync(join(root, 'node_modules/vega-datasets/data/penguins.json'), 'utf8')) as Row[];

/** This file's own build of the CLI (own-build.ts says why). */
const cli = ownCliDir('pipette-cli-train-test');
let work: string;
let data: string;

const pipette = (...args: string[]) => runOwnCli(cli, work, ...args);

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** The demo pipeline, changed by `edit`, written to the work directory. */
function pipelineFile(name: string, edit: (spec: PipelineSpec) => void = () => {}): string {
  const spec = readJson<PipelineSpec>(join(root, 'pipelines/demo.pipeline.json'));
  edit(spec);
  const path = join(work, name);
  writeFileSync(path, JSON.stringify(spec, null, 2));
  return path;
}

interface Blessing {
  blessed: boolean;
  baseline: string | null;
  reasons: { metric: string; passed: boolean; code: string; value: number; bound?: number; baseline?: number }[];
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pipette-cli-train-'));
  data = join(work, 'data');
  mkdirSync(join(data, DATASET), { recursive: true });
  writeFileSync(join(data, DATASET, 'penguins.csv'), Papa.unparse(penguins, { columns: COLUMNS }));
  await buildOwnCli(cli);
  await tf.setBackend('cpu');
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(cli, { recursive: true, force: true });
});

describe('pipette run trains, evaluates and pushes', () => {
  it('runs the demo pipeline end to end; the exit code agrees with the blessing, and the bundle predicts the test rows with the accuracy evaluation.json reports', async () => {
    const out = join(work, 'out');
    const r = pipette('run', join(root, 'pipelines/demo.pipeline.json'), '--data', data, '--out', out);
    for (const id of ['trainer', 'evaluator', 'pusher']) expect(r.stdout).toMatch(new RegExp(`^${id} +succeeded +\\d+\\.\\d\\d s$`, 'm'));
    const blessing = readJson<Blessing>(join(out, 'artifacts/evaluator/7/blessing.json'));
    expect(r.status).toBe(blessing.blessed ? 0 : 1);
    // the first model of this --out: no baseline, so the relative threshold passes as the tab's does without one
    expect(blessing.baseline).toBeNull();
    expect(blessing.reasons.map((x) => [x.metric, x.code])).toEqual([
      ['accuracy', blessing.reasons[0]!.passed ? 'absolute-pass' : 'absolute-fail'],
      ['accuracy', 'no-baseline'],
    ]);

    // the bundle with @tensorflow/tfjs alone: model.json and its shards, transform.js on the raw test rows
    const modelDir = join(out, 'artifacts/trainer/6/model');
    expect(readdirSync(modelDir).sort()).toEqual(['README.md', 'group1-shard1of1.bin', 'metadata.json', 'model.json', 'transform.js', 'transform.json']);
    const modelJson = readJson<{ modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] }>(join(modelDir, 'model.json'));
    const weights = Buffer.concat(modelJson.weightsManifest[0]!.paths.map((p) => readFileSync(join(modelDir, p))));
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0]!.weights, weightData: new Uint8Array(weights).buffer }));
    const reader = (await import(pathToFileURL(join(modelDir, 'transform.js')).href)) as { applyToRows: (fitted: unknown, rows: Row[]) => { features: Float32Array; rows: number; dim: number } };
    const metadata = readJson<{ labels: string[] }>(join(modelDir, 'metadata.json'));
    const split = readJson<{ rows: { test: number[] } }>(join(out, 'artifacts/example_gen/1/split.json'));
    const raw = split.rows.test.map((i) => Object.fromEntries(Object.entries(penguins[i]!).filter(([k]) => k !== 'Species')));
    const { features, rows, dim } = reader.applyToRows(readJson(join(modelDir, 'transform.json')), raw);
    const probs = tf.tidy(() => (model.predict(tf.tensor2d(features, [rows, dim])) as tf.Tensor).dataSync());
    model.dispose();
    let right = 0;
    split.rows.test.forEach((row, r) => {
      const p = Array.from(probs.slice(r * metadata.labels.length, (r + 1) * metadata.labels.length));
      if (metadata.labels[p.indexOf(Math.max(...p))] === penguins[row]!.Species) right++;
    });
    expect(rows).toBe(51);
    const evaluation = readJson<{ rows: number; sliced: { overall: { count: number; metrics: Record<string, { value: number }> } } }>(join(out, 'artifacts/evaluator/7/evaluation.json'));
    expect(evaluation.sliced.overall.count).toBe(51);
    expect(evaluation.sliced.overall.metrics.accuracy!.value).toBe(right / 51);
    // the Trainer's own test metrics say the same
    const run = readJson<{ metrics: { summary: { accuracy: number } }; history: { numTensors: number }[]; fit: { epochs: number } }>(join(out, 'artifacts/trainer/6/model_run.json'));
    expect(run.metrics.summary.accuracy).toBe(right / 51);
    // nothing leaks from epoch to epoch
    expect(new Set(run.history.map((h) => h.numTensors)).size).toBe(1);

    const pushed = readJson<{ pushed: boolean; alias: string; model: string }>(join(out, 'artifacts/pusher/8/pushed_model.json'));
    expect(pushed.pushed).toBe(blessing.blessed);
    const aliases = existsSync(join(out, 'aliases.json')) ? readJson<{ aliases: Record<string, { uri: string }> }>(join(out, 'aliases.json')).aliases : {};
    expect(aliases.production?.uri).toBe(blessing.blessed ? 'artifacts/trainer/6' : undefined);
  }, 120_000);

  it('a second run is cached through the Trainer, and its Evaluator compares with the model the first run pushed', () => {
    const out = join(work, 'out');
    const before = readdirSync(join(out, 'artifacts/trainer'));
    const r = pipette('run', join(root, 'pipelines/demo.pipeline.json'), '--data', data, '--out', out);
    for (const id of ['example_gen', 'transform', 'trainer']) expect(r.stdout).toMatch(new RegExp(`^${id} +cached `, 'm'));
    expect(readdirSync(join(out, 'artifacts/trainer'))).toEqual(before);
    // production moved to the first run's model, so the Evaluator's resolved baseline (its cache key) changed
    expect(r.stdout).toMatch(/^evaluator +succeeded /m);
    const evaluator = readdirSync(join(out, 'artifacts/evaluator')).map(Number).sort((a, b) => b - a)[0]!;
    const blessing = readJson<Blessing>(join(out, `artifacts/evaluator/${evaluator}/blessing.json`));
    expect(blessing.baseline).toBe('artifacts/trainer/6');
    // the same model against itself: its accuracy is the baseline's, well within the 0.02 tolerance
    expect(blessing.reasons[1]).toMatchObject({ code: 'relative-pass', passed: true });
    expect(blessing.reasons[1]!.baseline).toBe(blessing.reasons[1]!.value);
    // the candidate and its baseline are the first run's model on the same examples: their metrics are kept
    // from the first run (memo/evaluations), not predicted again, and equal the first run's evaluation
    const record = readJson<{ components: Record<string, { log: string[] }> }>(/record in (\S+)$/m.exec(r.stdout)![1]!);
    expect(record.components.evaluator!.log.filter((l) => l.includes('kept from an earlier run'))).toHaveLength(2);
    const first = readdirSync(join(out, 'artifacts/evaluator')).map(Number).sort((a, b) => a - b)[0]!;
    const evaluation = (n: number) => readJson<{ sliced: unknown }>(join(out, `artifacts/evaluator/${n}/evaluation.json`)).sliced;
    expect(evaluation(evaluator)).toEqual(evaluation(first));
    expect(r.status).toBe(0);
  }, 120_000);

  it('a threshold no model can pass (accuracy >= 1.01): exit 1 naming the evaluator and the threshold, and the Pusher does not push', () => {
    const out = join(work, 'out-strict');
    const strict = pipelineFile('strict.json', (spec) => {
      spec.components.find((c) => c.id === 'evaluator')!.settings = { thresholds: [{ kind: 'absolute', metric: 'accuracy', op: '>=', value: 1.01 }] };
    });
    const r = pipette('run', strict, '--data', data, '--out', out, '--quiet');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^pipette: run \S+ finished in \d+\.\d\d s \(8 succeeded\), but evaluator: the model artifacts\/trainer\/6 is not blessed: accuracy >= 1\.01 \(was \d\.\d{4}\) failed; pusher: not pushed \(not-blessed\)$/m);
    expect(readJson<Blessing>(join(out, 'artifacts/evaluator/7/blessing.json')).blessed).toBe(false);
    expect(readJson(join(out, 'artifacts/pusher/8/pushed_model.json'))).toMatchObject({ pushed: false, reason: 'not-blessed', alias: 'production' });
    expect(existsSync(join(out, 'aliases.json'))).toBe(false);
  }, 120_000);
});
