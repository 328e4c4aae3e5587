/**
 * The command-line runner as CI runs it: built with `npm run build:cli`'s config, started as
 * `node bin/pipette.mjs run ...` in its own Node process on the demo penguins written as CSV files into a
 * temp --data directory, with the demo pipeline cut to its data components (ExampleGen to Transform; the
 * Trainer, Evaluator and Pusher are train.test.ts's). Checked: exit codes, the statistics equal to core's
 * in-process computation on the same CSV, TFX caching on a second run, an anomaly failing the run naming
 * the component and the column, a malformed pipeline refused by its field path, and never a stack trace. The caching and anomaly tests read
 * the --out of the first test (they run in file order, as vitest runs a file's tests).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Papa from 'papaparse';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBatch } from '../../../src/core/data/arrow';
import { importSources } from '../../../src/core/data/import';
import type { EncodedBatch } from '../../../src/core/data/types';
import type { PipelineSpec } from '../../../src/core/pipeline/spec';
import { StatsAccumulator, type DatasetStats, type StringStats } from '../../../src/core/validate';
import { versionStatsOptions } from '../../../src/core/validate/version-stats';

const root = resolve(import.meta.dirname, '../../..');
const DATASET = 'Palmer penguins';
const COLUMNS = ['Species', 'Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'];
const penguins = JSON.parse(readFileSync(join(root, 'node_modules/vega-datasets/data/penguins.json'), 'utf8')) as Record<string, unknown>[];

let work: string;

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function pipette(...args: string[]): Result {
  const r = spawnSync(process.execPath, [join(root, 'bin/pipette.mjs'), ...args], { cwd: work, encoding: 'utf8' });
  // an expected failure is said in words, never as a stack trace
  expect(r.stdout + r.stderr).not.toContain('    at ');
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function csvOf(rows: Record<string, unknown>[], columns = COLUMNS): string {
  return Papa.unparse(rows, { columns });
}

/** --data with the dataset's versions (file name -> CSV text). */
function dataDir(name: string, versions: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(join(dir, DATASET), { recursive: true });
  for (const [file, text] of Object.entries(versions)) writeFileSync(join(dir, DATASET, file), text);
  return dir;
}

/** The demo pipeline cut to its data components; `edit` changes it before it is written. */
function pipelineFile(name: string, edit: (spec: PipelineSpec) => void = () => {}): string {
  const spec = JSON.parse(readFileSync(join(root, 'pipelines/demo.pipeline.json'), 'utf8')) as PipelineSpec;
  spec.components = spec.components.filter((c) => !['Trainer', 'Evaluator', 'Pusher'].includes(c.type));
  edit(spec);
  const path = join(work, name);
  writeFileSync(path, JSON.stringify(spec, null, 2));
  return path;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Every artifact directory under --out, as component/execution. */
function artifactDirs(out: string): string[] {
  return readdirSync(join(out, 'artifacts')).flatMap((c) => readdirSync(join(out, 'artifacts', c)).map((e) => `${c}/${e}`)).sort();
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pipette-cli-'));
  // the real build, as `npm run build:cli` makes it
  await build({ configFile: join(root, 'vite.cli.config.ts'), root, logLevel: 'silent' });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('pipette run', () => {
  it('runs ExampleGen to Transform on a CSV, writes each artifact, and its statistics equal core computed in-process on the same CSV', async () => {
    const csv = csvOf(penguins);
    const data = dataDir('data', { '1-penguins.csv': csv });
    const r = pipette('run', pipelineFile('p.json'), '--data', data, '--out', join(work, 'out'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const id of ['example_gen', 'statistics_gen', 'schema_gen', 'example_validator', 'transform']) expect(r.stdout).toMatch(new RegExp(`^${id} +succeeded +\\d+\\.\\d\\d s$`, 'm'));
    const out = join(work, 'out');
    // one directory per execution, numbered as MLMD numbers them
    expect(artifactDirs(out)).toEqual(['example_gen/1', 'example_validator/4', 'schema_gen/3', 'statistics_gen/2', 'transform/5']);

    const stats = readJson<DatasetStats>(join(out, 'artifacts/statistics_gen/2/statistics.json'));
    // the same CSV through core in this process: the app's importer, the Validate stage's options with the label
    const encoded: EncodedBatch[] = [];
    const summary = await importSources([new File([csv], 'penguins.csv')], { write: async (b) => void encoded.push(b), reset: async () => void (encoded.length = 0) });
    const acc = new StatsAccumulator(summary.columns.map((c) => ({ name: c.name, type: c.type })), versionStatsOptions(summary, 'Species'));
    for (const b of encoded) acc.add(decodeBatch(b.ipc));
    expect(stats).toEqual(JSON.parse(JSON.stringify(acc.finish())));
    // and the published counts: 344 penguins, 152 Adelie, 124 Gentoo, 68 Chinstrap
    expect(stats.rowCount).toBe(344);
    const species = stats.columns.find((c) => c.name === 'Species') as StringStats;
    expect(Object.fromEntries(species.topValues.map((v) => [v.value, v.count]))).toEqual({ Adelie: 152, Gentoo: 124, Chinstrap: 68 });

    // the split: 70/15/15 of 344 rows, stratified by Species
    const split = readJson<{ counts: Record<string, number>; rows: { train: number[] } }>(join(out, 'artifacts/example_gen/1/split.json'));
    expect(split.counts).toEqual({ train: 241, validation: 52, test: 51, excluded: 0 });
    // the transform's mean imputation is the mean over exactly those training rows (239 with a value; Python's
    // sum / len over the same rows of penguins.json gives 43.87907949790795)
    const fitted = readJson<{ steps: { name: string; state: { value?: number } }[] }>(join(out, 'artifacts/transform/5/transform.json'));
    const beaks = split.rows.train.map((r) => penguins[r]!['Beak Length (mm)']).filter((v): v is number => typeof v === 'number');
    const mean = beaks.reduce((a, b) => a + b, 0) / beaks.length;
    expect(beaks).toHaveLength(239);
    expect(fitted.steps.find((s) => s.name === 'm0')!.state.value).toBeCloseTo(mean, 12);

    const run = readJson<{ outcome: string }>(join(out, 'runs', readdirSync(join(out, 'runs'))[0]!));
    expect(run.outcome).toBe('succeeded');
    const mlmd = readJson<{ executions: { lastKnownState: string }[]; artifacts: unknown[] }>(join(out, 'mlmd.json'));
    expect(mlmd.executions.map((e) => e.lastKnownState)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE']);
    expect(mlmd.artifacts).toHaveLength(5);
  });

  it('a table of two record batches whose second brings new categories: examples.arrow keeps every row, and the statistics equal core in-process', async () => {
    // 70,000 rows: the importer cuts record batches of 65,536, and "z0".."z6" first appear in the second
    const lines = ['x,cat,label'];
    for (let i = 0; i < 70_000; i++) lines.push(`${i % 101 === 0 ? '' : ((i * 37) % 1000) / 10},${i >= 65_536 && i % 3 === 0 ? `z${i % 7}` : 'abcde'[(i * 7) % 5]},${i % 2 ? 'p' : 'q'}`);
    const csv = `${lines.join('\n')}\n`;
    const data = join(work, 'data-two');
    mkdirSync(join(data, 'two'), { recursive: true });
    writeFileSync(join(data, 'two', 'rows.csv'), csv);
    const pipeline = pipelineFile('two.json', (spec) => {
      spec.components = spec.components.filter((c) => c.id === 'example_gen' || c.id === 'statistics_gen');
      spec.components[0]!.settings = { dataset: { name: 'two' }, version: 'latest', label: 'label', split: { seed: 7, fractions: { train: 0.7, validation: 0.15, test: 0.15 } } };
    });
    const out = join(work, 'out-two');
    const r = pipette('run', pipeline, '--data', data, '--out', out);
    expect(r.status).toBe(0);
    const stats = readJson<DatasetStats>(join(out, 'artifacts/statistics_gen/2/statistics.json'));
    const encoded: EncodedBatch[] = [];
    const summary = await importSources([new File([csv], 'rows.csv')], { write: async (b) => void encoded.push(b), reset: async () => void (encoded.length = 0) });
    expect(encoded).toHaveLength(2);
    const acc = new StatsAccumulator(summary.columns.map((c) => ({ name: c.name, type: c.type })), versionStatsOptions(summary, 'label'));
    for (const b of encoded) acc.add(decodeBatch(b.ipc));
    expect(stats).toEqual(JSON.parse(JSON.stringify(acc.finish())));
    expect(stats.rowCount).toBe(70_000);
    // z0..z6 on every third row from 65,537 on: 1,488 of them
    const cat = stats.columns.find((c) => c.name === 'cat') as StringStats;
    expect(cat.topValues.filter((v) => v.value.startsWith('z')).reduce((n, v) => n + v.count, 0)).toBe(1488);
  });

  it("SchemaGen's settings: ranges set from the statistics, and value domains only up to maxDomainSize values", () => {
    const pipeline = pipelineFile('ranges.json', (spec) => {
      spec.components = spec.components.filter((c) => ['example_gen', 'statistics_gen', 'schema_gen'].includes(c.id));
      spec.components[2]!.settings = { inferRanges: true, maxDomainSize: 2 };
    });
    const out = join(work, 'out-ranges');
    expect(pipette('run', pipeline, '--data', dataDir('data-ranges', { 'penguins.csv': csvOf(penguins) }), '--out', out).status).toBe(0);
    const schema = readJson<{ features: { name: string; domain: unknown }[] }>(join(out, 'artifacts/schema_gen/3/schema.json'));
    const domain = (name: string) => schema.features.find((f) => f.name === name)!.domain;
    // penguins.json's observed ranges (min and max by Python over the non-null values)
    expect(domain('Body Mass (g)')).toEqual({ kind: 'range', min: 2700, max: 6300 });
    expect(domain('Flipper Length (mm)')).toEqual({ kind: 'range', min: 172, max: 231 });
    // Island has 3 values and Sex 3 (MALE, FEMALE and "." besides the missing ones): more than 2, no domain
    expect(domain('Island')).toBeNull();
    expect(domain('Sex')).toBeNull();
  });

  it('a second run with the same --out reuses every output (TFX caching) and writes no new artifact; a new version runs again', () => {
    const out = join(work, 'out');
    const before = artifactDirs(out);
    const data = join(work, 'data');
    const r = pipette('run', pipelineFile('p.json'), '--data', data, '--out', out);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^example_gen +cached .*\(the outputs of execution 1\)$/m);
    expect(r.stdout).toMatch(/^transform +cached .*\(the outputs of execution 5\)$/m);
    expect(r.stdout).not.toMatch(/succeeded +\d/);
    expect(artifactDirs(out)).toEqual(before);
    const store = readJson<{ store: { executions: { lastKnownState: string }[]; artifacts: unknown[] } }>(join(out, 'mlmd-store.json')).store;
    expect(store.executions.slice(5).map((e) => e.lastKnownState)).toEqual(['CACHED', 'CACHED', 'CACHED', 'CACHED', 'CACHED']);
    expect(store.artifacts).toHaveLength(5);

    // the same rows once more as a new file: ExampleGen resolves "latest" to it and reads it again
    writeFileSync(join(data, DATASET, '2-penguins.csv'), csvOf(penguins));
    const again = pipette('run', pipelineFile('p.json'), '--data', data, '--out', out);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^example_gen +succeeded/m);
    expect(artifactDirs(out)).toHaveLength(10);
  });

  it('a version with a new Island fails the run at the ExampleValidator against the pinned schema: exit 1 naming the component and the column', () => {
    // the schema the first run inferred, pinned in the pipeline as CI would
    const schema = readJson<unknown>(join(work, 'out/artifacts/schema_gen/3/schema.json'));
    const pinned = (accept: boolean) => (spec: PipelineSpec) => {
      const gen = spec.components.find((c) => c.id === 'schema_gen')!;
      Object.assign(gen, { type: 'ImportSchemaGen', settings: { schema }, inputs: {} });
      spec.components.find((c) => c.id === 'example_validator')!.settings = { acceptAnomalies: accept };
    };
    const moved = penguins.map((p, i) => (i === 7 ? { ...p, Island: 'Anvers' } : p));
    const data = dataDir('data-anomaly', { '1-penguins.csv': csvOf(penguins), '2-penguins.csv': csvOf(moved) });
    const out = join(work, 'out-anomaly');
    const r = pipette('run', pipelineFile('pinned.json', pinned(false)), '--data', data, '--out', out);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^example_validator +failed .*example_validator found 1 anomaly \(out_of_domain in "Island"\)/m);
    expect(r.stdout).toMatch(/^transform +succeeded/m);
    const found = readJson<{ anomalies: { column: string; kind: string; count: number; examples: { rows: number[] } }[] }>(join(out, 'artifacts', artifactDirs(out).find((d) => d.startsWith('example_validator/'))!, 'anomalies.json'));
    expect(found.anomalies.map((a) => [a.column, a.kind, a.count, a.examples.rows])).toEqual([['Island', 'out_of_domain', 1, [7]]]);

    // the same with the anomalies accepted in the component's settings: the run succeeds
    const accepted = pipette('run', pipelineFile('accepted.json', pinned(true)), '--data', data, '--out', join(work, 'out-accepted'));
    expect(accepted.status).toBe(0);
  });

  it('a version without the Sex column fails naming the column (missing_column)', () => {
    const schema = readJson<unknown>(join(work, 'out/artifacts/schema_gen/3/schema.json'));
    const data = dataDir('data-missing', { '1-penguins.csv': csvOf(penguins, COLUMNS.filter((c) => c !== 'Sex')) });
    const pipeline = pipelineFile('pinned-missing.json', (spec) => Object.assign(spec.components.find((c) => c.id === 'schema_gen')!, { type: 'ImportSchemaGen', settings: { schema }, inputs: {} }));
    const r = pipette('run', pipeline, '--data', data, '--out', join(work, 'out-missing'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/example_validator found 1 anomaly \(missing_column in "Sex"\)/);
  });

  it('Ctrl+C while ExampleGen imports: exit 130, the run recorded as cancelled, no artifact directory left behind', async () => {
    // 400,000 rows: the import takes long enough for the interrupt to arrive while it runs
    const lines = ['x,cat,label'];
    for (let i = 0; i < 400_000; i++) lines.push(`${i / 7},${'abcde'[i % 5]},${i % 2 ? 'p' : 'q'}`);
    const data = join(work, 'data-large');
    mkdirSync(join(data, 'large'), { recursive: true });
    writeFileSync(join(data, 'large', 'rows.csv'), `${lines.join('\n')}\n`);
    const pipeline = pipelineFile('large.json', (spec) => {
      spec.components = spec.components.filter((c) => c.id === 'example_gen' || c.id === 'statistics_gen');
      spec.components[0]!.settings = { dataset: { name: 'large' }, version: 'latest', label: 'label', split: { seed: 7, fractions: { train: 0.7, validation: 0.15, test: 0.15 } } };
    });
    const out = join(work, 'out-large');
    const child = spawn(process.execPath, [join(root, 'bin/pipette.mjs'), 'run', pipeline, '--data', data, '--out', out], { cwd: work });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      // once: a second Ctrl+C ends the process at once, as in a shell
      if (!interrupted && /^example_gen +running$/m.test(stdout)) interrupted = child.kill('SIGINT');
    });
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stdout + stderr).not.toContain('    at ');
    expect(code).toBe(130);
    expect(stderr).toMatch(/^pipette: run \S+ cancelled \(2 cancelled\)$/m);
    const run = readJson<{ outcome: string; components: Record<string, { state: string }> }>(join(out, 'runs', readdirSync(join(out, 'runs'))[0]!));
    expect(run.outcome).toBe('cancelled');
    expect(run.components.example_gen!.state).toBe('cancelled');
    // nothing half written: no example_gen directory, committed or staged
    expect(existsSync(join(out, 'artifacts')) ? readdirSync(join(out, 'artifacts', 'example_gen')) : []).toEqual([]);
  });

  it("one run at a time per --out; a crashed run's lock and what it left staged are cleared by the next", () => {
    const data = dataDir('data-lock', { 'penguins.csv': csvOf(penguins) });
    const out = join(work, 'out-lock');
    const pipeline = pipelineFile('lock.json', (spec) => void (spec.components = spec.components.slice(0, 2)));
    // what a run killed mid-way leaves: a staged artifact directory and a temp file, and its lock
    mkdirSync(join(out, 'artifacts', 'example_gen', '.1.tmp-99999'), { recursive: true });
    writeFileSync(join(out, 'mlmd-store.json.tmp-99999'), '{"half');
    writeFileSync(join(out, '.pipette.lock'), String(process.pid));
    // the lock's process (this test's) is alive: refused, nothing touched
    const busy = pipette('run', pipeline, '--data', data, '--out', out);
    expect(busy.status).toBe(1);
    expect(busy.stderr).toBe(`pipette: --out ${out} is in use by another pipette run (process ${process.pid})\n`);
    expect(existsSync(join(out, 'artifacts', 'example_gen', '.1.tmp-99999'))).toBe(true);
    // a process that has ended holds it: taken over, the leftovers swept
    const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(out, '.pipette.lock'), ended.stdout);
    const r = pipette('run', pipeline, '--data', data, '--out', out);
    expect(r.status).toBe(0);
    expect(readdirSync(join(out, 'artifacts', 'example_gen'))).toEqual(['1']);
    expect(existsSync(join(out, 'mlmd-store.json.tmp-99999'))).toBe(false);
    expect(existsSync(join(out, '.pipette.lock'))).toBe(false);
  });

  it('a malformed pipeline or bad arguments: exit 2 with the field path, before anything runs', () => {
    const data = join(work, 'data');
    const out = join(work, 'out-bad');
    const bad = pipelineFile('bad.json', (spec) => void ((spec.components[1]!.inputs as unknown as Record<string, unknown>).examples = 'example_gen'));
    const r = pipette('run', bad, '--data', data, '--out', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`pipette: ${bad}: components[1].inputs.examples must be object\n`);
    const settings = pipette('run', pipelineFile('bad-settings.json', (spec) => void (spec.components[0]!.settings = { ...spec.components[0]!.settings, label: 7 } as never)), '--data', data, '--out', out);
    expect(settings.status).toBe(2);
    expect(settings.stderr).toContain('example_gen: setting label must be text');
    const missingOut = pipette('run', bad, '--data', data);
    expect(missingOut.status).toBe(2);
    expect(missingOut.stderr).toContain('--out <dir> is missing');
    // nothing ran, nothing was written
    expect(readdirSync(work)).not.toContain('out-bad');
  });
});
