/**
 * Evaluator and Pusher in Node, with the Evaluate stage's core: the model (its bundle, read back as an
 * import reads it) predicts the test rows of its examples' split, encoded with its own preprocessing;
 * core/evaluate slices the metrics and blesses them against the component's thresholds. The baseline of
 * relative thresholds is the model the alias "production" points at in this --out (aliases.json, this
 * runner's registry), as the tab's is the version aliased production; it is resolved when the Evaluator
 * starts, so it is part of its cache key. The Pusher points the alias at the model only when blessed.
 *
 * evaluation.json: the sliced metrics, thresholds and baseline; blessing.json: the blessing with a reason
 * per threshold; pushed_model.json: pushed or not, and why not.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import type * as tfjs from '@tensorflow/tfjs';
import { evaluateBlessing, type Blessing, type MetricTable, type Reason } from '../core/evaluate/blessing';
import { EvalError, evalErrorWhy } from '../core/evaluate/errors';
import { predictionsFor, sliceColumns, sliceValues } from '../core/evaluate/predictions';
import type { CellValue } from '../core/evaluate/slice-assign';
import { evaluateSlices, metricTable, OVERALL, type SlicedEvaluation } from '../core/evaluate/slices';
import { importBundle, type BundleMetadata } from '../core/model/bundle';
import type { TF } from '../core/model/model-spec';
import { decodeRegression, encode, inputColumns, tableFromBatches, type ColumnTable, type PreprocessStats } from '../core/model/preprocess';
import type { JsonValue } from '../core/pipeline/mlmd';
import type { ArtifactRef, OutputArtifact } from '../core/pipeline/runner';
import type { ComponentSpec } from '../core/pipeline/spec';
import { predictEncodedRows } from '../core/train/trainer';
import { readExamples } from './examples';
import { writeAtomic, writeJsonAtomic, type StagedArtifact } from './files';
import { MODEL_DIR, readSplit, splitOf } from './trainer';

export const EVALUATION_FILE = 'evaluation.json';
export const BLESSING_FILE = 'blessing.json';
export const PUSHED_FILE = 'pushed_model.json';
export const ALIASES_FILE = 'aliases.json';
/** The alias whose model is the baseline of relative thresholds (the tab's gated alias). */
export const BASELINE_ALIAS = 'production';

type Inputs = Readonly<Record<string, ArtifactRef[]>>;

/** The one artifact wired to a port. */
export function only(inputs: Inputs, port: string): ArtifactRef {
  const ref = inputs[port]?.[0];
  if (!ref) throw new Error(`no artifact on the input ${port}`);
  return ref;
}

// ---- the registry of this --out: aliases.json ----

export interface AliasEntry {
  /** The model's artifact, relative to --out (artifacts/<trainer>/<execution>). */
  uri: string;
  pushedAt: string;
}

export async function readAliases(out: string): Promise<Record<string, AliasEntry>> {
  const path = join(out, ALIASES_FILE);
  if (!existsSync(path)) return {};
  const doc = JSON.parse(await readFile(path, 'utf8')) as { aliases?: Record<string, AliasEntry> };
  return doc.aliases ?? {};
}

/** What the Evaluator reads besides its inputs: the model aliased production now ('' for none). */
export async function resolveEvaluator(out: string): Promise<Record<string, JsonValue>> {
  return { baseline: (await readAliases(out))[BASELINE_ALIAS]?.uri ?? '' };
}

// ---- the Evaluator ----

/** A model artifact's bundle, read back through the app's import (every file and weight checked). */
export async function loadModelArtifact(tf: TF, out: string, uri: string): Promise<{ model: tfjs.LayersModel; metadata: BundleMetadata }> {
  const dir = join(out, uri, MODEL_DIR);
  const files: Record<string, Uint8Array> = {};
  for (const name of readdirSync(dir)) files[name] = new Uint8Array(await readFile(join(dir, name)));
  const { model, metadata } = await importBundle(tf, zipSync(files, { level: 0 }));
  return { model, metadata };
}

/** The model's outputs on rows of a table: probabilities, or values in the label's units; every tensor disposed. */
async function predictRows(tf: TF, model: tfjs.LayersModel, stats: PreprocessStats, table: ColumnTable, rows: Uint32Array) {
  const enc = await encode(stats, table, rows, { labels: true });
  const out = await predictEncodedRows(tf, model, enc, 1024);
  return { y: enc.y, outputs: stats.label.task === 'regression' ? decodeRegression(stats.label, out) : out };
}

/** A model's sliced metrics on the rows (the baseline's: point values, no intervals). */
async function slicedMetrics(tf: TF, model: tfjs.LayersModel, stats: PreprocessStats, table: ColumnTable, rows: Uint32Array, settings: ComponentSpec<'Evaluator'>['settings'], bootstrap: number): Promise<SlicedEvaluation> {
  const { y, outputs } = await predictRows(tf, model, stats, table, rows);
  const columns: Record<string, CellValue[]> = {};
  for (const s of sliceColumns(settings.slices ?? [])) columns[s.column] ??= sliceValues(table, s.column, rows);
  return evaluateSlices(predictionsFor(stats.label, y, outputs, settings.decisionThreshold), {
    columns,
    specs: settings.slices ?? [],
    minCount: settings.minCount ?? 30,
    bootstrap: bootstrap > 0 ? { samples: bootstrap } : false,
  });
}

/** A failed threshold in words: "accuracy >= 1.01 (was 0.9608)". */
export function reasonText(r: Reason): string {
  const slice = r.slice === OVERALL ? '' : ` on ${r.slice}`;
  const value = Number.isNaN(r.value) ? 'none' : r.value.toFixed(4);
  if (r.bound !== undefined) return `${r.metric}${slice} ${r.op} ${r.bound} (was ${value})`;
  if (r.limit !== undefined) return `${r.metric}${slice} no worse than the baseline's ${r.baseline!.toFixed(4)} by more than the tolerance: at least ${r.limit.toFixed(4)} (was ${value})`;
  return `${r.metric}${slice}: ${r.code}`;
}

/** What the Evaluator knows of a model on an Examples artifact's test rows. */
interface ModelMetrics {
  task: 'classification' | 'regression';
  classes: string[] | null;
  sliced: SlicedEvaluation;
}

/**
 * Metrics are kept per model, examples and the settings that shape them (memo/evaluations/ in --out): both
 * artifacts are immutable and the bootstrap is seeded, so the same key always gives the same metrics. A re-run
 * whose Evaluator runs again only because production moved reads them instead of loading TF.js to predict again.
 */
const MEMO_DIR = 'memo/evaluations';

// JSON has no NaN or Infinity; a metric of an empty slice is NaN and must come back as NaN
const keepNonFinite = (_: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { nonFinite: String(v) } : v);
const restoreNonFinite = (_: string, v: unknown) => (v && typeof v === 'object' && 'nonFinite' in v && Object.keys(v).length === 1 ? Number((v as { nonFinite: string }).nonFinite) : v);

async function memoized(out: string, key: Record<string, JsonValue>, compute: () => Promise<ModelMetrics>, log: (line: string) => void): Promise<ModelMetrics> {
  const path = join(out, MEMO_DIR, `${createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32)}.json`);
  if (existsSync(path)) {
    log(`metrics of ${String(key.model)} on ${String(key.examples)}: kept from an earlier run (${MEMO_DIR})`);
    return JSON.parse(await readFile(path, 'utf8'), restoreNonFinite) as ModelMetrics;
  }
  const metrics = await compute();
  await mkdir(join(out, MEMO_DIR), { recursive: true });
  await writeAtomic(path, JSON.stringify(metrics, keepNonFinite));
  return metrics;
}

export async function runEvaluator(getTf: () => Promise<TF>, out: string, component: ComponentSpec<'Evaluator'>, inputs: Inputs, resolved: Record<string, JsonValue> | undefined, staged: StagedArtifact, signal: AbortSignal, log: (line: string) => void = () => {}): Promise<Record<string, OutputArtifact>> {
  const s = component.settings;
  if (s.thresholds.length === 0) throw evalErrorWhy('bad-option', 'no-thresholds', {}, `${component.id}: set at least one threshold: a blessing needs something to check`);
  const examples = only(inputs, 'examples');
  const candidate = only(inputs, 'model');
  const rows = splitOf(await readSplit(out, examples.uri)).test;
  if (rows.length === 0) throw new EvalError('no-rows', { params: { part: 'test' } }, `${component.id}: the test rows of ${examples.uri} are empty`);
  const baselineUri = typeof resolved?.baseline === 'string' && resolved.baseline !== '' ? resolved.baseline : null;
  let examplesTable: ReturnType<typeof readExamples> | undefined;
  const slices = sliceColumns(s.slices ?? []).map((c) => c.column);
  const columnsOf = (p: PreprocessStats) => [...inputColumns(p).map((c) => c.column), p.label.column];

  /** A model's metrics on the test rows, predicted with its bundle (read back as an import reads it) or kept. */
  const metricsOf = (uri: string, bootstrap: number): Promise<ModelMetrics> => {
    const key = { model: uri, examples: examples.uri, part: 'test', slices: (s.slices ?? []) as unknown as JsonValue, minCount: s.minCount ?? 30, bootstrap, decisionThreshold: s.decisionThreshold ?? null };
    return memoized(out, key, async () => {
      const { model, metadata } = await loadModelArtifact(await getTf(), out, uri);
      try {
        const stats = metadata.preprocessing;
        examplesTable ??= readExamples(out, examples.uri, signal);
        const table = tableFromBatches((await examplesTable).batches, [...new Set([...columnsOf(stats), ...slices])]);
        const sliced = await slicedMetrics(await getTf(), model, stats, table, rows, s, bootstrap);
        return { task: stats.label.task, classes: stats.label.task === 'classification' ? stats.label.classes : null, sliced };
      } finally {
        model.dispose();
      }
    }, log);
  };

  const { task, classes, sliced } = await metricsOf(candidate.uri, s.bootstrap ?? 0);
  signal.throwIfAborted();

  let baseline: MetricTable | null = null;
  let baselineError: string | undefined;
  if (baselineUri && s.thresholds.some((t) => t.kind === 'relative')) {
    try {
      // the baseline's: point values, no intervals
      baseline = metricTable((await metricsOf(baselineUri, 0)).sliced);
    } catch (e) {
      // the baseline cannot read these rows (another input) or is gone: its relative thresholds fail, saying why
      baselineError = e instanceof Error ? e.message : String(e);
      baseline = {};
    }
  }
  const blessing: Blessing = evaluateBlessing(metricTable(sliced), s.thresholds, baseline);
  await writeJsonAtomic(staged.file(EVALUATION_FILE), {
    model: candidate.uri,
    examples: examples.uri,
    part: 'test',
    rows: rows.length,
    task,
    classes,
    sliced,
    thresholds: s.thresholds,
    baseline: baselineUri,
    ...(baselineError ? { baselineError } : {}),
  });
  await writeJsonAtomic(staged.file(BLESSING_FILE), { model: candidate.uri, baseline: baselineUri, ...blessing });
  const uri = await staged.commit();
  const failed = blessing.reasons.filter((r) => !r.passed).map(reasonText);
  const properties = { model: candidate.uri, blessed: blessing.blessed, ...(failed.length ? { failed: failed.join('; ') } : {}) };
  return { evaluation: { uri, properties: { model: candidate.uri, rows: rows.length } }, blessing: { uri, properties } };
}

// ---- the Pusher ----

/** Point the alias at the model when blessed (aliases.json written atomically); else pushed: false and why. */
export async function runPusher(out: string, component: ComponentSpec<'Pusher'>, inputs: Inputs, staged: StagedArtifact): Promise<OutputArtifact> {
  const model = only(inputs, 'model');
  const blessing = only(inputs, 'model_blessing');
  const { alias } = component.settings;
  const blessed = blessing.properties.blessed === true;
  const pushed: Record<string, JsonValue> = blessed ? { pushed: true, alias, model: model.uri } : { pushed: false, reason: 'not-blessed', alias, model: model.uri, blessing: blessing.uri };
  await writeJsonAtomic(staged.file(PUSHED_FILE), pushed);
  const uri = await staged.commit();
  if (blessed) {
    const aliases = await readAliases(out);
    aliases[alias] = { uri: model.uri, pushedAt: new Date().toISOString() };
    await writeJsonAtomic(join(out, ALIASES_FILE), { format: 'pipette-aliases', version: 1, aliases });
  }
  return { uri, properties: pushed };
}
