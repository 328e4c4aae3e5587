/**
 * The new-run form's model, pure (no runes, no i18n, no worker): what each choice changes in the draft,
 * what the training worker is asked to prepare, what is wrong with a draft (as message keys), and the run
 * config a draft becomes. `TrainDraft` (train.svelte.ts) holds these fields as state and `NewRunForm`
 * (train-form.svelte.ts) calls these functions; the functions read only the fields they need, so an effect
 * that calls one follows only those.
 */
import type { ColumnInfo } from '../core/data/types';
import type { HeadSpec, InputSpec, LayerSpec } from '../core/model/model-spec';
import { choiceOf } from '../core/model/preprocess/inputs';
import type { Preset, Task } from '../core/train/presets';
import type { BackendName, PrepareRequest, PrepareResult } from '../protocol/train';
import type { DatasetVersion } from '../store/db';
import type { Hyperparameters, LabelSource, ModelVersionRecord, RunConfig } from '../store/training-records';
import type { TransformRecord } from '../store/transform-records';
import type { MessageKey } from './i18n/catalog';
import { defaultFeatures, defaultLabel, featureChoices, findPreset, guessTask, presetsForTask } from './train-presets';

export interface SplitFractions {
  train: number;
  validation: number;
  test: number;
}

/** What a person chose in the form (the chosen data, the model, the split and the training). */
export interface DraftFields {
  datasetVersionId: string;
  task: Task;
  presetId: string;
  label: string;
  features: string[];
  layers: LayerSpec[];
  /** The input kind the layers were made for: a new kind (another dataset) remakes them from the preset. */
  layersFor: string;
  seed: number;
  fractions: SplitFractions;
  hyper: Hyperparameters;
  backend: 'auto' | BackendName;
  /** Train further from this model version instead of a new model. */
  baseModelId: string | null;
  /** Targets from the label column or a label set (then `label` is the gold column, '' = none). */
  labelSource: LabelSource;
  /** Features from this transform version (its outputs) instead of the chosen columns; null = columns. */
  transformId: string | null;
  /** Of the transform's output steps, the ones to train on; null = all of them. */
  transformOutputs: string[] | null;
}

/** What the form needs of a transform version. */
export type TransformChoice = Pick<TransformRecord, 'id' | 'name' | 'version' | 'source' | 'createdAt'>;

/** A label set is chosen (soft labels) for a new model: the label column is then the gold column, or none. */
export function fromLabelSet(d: Pick<DraftFields, 'labelSource'>, base: ModelVersionRecord | undefined): boolean {
  return !base && d.labelSource.kind === 'labelSet';
}

/** What the model learns: a base model's task, else classification unless the task is a regression. */
export function labelTaskOf(d: Pick<DraftFields, 'labelSource' | 'task'>, base: ModelVersionRecord | undefined): 'classification' | 'regression' {
  if (base) return base.metadata.task;
  return fromLabelSet(d, base) || d.task !== 'tabular-regression' ? 'classification' : 'regression';
}

/** Use a preset: its training settings (class weights stay), and layers made again for the data. */
export function applyPreset(d: DraftFields, id: string): void {
  const p = findPreset(id);
  d.presetId = id;
  d.layersFor = '';
  if (p) d.hyper = { ...d.hyper, ...p.training, classWeights: d.hyper.classWeights };
}

export function pickTask(d: DraftFields, task: Task, columns: readonly ColumnInfo[]): void {
  d.task = task;
  const first = presetsForTask(task)[0];
  applyPreset(d, first?.id ?? '');
  d.features = defaultFeatures(task, first, columns, d.label);
}

/** Another dataset version: its label column, the task it suggests, that task's first preset and features. */
export function pickVersion(d: DraftFields, v: DatasetVersion, target: string): void {
  d.datasetVersionId = v.id;
  // label sets and transforms belong to one version
  d.labelSource = { kind: 'column' };
  d.transformId = null;
  d.transformOutputs = null;
  d.label = defaultLabel(v.columns, target);
  const task = guessTask(v.columns, d.label);
  d.task = task;
  const first = presetsForTask(task)[0];
  applyPreset(d, first?.id ?? '');
  d.features = defaultFeatures(task, first, v.columns, d.label);
}

export function pickLabel(d: DraftFields, label: string, columns: readonly ColumnInfo[]): void {
  d.label = label;
  d.features = defaultFeatures(d.task, findPreset(d.presetId), columns, label);
}

/** "Labels from": 'column', or a label set's id (its gold column defaults to the scope's target). */
export function pickSource(d: DraftFields, value: string, columns: readonly ColumnInfo[], target: string): void {
  if (value === 'column') {
    d.labelSource = { kind: 'column' };
    pickLabel(d, defaultLabel(columns, target), columns);
    return;
  }
  const gold = columns.some((c) => c.name === d.label) ? d.label : '';
  d.labelSource = { kind: 'labelSet', labelSetId: value, goldColumn: gold || null };
  pickLabel(d, gold, columns);
}

export function pickGold(d: DraftFields, column: string, columns: readonly ColumnInfo[]): void {
  if (d.labelSource.kind === 'labelSet') d.labelSource = { ...d.labelSource, goldColumn: column || null };
  pickLabel(d, column, columns);
}

/** The transform versions analyzed on a dataset version, newest first. */
export function transformsOf<T extends TransformChoice>(all: readonly T[], datasetVersionId: string): T[] {
  return all.filter((t) => t.source.datasetVersionId === datasetVersionId).sort((a, b) => b.createdAt - a.createdAt);
}

/** A transform can give a model's features only when its split had a label column (the model's label). */
export function transformUsable(t: TransformChoice): boolean {
  return t.source.labelColumn !== null;
}

/** The task whose split stratifies as the transform's did (classification splits are stratified). */
function transformTask(t: TransformChoice): Task {
  return t.source.split.stratified ? 'tabular-classification' : 'tabular-regression';
}

/**
 * Features from a transform version (null: from the chosen columns), all its output steps or the given
 * ones. The label, seed and fractions become the transform's, and the task one that splits as it did, so
 * the model trains and tests on exactly the rows of the transform's split: its analyzers never read a
 * test row.
 */
export function pickTransform(d: DraftFields, t: TransformChoice | null, outputs: string[] | null = null): void {
  d.transformId = t?.id ?? null;
  d.transformOutputs = t ? outputs : null;
  if (!t) return;
  d.baseModelId = null;
  d.labelSource = { kind: 'column' };
  if (t.source.labelColumn !== null) d.label = t.source.labelColumn;
  d.seed = t.source.split.seed;
  d.fractions = { ...t.source.split.fractions };
  const task = transformTask(t);
  if (d.task !== task) {
    d.task = task;
    applyPreset(d, presetsForTask(task)[0]?.id ?? '');
  }
}

/** Where the draft's split differs from the chosen transform's (the training worker refuses it too). */
export function transformIssues(d: Pick<DraftFields, 'label' | 'seed' | 'fractions' | 'task' | 'labelSource'>, t: TransformChoice | undefined): DraftIssue[] {
  if (!t) return [];
  if (!transformUsable(t)) return [{ field: 'split', message: 'train.form.transformNoLabel' }];
  const f = t.source.split.fractions;
  const same =
    d.label === t.source.labelColumn &&
    d.seed === t.source.split.seed &&
    d.fractions.train === f.train &&
    d.fractions.validation === f.validation &&
    d.fractions.test === f.test &&
    d.task === transformTask(t) &&
    d.labelSource.kind === 'column';
  return same ? [] : [{ field: 'split', message: 'train.form.transformSplit' }];
}

export function toggleFeature(d: DraftFields, column: string, on: boolean): void {
  d.features = on ? [...d.features, column] : d.features.filter((c) => c !== column);
}

/** Whether the model reads this output step of the transform. */
export function outputChosen(d: Pick<DraftFields, 'transformOutputs'>, step: string): boolean {
  return d.transformOutputs === null || d.transformOutputs.includes(step);
}

/** Turn one of the transform's output steps (`all`, in its layout's order) on or off; all of them on is null again. */
export function toggleOutput(d: DraftFields, step: string, on: boolean, all: readonly string[]): void {
  const chosen = all.filter((name) => (name === step ? on : outputChosen(d, name)));
  d.transformOutputs = chosen.length === all.length ? null : chosen;
}

/** Fractions of at least 0 that add up to 1, with some rows to train on. */
export function fractionsOk(f: SplitFractions): boolean {
  const all = [f.train, f.validation, f.test];
  return all.every((v) => Number.isFinite(v) && v >= 0) && f.train > 0 && Math.abs(all.reduce((a, b) => a + b, 0) - 1) < 1e-6;
}

function hyperOk(d: Pick<DraftFields, 'hyper' | 'seed'>): boolean {
  const h = d.hyper;
  return (
    h.learningRate > 0 &&
    Number.isInteger(h.batchSize) && h.batchSize > 0 &&
    Number.isInteger(h.epochs) && h.epochs > 0 &&
    Number.isInteger(h.patience) && h.patience >= 0 &&
    Number.isInteger(d.seed) && d.seed >= 0
  );
}

/** Where the form shows a problem. */
export type DraftField = 'split' | 'hyper';

export interface DraftIssue {
  field: DraftField;
  message: MessageKey;
}

/** What is wrong with the split and the training settings (the layers are checked by inferShapes). */
export function draftIssues(d: Pick<DraftFields, 'fractions' | 'hyper' | 'seed'>): DraftIssue[] {
  const issues: DraftIssue[] = [];
  if (!fractionsOk(d.fractions)) issues.push({ field: 'split', message: 'train.form.splitInvalid' });
  if (!hyperOk(d)) issues.push({ field: 'hyper', message: 'train.form.hyperInvalid' });
  return issues;
}

/**
 * What the training worker prepares (split, preprocessing fitted on the training rows): null while the
 * data side is incomplete (no version, no label or label set, no features for a new model) or the split
 * is invalid.
 */
export function prepareRequest(
  d: Pick<DraftFields, 'datasetVersionId' | 'features' | 'label' | 'labelSource' | 'task' | 'seed' | 'fractions' | 'baseModelId' | 'transformId' | 'transformOutputs'>,
  columns: readonly ColumnInfo[],
  preset: Preset | undefined,
  base: ModelVersionRecord | undefined,
): PrepareRequest | null {
  const transformId = base ? null : d.transformId;
  const req: PrepareRequest = {
    datasetVersionId: d.datasetVersionId,
    features: transformId ? [] : featureChoices(preset, columns, d.features),
    label: d.label,
    labelTask: labelTaskOf(d, base),
    split: { seed: d.seed, fractions: { ...d.fractions } },
    baseModelId: d.baseModelId,
    labelSource: base ? undefined : d.labelSource,
    ...transformFields(transformId, d.transformOutputs),
  };
  const noFeatures = transformId ? d.transformOutputs?.length === 0 : !req.baseModelId && req.features.length === 0;
  const incomplete = !req.datasetVersionId || (!req.label && req.labelSource?.kind !== 'labelSet') || noFeatures;
  return incomplete || !fractionsOk(d.fractions) ? null : req;
}

/** The transform and its chosen outputs, as a request or run config holds them (nothing for columns). */
function transformFields(transformId: string | null, outputs: string[] | null): { transformId?: string; transformOutputs?: string[] } {
  if (!transformId) return {};
  return outputs ? { transformId, transformOutputs: [...outputs] } : { transformId };
}

/** The model's output for the prepared data. */
export function headOf(prepared: PrepareResult | null, labelTask: 'classification' | 'regression'): HeadSpec | null {
  if (!prepared) return null;
  return labelTask === 'classification' ? { kind: 'classification', classes: prepared.classes?.length ?? 0 } : { kind: 'regression' };
}

/** Layers are made from the preset again when the preset or the kind of input changes (edits are kept otherwise). */
export function layersKey(preset: Preset, input: InputSpec): string {
  return `${preset.id}|${input.kind === 'tabular' ? 'tabular' : JSON.stringify(input)}`;
}

/**
 * The run a draft starts: a new model from the draft's layers on the prepared input, or (fine-tuning) the
 * base model's features, label, task and spec. `name` is as typed ('' takes `defaultName`).
 */
export function runConfig(
  d: DraftFields,
  ctx: { name: string; defaultName: string; columns: readonly ColumnInfo[]; prepared: PrepareResult; base: ModelVersionRecord | undefined },
): RunConfig {
  const { base, prepared } = ctx;
  const fromSet = fromLabelSet(d, base);
  const transformId = base ? null : d.transformId;
  return {
    name: ctx.name.trim() || ctx.defaultName,
    task: base ? (base.metadata.task === 'regression' ? 'tabular-regression' : d.task) : fromSet && d.task === 'tabular-regression' ? 'tabular-classification' : d.task,
    presetId: base ? null : d.presetId,
    features: base ? base.metadata.preprocessing.features.map(choiceOf) : transformId ? [] : featureChoices(findPreset(d.presetId), ctx.columns, d.features),
    label: base ? base.metadata.preprocessing.label.column : d.label,
    spec: base ? (base.metadata.modelSpec ?? null) : { version: 1, input: prepared.input, layers: d.layers, head: headOf(prepared, labelTaskOf(d, base))!, seed: 42 },
    baseModelId: d.baseModelId,
    split: { seed: d.seed, fractions: { ...d.fractions } },
    hyper: { ...d.hyper },
    backend: d.backend,
    ...(fromSet ? { labelSource: d.labelSource } : {}),
    ...transformFields(transformId, d.transformOutputs),
  };
}

/** The columns a link chose (feature selection's "Train on this subset"): #/p/<id>/train?version=&label=&seed=&features=["a","b"]. */
export interface ColumnsLink {
  version: string;
  label: string;
  seed: number | null;
  features: string[];
}

/** Read a link's query; null unless it names a version and a JSON list of column names. */
export function columnsLink(query: Record<string, string> | undefined): ColumnsLink | null {
  if (!query?.version || !query.features) return null;
  const features = nameList(query.features);
  if (!features) return null;
  const seed = query.seed !== undefined && /^\d+$/.test(query.seed) ? Number(query.seed) : null;
  return { version: query.version, label: query.label ?? '', seed, features };
}

/**
 * A new model on the link's version with its label (else the scope's target), seed, and exactly its
 * columns as the features (those the version has, the label left out).
 */
export function useColumns(d: DraftFields, v: DatasetVersion, link: ColumnsLink, target: string): void {
  pickVersion(d, v, v.columns.some((c) => c.name === link.label) ? link.label : target);
  d.baseModelId = null;
  if (link.seed !== null) d.seed = link.seed;
  const names = new Set(v.columns.map((c) => c.name));
  d.features = link.features.filter((f) => names.has(f) && f !== d.label);
}

/** A link to train on a transform (#/p/<id>/train?transform=<id>), with feature selection's output steps (&features=["a","b"]). */
export interface TransformLink {
  transform: string;
  /** null: every output step. */
  outputs: string[] | null;
}

/** Read a link's query; null unless it names a transform (a `features` that is not a JSON list of names is ignored). */
export function transformLink(query: Record<string, string> | undefined): TransformLink | null {
  if (!query?.transform) return null;
  return { transform: query.transform, outputs: query.features ? nameList(query.features) : null };
}

function nameList(text: string): string[] | null {
  try {
    const names: unknown = JSON.parse(text);
    return Array.isArray(names) && names.every((f) => typeof f === 'string') ? names : null;
  } catch {
    return null;
  }
}
