/**
 * The command-line runner against the tab, on the same data: the tab's own service operations (what the
 * tab's pipeline host calls in the data worker: import into the store, the Validate stage's statistics,
 * schema inference and validation, the Transform stage's analyze), on fake-indexeddb, and `pipette run`'s
 * main in this process on the same files. Statistics, schema, anomalies and the fitted transform with its
 * statistics must be equal, exactly (issue 14: "same statistics and anomalies exactly").
 */
import 'fake-indexeddb/auto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import type { PipelineSpec } from '../../../src/core/pipeline/spec';
import { importIntoStore } from '../../../src/services/import';
import { analyzeTransform } from '../../../src/services/transform';
import { computeVersionStats, inferSchemaVersion, validateVersion } from '../../../src/services/validate';
import { PipetteDB } from '../../../src/store/db';
import { createProject } from '../../../src/store/projects';

const root = resolve(import.meta.dirname, '../../..');
const penguinsText = readFileSync(join(root, 'node_modules/vega-datasets/data/penguins.json'), 'utf8');
const penguins = JSON.parse(penguinsText) as Record<string, unknown>[];
// version 2: two penguins on an island the schema has never seen, one without a species
const moved = JSON.stringify(penguins.map((p, i) => (i === 10 || i === 200 ? { ...p, Island: 'Anvers' } : i === 30 ? { ...p, Species: null } : p)));

let work: string;
let db: PipetteDB;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pipette-parity-'));
  db = new PipetteDB('cli-parity');
  await db.open();
});

afterAll(async () => {
  await db.delete();
  rmSync(work, { recursive: true, force: true });
});

async function importText(projectId: string, name: string, text: string): Promise<string> {
  const out = await importIntoStore(db, { jobId: crypto.randomUUID(), projectId, sources: [new File([text], name)], datasetName: 'Palmer penguins' }, new AbortController().signal, () => {}, undefined);
  return out.versionId;
}

function demo(): PipelineSpec {
  const spec = JSON.parse(readFileSync(join(root, 'pipelines/demo.pipeline.json'), 'utf8')) as PipelineSpec;
  spec.components = spec.components.filter((c) => !['Trainer', 'Evaluator', 'Pusher'].includes(c.type));
  return spec;
}

async function run(name: string, spec: PipelineSpec, versions: Record<string, string>): Promise<string> {
  const data = join(work, `data-${name}`);
  mkdirSync(join(data, 'Palmer penguins'), { recursive: true });
  for (const [file, text] of Object.entries(versions)) writeFileSync(join(data, 'Palmer penguins', file), text);
  writeFileSync(join(work, `${name}.json`), JSON.stringify(spec));
  const out = join(work, `out-${name}`);
  const lines: string[] = [];
  const code = await main(['run', join(work, `${name}.json`), '--data', data, '--out', out, '--quiet'], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  expect(lines).toEqual([]);
  expect(code).toBe(0);
  return out;
}

function artifact<T>(out: string, component: string, file: string): T {
  const [execution] = readdirSync(join(out, 'artifacts', component));
  return JSON.parse(readFileSync(join(out, 'artifacts', component, execution!, file), 'utf8')) as T;
}

const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('pipette run and the tab on the same penguins', () => {
  it('statistics, schema and the fitted transform with its statistics are the tab\'s exactly', async () => {
    const project = await createProject(db, 'P');
    const versionId = await importText(project.id, 'penguins.json', penguinsText);
    const out = await run('demo', demo(), { 'penguins.json': penguinsText });

    const tabStats = await computeVersionStats(db, versionId, 'Species');
    expect(artifact(out, 'statistics_gen', 'statistics.json')).toEqual(plain(tabStats));
    const schema = await inferSchemaVersion(db, { projectId: project.id, versionId });
    expect(artifact(out, 'schema_gen', 'schema.json')).toEqual(plain(schema.schema));

    const transform = demo().components.find((c) => c.id === 'transform')!.settings as { name: string; spec: unknown };
    const record = await analyzeTransform(db, { projectId: project.id, datasetVersionId: versionId, labelColumn: 'Species', seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 }, name: transform.name, parentId: null, spec: transform.spec });
    expect(artifact(out, 'transform', 'transform.json')).toEqual(plain(record.fitted));
    expect(artifact(out, 'transform', 'transformed_statistics.json')).toEqual(plain({ stats: record.stats, leftOut: record.statsLeftOut }));
  });

  it('anomalies of a new version against the schema of the first are the Validate stage\'s exactly', async () => {
    const project = await createProject(db, 'Q');
    const first = await importText(project.id, 'penguins.json', penguinsText);
    const second = await importText(project.id, 'penguins-2.json', moved);
    const schema = await inferSchemaVersion(db, { projectId: project.id, versionId: first });
    const tab = await validateVersion(db, { projectId: project.id, versionId: second, schemaId: schema.id });
    // the anomalies themselves: the new island on rows 10 and 200, the missing species on row 30
    expect(tab.anomalies.map((a) => [a.column, a.kind, a.count, a.examples.rows])).toEqual([
      ['Species', 'presence', 1, [30]],
      ['Island', 'out_of_domain', 2, [10, 200]],
    ]);

    const spec = demo();
    Object.assign(spec.components.find((c) => c.id === 'schema_gen')!, { type: 'ImportSchemaGen', settings: { schema: schema.schema }, inputs: {} });
    spec.components.find((c) => c.id === 'example_validator')!.settings = { acceptAnomalies: true };
    const out = await run('moved', spec, { '1.json': penguinsText, '2.json': moved });
    expect(artifact<{ anomalies: unknown }>(out, 'example_validator', 'anomalies.json').anomalies).toEqual(plain(tab.anomalies));
  });
});
