/**
 * The models `pipette serve` answers for, read from disk and kept current:
 *
 *   bundle.zip                  one model (a bundle as the registry exports it), named after the file, version 1
 *   dir/model.json ...          one bundle unzipped (e.g. a pipette run's artifacts/trainer/<id>/model/), version 1
 *   dir/<version>/              one model's versions (TF Serving's model base path), named after dir
 *   dir/<name>/<version>/       several models (TF Serving's layout); dir/<name>/labels.json may map labels to versions
 *
 * A version directory holds a bundle's files or one .zip. A models directory is polled: a new version
 * directory is loaded when it appears (one that cannot be read yet, e.g. half copied, is tried again when
 * its files change), a removed one is unloaded. Every version found is served (TF Serving's "all" policy).
 * Without Pipette's metadata.json a plain TF.js Layers model is served too (predict, and regress for one output).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { strFromU8, unzipSync, zipSync } from 'fflate';
import type * as tfjs from '@tensorflow/tfjs';
import { importBundle } from '../core/model/bundle';
import type { TF } from '../core/model/model-spec';
import { ServedModels } from '../core/serving/models';
import { layersServable } from '../core/serving/tfjs-model';
import type { ServableModel } from '../core/serving/types';
import { errorText, type Output } from './report';

/** Where a version comes from: a zip file or a directory of bundle files. */
interface VersionSource {
  name: string;
  version: number;
  path: string;
}

/** A bundle's files by name, from a zip or a directory (a version directory's one zip counts as the zip). */
function bundleEntries(path: string): Record<string, Uint8Array> {
  if (statSync(path).isFile()) return unzipSync(readFileSync(path));
  const files = readdirSync(path).filter((f) => statSync(join(path, f)).isFile());
  const zips = files.filter((f) => f.endsWith('.zip'));
  if (!files.includes('model.json') && zips.length === 1) return unzipSync(readFileSync(join(path, zips[0]!)));
  return Object.fromEntries(files.map((f) => [f, new Uint8Array(readFileSync(join(path, f)))]));
}

/** A plain TF.js Layers model (model.json and its weight files, no metadata.json). */
async function plainLayersModel(tf: TF, entries: Record<string, Uint8Array>): Promise<tfjs.LayersModel> {
  const modelJson = entries['model.json'];
  if (!modelJson) throw new Error(`no model.json (the files are: ${Object.keys(entries).join(', ') || 'none'})`);
  const json = JSON.parse(strFromU8(modelJson)) as { modelTopology: object; weightsManifest: { paths: string[]; weights: tfjs.io.WeightsManifestEntry[] }[] };
  const parts = json.weightsManifest.flatMap((g) =>
    g.paths.map((p) => {
      const bytes = entries[p.replace(/^\.\//, '')];
      if (!bytes) throw new Error(`model.json lists the weight file "${p}", which is missing`);
      return bytes;
    }),
  );
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: data.buffer }));
}

/** Load one version: a Pipette bundle through importBundle (checked as the registry checks an import), else a plain Layers model. */
export async function loadServable(tf: TF, path: string): Promise<ServableModel> {
  const entries = bundleEntries(path);
  const root = Object.keys(entries).find((n) => n === 'model.json' || n.endsWith('/model.json'))?.slice(0, -'model.json'.length) ?? '';
  if (entries[`${root}metadata.json`]) {
    const { model, metadata } = await importBundle(tf, zipSync(entries, { level: 0 }));
    return layersServable(tf, model, metadata);
  }
  const flat = Object.fromEntries(Object.entries(entries).filter(([n]) => n.startsWith(root)).map(([n, b]) => [n.slice(root.length), b]));
  return layersServable(tf, await plainLayersModel(tf, flat), null);
}

const isVersion = (name: string) => /^\d+$/.test(name) && Number(name) > 0 && Number.isSafeInteger(Number(name));
const subdirs = (dir: string) => readdirSync(dir).filter((f) => statSync(join(dir, f)).isDirectory());

/** What the path serves now: one bundle (version 1), one model's version dirs, or models' version dirs. */
export function listSources(path: string, modelName?: string): VersionSource[] {
  if (statSync(path).isFile()) return [{ name: modelName ?? basename(path).replace(/\.zip$/i, ''), version: 1, path }];
  if (existsSync(join(path, 'model.json'))) return [{ name: modelName ?? basename(path), version: 1, path }];
  const dirs = subdirs(path);
  if (dirs.some(isVersion)) return dirs.filter(isVersion).map((v) => ({ name: modelName ?? basename(path), version: Number(v), path: join(path, v) }));
  return dirs.flatMap((name) => subdirs(join(path, name)).filter(isVersion).map((v) => ({ name, version: Number(v), path: join(path, name, v) })));
}

/** The labels of a model directory's labels.json ({"production": 3}), if it has one. */
function labelsOf(path: string, source: VersionSource): Record<string, number> {
  const file = join(source.path, '..', 'labels.json');
  if (statSync(path).isFile() || !existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

/** A version directory's files with their sizes and times: it is tried again when this changes. */
function fingerprint(path: string): string {
  const s = statSync(path);
  if (s.isFile()) return `${s.size}:${s.mtimeMs}`;
  return readdirSync(path)
    .sort()
    .map((f) => {
      const fs = statSync(join(path, f));
      return `${f}:${fs.size}:${fs.mtimeMs}`;
    })
    .join('|');
}

/** Keeps `models` in step with what `path` holds. */
export class ModelSource {
  readonly models = new ServedModels();
  private readonly loaded = new Map<string, string>();
  private readonly failed = new Map<string, string>();

  constructor(
    private readonly tf: TF,
    private readonly path: string,
    private readonly output: Output,
    private readonly modelName?: string,
  ) {}

  /** Load what is new, unload what is gone; true when anything changed. */
  async sync(): Promise<boolean> {
    const sources = listSources(this.path, this.modelName);
    const seen = new Set<string>();
    let changed = false;
    for (const source of sources) {
      const key = `${source.name}/${source.version}`;
      seen.add(key);
      if (this.loaded.has(key)) continue;
      const print = fingerprint(source.path);
      if (this.failed.get(key) === print) continue;
      try {
        const model = await loadServable(this.tf, source.path);
        this.models.setVersion(source.name, source.version, model)?.dispose?.();
        this.loaded.set(key, print);
        this.failed.delete(key);
        changed = true;
        this.output.out(`pipette serve: loaded ${source.name} version ${source.version} (${source.path})`);
      } catch (e) {
        this.failed.set(key, print);
        this.output.err(`pipette serve: cannot load ${source.name} version ${source.version} from ${source.path}: ${errorText(e)}`);
      }
    }
    for (const key of [...this.loaded.keys()].filter((k) => !seen.has(k))) {
      const [name, version] = [key.slice(0, key.lastIndexOf('/')), Number(key.slice(key.lastIndexOf('/') + 1))];
      this.models.removeVersion(name, version)?.dispose?.();
      this.loaded.delete(key);
      changed = true;
      this.output.out(`pipette serve: unloaded ${name} version ${version}`);
    }
    for (const source of sources) {
      if (!this.loaded.has(`${source.name}/${source.version}`)) continue;
      for (const [label, version] of Object.entries(labelsOf(this.path, source))) {
        if (this.models.versions(source.name).includes(version)) this.models.setLabel(source.name, label, version);
      }
    }
    return changed;
  }
}
