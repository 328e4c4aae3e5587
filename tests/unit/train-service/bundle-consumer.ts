/**
 * A bundle's consumer in Node, as its README shows: the bundle's files written to a folder, transform.js
 * imported from there, and the model read from model.json and its shards with TF.js alone.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { strFromU8 } from 'fflate';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type ApplyToRows = (fitted: unknown, rows: Record<string, unknown>[]) => { features: Float32Array; rows: number; dim: number };

export async function consumeBundle(tf: typeof tfjs, files: Record<string, Uint8Array>, dir: string): Promise<{ applyToRows: ApplyToRows; fitted: unknown; model: tfjs.LayersModel }> {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  const { applyToRows } = await import(/* @vite-ignore */ pathToFileURL(join(dir, 'transform.js')).href);
  const json = JSON.parse(strFromU8(files['model.json']!));
  const weights = Buffer.concat(json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map((p) => Buffer.from(files[p]!))));
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights), weightData: new Uint8Array(weights).buffer }),
  );
  return { applyToRows, fitted: JSON.parse(strFromU8(files['transform.json']!)), model };
}
