/**
 * StatisticsGen, SchemaGen, ImportSchemaGen and ExampleValidator in Node, with the Validate stage's core
 * and its options for a whole version (core/validate/version-stats.ts), so statistics and anomalies equal
 * the tab's exactly. The ExampleValidator validates the rows the statistics were computed from (their
 * artifact names its examples), as the Validate stage does: one pass of statistics plus row checks, so
 * anomaly counts are exact and examples are real row numbers.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PipelineError } from '../core/pipeline/errors';
import type { ArtifactRef, OutputArtifact } from '../core/pipeline/runner';
import type { ComponentSpec } from '../core/pipeline/spec';
import { missing } from '../core/record-error';
import { inferSchema, parseSchema, serializeSchema, setRangesFromStats, StatsAccumulator, Validator, type DatasetStats, type Schema } from '../core/validate';
import { versionStatsOptions } from '../core/validate/version-stats';
import { readExamples, specsOf } from './examples';
import { writeAtomic, writeJsonAtomic, type StagedArtifact } from './files';

export const STATISTICS_FILE = 'statistics.json';
export const SCHEMA_FILE = 'schema.json';
export const ANOMALIES_FILE = 'anomalies.json';

async function readJson<T>(out: string, uri: string, file: string): Promise<T> {
  return JSON.parse(await readFile(join(out, uri, file), 'utf8')) as T;
}

function only(inputs: Readonly<Record<string, ArtifactRef[]>>, port: string): ArtifactRef {
  const ref = inputs[port]?.[0];
  if (!ref) throw new Error(`no artifact on the input ${port}`);
  return ref;
}

/** The statistics of the examples, broken down by their label, as the Validate stage computes them. */
export async function runStatisticsGen(out: string, inputs: Readonly<Record<string, ArtifactRef[]>>, staged: StagedArtifact, signal: AbortSignal): Promise<OutputArtifact> {
  const examples = only(inputs, 'examples');
  const label = typeof examples.properties.label === 'string' ? examples.properties.label : null;
  const table = await readExamples(out, examples.uri, signal);
  const acc = new StatsAccumulator(specsOf(table), versionStatsOptions(table, label));
  for (const batch of table.batches) {
    signal.throwIfAborted();
    acc.add(batch);
  }
  await writeJsonAtomic(staged.file(STATISTICS_FILE), acc.finish());
  return { uri: await staged.commit(), properties: { examples: examples.uri, rows: table.rowCount, ...(label === null ? {} : { label }) } };
}

export async function runSchemaGen(out: string, component: ComponentSpec<'SchemaGen'>, inputs: Readonly<Record<string, ArtifactRef[]>>, staged: StagedArtifact): Promise<OutputArtifact> {
  const stats = await readJson<DatasetStats>(out, only(inputs, 'statistics').uri, STATISTICS_FILE);
  // as the tab's SchemaGen: the Validate stage's inference, then its explicit "set ranges" action when asked
  const { maxDomainSize, inferRanges } = component.settings;
  let schema = inferSchema(stats, maxDomainSize === undefined ? {} : { maxDomainSize });
  if (inferRanges) schema = setRangesFromStats(schema, stats);
  await writeAtomic(staged.file(SCHEMA_FILE), serializeSchema(schema));
  return { uri: await staged.commit(), properties: { features: schema.features.length } };
}

/** A schema written in the pipeline; a schema version of the tab's store is not here to read. */
export async function runImportSchemaGen(component: ComponentSpec<'ImportSchemaGen'>, staged: StagedArtifact): Promise<OutputArtifact> {
  const settings = component.settings;
  if ('schemaVersionId' in settings) {
    throw missing('schema', settings.schemaVersionId, `${component.id}: schema version ${settings.schemaVersionId} lives in the tab's store, which the command-line runner does not have; write the schema into the pipeline (settings.schema) instead`);
  }
  // a schema that is not one is refused with every problem by its path (SchemaError's message)
  const schema = parseSchema(settings.schema);
  await writeAtomic(staged.file(SCHEMA_FILE), serializeSchema(schema));
  return { uri: await staged.commit(), properties: { features: schema.features.length } };
}

/**
 * Anomalies of the examples against the schema. Found and not accepted, they fail the component with a
 * PipelineError naming the columns; anomalies.json is written either way (a failed run shows what it found).
 */
export async function runExampleValidator(
  out: string,
  component: ComponentSpec<'ExampleValidator'>,
  inputs: Readonly<Record<string, ArtifactRef[]>>,
  staged: StagedArtifact,
  signal: AbortSignal,
): Promise<OutputArtifact> {
  const statistics = only(inputs, 'statistics');
  const schema = parseSchema(await readJson<Schema>(out, only(inputs, 'schema').uri, SCHEMA_FILE));
  const examplesUri = statistics.properties.examples;
  if (typeof examplesUri !== 'string') throw new Error(`the statistics ${statistics.uri} do not name their examples`);
  const table = await readExamples(out, examplesUri, signal);
  // no label: the Validate stage validates the whole version
  const validator = new Validator(schema, specsOf(table), versionStatsOptions(table, null));
  for (const batch of table.batches) {
    signal.throwIfAborted();
    validator.add(batch);
  }
  const { anomalies } = validator.finish();
  await writeJsonAtomic(staged.file(ANOMALIES_FILE), { rows: table.rowCount, anomalies });
  const uri = await staged.commit();
  if (anomalies.length > 0 && !component.settings.acceptAnomalies) {
    const columns = [...new Set(anomalies.map((a) => a.column))].join(', ');
    const kinds = anomalies.map((a) => `${a.kind} in "${a.column}"`).join(', ');
    const count = anomalies.length;
    throw new PipelineError('anomalies', { component: component.id, params: { count, columns } }, `${component.id} found ${count} ${count === 1 ? 'anomaly' : 'anomalies'} (${kinds}); see ${uri}/${ANOMALIES_FILE}`);
  }
  return { uri, properties: { count: anomalies.length, accepted: anomalies.length > 0 } };
}
