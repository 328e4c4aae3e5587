/**
 * ExampleGen in Node: the dataset version is a file of --data/<dataset name>/ (resolved when the run
 * starts: "latest" is the last file in name order, {number: n} the n-th, {id} the file of that name), and
 * its SHA-256 goes into the cache key, so a changed file is read again. The file is imported with the
 * app's importers; examples.arrow holds its record batches as one Arrow IPC file, split.json the Train
 * stage's split (same seed, fractions and label as the tab: core/model/split-batches.ts).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { exportArrowChunks } from '../core/data/export';
import { splitRecord } from '../core/model/split';
import { splitOfBatches } from '../core/model/split-batches';
import type { JsonValue } from '../core/pipeline/mlmd';
import type { OutputArtifact } from '../core/pipeline/runner';
import type { ComponentSpec, ExampleGenSettings } from '../core/pipeline/spec';
import { missing } from '../core/record-error';
import { batchesOf, EXAMPLES_FILE, importTable, SPLIT_FILE, type SplitFile } from './examples';
import { datasetFiles, writeChunks, writeJsonAtomic, type StagedArtifact } from './files';

/** What ExampleGen read, as resolved when it starts (part of its cache key). */
export interface ResolvedVersion {
  dataset: string;
  /** 1-based, in name order. */
  version: number;
  file: string;
  sha256: string;
}

function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** The dataset version the settings name, found in --data (RecordErrors name what is missing). */
export async function resolveExampleGen(dataDir: string, component: ComponentSpec<'ExampleGen'>): Promise<ResolvedVersion> {
  const { dataset, version } = component.settings;
  if (!('name' in dataset)) throw missing('dataset', dataset.id, `${component.id}: the command-line runner finds a dataset by its name (a directory of --data), not by the tab's id ${dataset.id}`);
  const files = await datasetFiles(dataDir, dataset.name);
  if (files === null) throw missing('dataset', dataset.name, `${component.id}: there is no directory "${dataset.name}" in --data ${dataDir}`);
  if (files.length === 0) throw missing('dataset-version', dataset.name, `${component.id}: the directory "${dataset.name}" in --data has no .csv, .json, .arrow or .parquet file`);
  let index: number;
  if (version === 'latest') index = files.length - 1;
  else if ('number' in version) index = version.number - 1;
  else index = files.indexOf(version.id);
  const file = files[index];
  if (file === undefined) {
    const which = version === 'latest' ? 'latest' : 'number' in version ? `number ${version.number}` : `"${version.id}"`;
    throw missing('dataset-version', `${dataset.name} ${which}`, `${component.id}: "${dataset.name}" has no version ${which} (its files: ${files.join(', ')})`);
  }
  return { dataset: dataset.name, version: index + 1, file, sha256: await sha256OfFile(join(dataDir, dataset.name, file)) };
}

/** Import the version, write examples.arrow and split.json. */
export async function runExampleGen(dataDir: string, component: ComponentSpec<'ExampleGen'>, resolved: ResolvedVersion, staged: StagedArtifact, signal: AbortSignal): Promise<OutputArtifact> {
  const settings: ExampleGenSettings = component.settings;
  const table = await importTable(join(dataDir, resolved.dataset, resolved.file), signal);
  const choice = { labelColumn: settings.label, seed: settings.split.seed, fractions: settings.split.fractions };
  const split = await splitOfBatches(table, choice, () => batchesOf(table, signal));
  await writeChunks(staged.file(EXAMPLES_FILE), exportArrowChunks(table.encoded, table.columns));
  const splitFile: SplitFile = {
    ...splitRecord(split),
    label: settings.label,
    rows: { train: [...split.train], validation: [...split.validation], test: [...split.test], excluded: [...split.excluded] },
  };
  await writeJsonAtomic(staged.file(SPLIT_FILE), splitFile, true);
  const properties: Record<string, JsonValue> = {
    dataset: resolved.dataset,
    version: resolved.version,
    file: resolved.file,
    sha256: resolved.sha256,
    format: table.format,
    rows: table.rowCount,
    ...(settings.label === null ? {} : { label: settings.label }),
    columns: table.columns.map((c) => ({ name: c.name, type: c.type })),
  };
  return { uri: await staged.commit(), properties };
}
