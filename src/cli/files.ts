/**
 * The command-line runner's files: atomic writes (a temp file renamed into place, so a crash never leaves
 * half a file), an artifact directory staged and renamed into place whole, and the --data layout.
 *
 * --data <dir>: one subdirectory per dataset, named after it (`data/Palmer penguins/`); its data files are
 * its versions in name order (numbers in names compare as numbers: v2 before v10), the last is "latest".
 */
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Write a file whole or not at all: the bytes go to a temp file next to it, which is then renamed. */
export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, data);
  await rename(temp, path);
}

/** JSON, indented for people unless `compact` (long lists of row numbers). */
export function writeJsonAtomic(path: string, value: unknown, compact = false): Promise<void> {
  return writeAtomic(path, `${JSON.stringify(value, null, compact ? undefined : 2)}\n`);
}

/** Chunks streamed into a file (a large examples.arrow), in a directory that is renamed into place later. */
export async function writeChunks(path: string, chunks: AsyncIterable<Uint8Array>): Promise<number> {
  const handle = await open(path, 'w');
  let size = 0;
  try {
    for await (const chunk of chunks) {
      await handle.write(chunk);
      size += chunk.byteLength;
    }
  } finally {
    await handle.close();
  }
  return size;
}

/**
 * An artifact directory `artifacts/<component>/<execution id>/` (relative to --out, as MLMD records the
 * uri): written under a temp name and renamed into place by `commit`, so a reader never sees part of it.
 */
export class StagedArtifact {
  readonly uri: string;
  readonly dir: string;
  private readonly final: string;

  constructor(out: string, component: string, executionId: number) {
    this.uri = `artifacts/${component}/${executionId}`;
    this.final = join(out, this.uri);
    this.dir = join(out, 'artifacts', component, `.${executionId}.tmp-${process.pid}`);
  }

  async open(): Promise<this> {
    await rm(this.dir, { recursive: true, force: true });
    await mkdir(this.dir, { recursive: true });
    return this;
  }

  file(name: string): string {
    return join(this.dir, name);
  }

  /** Move the directory into place. One left by a run that crashed before saving its lineage is replaced. */
  async commit(): Promise<string> {
    await rm(this.final, { recursive: true, force: true });
    await rename(this.dir, this.final);
    return this.uri;
  }

  async discard(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Whether an artifact's directory (a uri relative to --out) is still there. */
export function artifactExists(out: string, uri: string): boolean {
  return uri !== '' && existsSync(join(out, uri));
}

/** The data files the importer reads, by extension. */
export const DATA_FILE = /\.(csv|tsv|json|ndjson|jsonl|arrow|feather|parquet)$/i;

const byName = new Intl.Collator('en', { numeric: true });

/** A dataset's versions: its data files in name order (null when --data has no such directory). */
export async function datasetFiles(dataDir: string, dataset: string): Promise<string[] | null> {
  const dir = join(dataDir, dataset);
  if (!existsSync(dir) || !(await stat(dir)).isDirectory()) return null;
  const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && DATA_FILE.test(e.name)).map((e) => e.name);
  return names.sort(byName.compare);
}
