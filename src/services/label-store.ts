/**
 * The Label stage's small store operations: label schemas, the label event log, labeling-function records
 * and manual label sets. No Arrow here, so the page can call these directly on its own Dexie connection:
 * a key press in the labeling queue writes its event in one IndexedDB put instead of a worker round trip.
 * The data worker uses the same functions (services/label.ts).
 */
import { LabelError } from '../core/label/errors';
import { missing } from '../core/record-error';
import { SPAM_CLASSES, SPAM_COLUMNS, SPAM_LFS } from '../core/label/spam-lfs';
import type { LabelMatrix, LfSpec } from '../core/label/lf';
import { newId, type PipetteDB } from '../store/db';
import type { LabelEventRecord, LabelingFunctionRecord, LabelSchemaRecord, LabelSetRecord } from '../store/label-records';

// ---------------------------------------------------------------------------------------------------------
// Label schemas

export function listLabelSchemas(db: PipetteDB, projectId: string): Promise<LabelSchemaRecord[]> {
  return db.labelSchemas.where('projectId').equals(projectId).sortBy('version');
}

export async function latestLabelSchema(db: PipetteDB, projectId: string): Promise<LabelSchemaRecord | undefined> {
  const all = await listLabelSchemas(db, projectId);
  return all[all.length - 1];
}

/** Class names: trimmed, non-empty, distinct (case-insensitive); at least two. */
export function cleanClasses(classes: readonly string[]): string[] {
  const out: string[] = [];
  for (const c of classes.map((x) => x.trim()).filter((x) => x !== '')) {
    if (out.some((o) => o.toLowerCase() === c.toLowerCase())) throw new LabelError('duplicate-class', { params: { class: c } }, `class "${c}" appears twice`);
    out.push(c);
  }
  if (out.length < 2) throw new LabelError('too-few-classes', {}, 'a label schema needs at least two classes');
  return out;
}

/** Store classes and instructions as the project's next schema version (an old one never changes). */
export async function saveLabelSchema(db: PipetteDB, projectId: string, classes: readonly string[], instructions: string): Promise<LabelSchemaRecord> {
  const clean = cleanClasses(classes);
  return db.transaction('rw', db.labelSchemas, async () => {
    const latest = await latestLabelSchema(db, projectId);
    const record: LabelSchemaRecord = {
      id: newId(),
      projectId,
      version: (latest?.version ?? 0) + 1,
      parentId: latest?.id ?? null,
      classes: clean,
      instructions,
      createdAt: Date.now(),
    };
    await db.labelSchemas.add(record);
    return record;
  });
}

// ---------------------------------------------------------------------------------------------------------
// The label event log

/**
 * Append one label (or a retraction: label null). Refused when the row does not exist in the version or
 * the label is not a class of the project's latest schema; checked in the same transaction as the write.
 */
export async function appendLabelEvent(db: PipetteDB, event: Omit<LabelEventRecord, 'seq' | 'at'> & { at?: number }): Promise<LabelEventRecord> {
  return db.transaction('rw', [db.versions, db.labelSchemas, db.labelEvents], async () => {
    const version = await db.versions.get(event.datasetVersionId);
    if (!version || version.status !== 'ready' || version.projectId !== event.projectId)
      throw missing('dataset-version', event.datasetVersionId);
    if (!Number.isInteger(event.row) || event.row < 0 || event.row >= version.rowCount)
      throw new LabelError('row-out-of-range', { params: { row: event.row, rows: version.rowCount } }, `row ${event.row} does not exist (the version has ${version.rowCount} rows)`);
    if (event.label !== null) {
      const schema = await latestLabelSchema(db, event.projectId);
      if (!schema) throw new LabelError('no-schema', {}, 'the project has no label schema');
      if (!Number.isInteger(event.label) || event.label < 0 || event.label >= schema.classes.length)
        throw new LabelError('not-a-class', { params: { label: event.label, last: schema.classes.length - 1 } }, `label ${event.label} is not a class (0..${schema.classes.length - 1})`);
    }
    const { undoes, ...rest } = event;
    const record: LabelEventRecord = { ...rest, labeler: event.labeler.trim(), at: event.at ?? Date.now() };
    if (undoes !== undefined) record.undoes = undoes;
    record.seq = await db.labelEvents.add(record);
    return record;
  });
}

export function versionEvents(db: PipetteDB, versionId: string): Promise<LabelEventRecord[]> {
  return db.labelEvents.where('datasetVersionId').equals(versionId).sortBy('seq');
}

export interface CurrentLabel {
  label: number;
  labeler: string;
  at: number;
}

/** Each labeler's current labels: replay the log in order; the last event per row wins, null removes. */
export function labelsByLabeler(events: readonly LabelEventRecord[]): Map<string, Map<number, CurrentLabel>> {
  const out = new Map<string, Map<number, CurrentLabel>>();
  for (const e of [...events].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0))) {
    let mine = out.get(e.labeler);
    if (!mine) out.set(e.labeler, (mine = new Map()));
    if (e.label === null) mine.delete(e.row);
    else mine.set(e.row, { label: e.label, labeler: e.labeler, at: e.at });
  }
  return out;
}

/** One label per row over all labelers: the most recent one (what "the manual labels" means for gold). */
export function consensusLabels(events: readonly LabelEventRecord[]): Map<number, CurrentLabel> {
  const out = new Map<number, CurrentLabel>();
  for (const mine of labelsByLabeler(events).values())
    for (const [row, l] of mine) {
      const had = out.get(row);
      if (!had || l.at >= had.at) out.set(row, l);
    }
  return out;
}

/** The next version number of a dataset version's label sets, and its latest set (the parent). */
async function nextLabelSet(db: PipetteDB, datasetVersionId: string): Promise<{ version: number; parentId: string | null }> {
  const sets = await db.labelSets.where('datasetVersionId').equals(datasetVersionId).toArray();
  const latest = sets.sort((a, b) => a.version - b.version)[sets.length - 1];
  return { version: (latest?.version ?? 0) + 1, parentId: latest?.id ?? null };
}

/** Write a label-set version, numbered within its dataset version, in one transaction. */
export async function addLabelSet(db: PipetteDB, record: Omit<LabelSetRecord, 'id' | 'version' | 'parentId' | 'createdAt'>): Promise<LabelSetRecord> {
  return db.transaction('rw', db.labelSets, async () => {
    const next = await nextLabelSet(db, record.datasetVersionId);
    const full = { ...record, id: newId(), ...next, createdAt: Date.now() } as LabelSetRecord;
    await db.labelSets.add(full);
    return full;
  });
}

/** Freeze the current manual labels (all labelers, or one) into an immutable label-set version. */
export async function saveManualLabelSet(db: PipetteDB, projectId: string, versionId: string, labeler?: string, note = ''): Promise<LabelSetRecord> {
  const [events, schema] = await Promise.all([versionEvents(db, versionId), latestLabelSchema(db, projectId)]);
  if (!schema) throw new LabelError('no-schema', {}, 'the project has no label schema');
  const current = labeler ? (labelsByLabeler(events).get(labeler) ?? new Map<number, CurrentLabel>()) : consensusLabels(events);
  if (current.size === 0) throw new LabelError('nothing-to-save', {}, 'no rows are labeled');
  const rows = [...current.keys()].sort((a, b) => a - b);
  return addLabelSet(db, {
    projectId,
    datasetVersionId: versionId,
    kind: 'manual',
    classes: schema.classes,
    note,
    data: {
      schemaId: schema.id,
      rows: Int32Array.from(rows),
      labels: Int32Array.from(rows, (r) => current.get(r)!.label),
      labelers: rows.map((r) => current.get(r)!.labeler),
      at: Float64Array.from(rows, (r) => current.get(r)!.at),
    },
  });
}

export async function listLabelSets(db: PipetteDB, versionId: string): Promise<LabelSetRecord[]> {
  return (await db.labelSets.where('datasetVersionId').equals(versionId).toArray()).sort((a, b) => a.version - b.version);
}

// ---------------------------------------------------------------------------------------------------------
// Labeling functions

export function listLabelingFunctions(db: PipetteDB, projectId: string): Promise<LabelingFunctionRecord[]> {
  return db.labelingFunctions.where('projectId').equals(projectId).sortBy('createdAt');
}

/** Add a function (spec.id empty) or replace one; the record's id and name are the spec's. */
export async function saveLabelingFunction(db: PipetteDB, projectId: string, spec: LfSpec): Promise<LabelingFunctionRecord> {
  const id = spec.id || newId();
  const name = spec.name.trim() || id;
  return db.transaction('rw', db.labelingFunctions, async () => {
    const old = spec.id ? await db.labelingFunctions.get(spec.id) : undefined;
    // strictly after the newest one, so the list keeps the order functions were added in
    const last = (await listLabelingFunctions(db, projectId)).at(-1);
    const now = Math.max(Date.now(), (last?.createdAt ?? 0) + 1);
    const record: LabelingFunctionRecord = { id, projectId, name, spec: { ...spec, id, name }, createdAt: old?.createdAt ?? now, updatedAt: now };
    await db.labelingFunctions.put(record);
    return record;
  });
}

export async function deleteLabelingFunction(db: PipetteDB, id: string): Promise<void> {
  await db.labelingFunctions.delete(id);
}

/** True when a version has the columns the spam demo functions read. */
export function hasSpamColumns(columnNames: readonly string[]): boolean {
  return SPAM_COLUMNS.every((c) => columnNames.includes(c));
}

/**
 * Add the spam demo's functions (those not there yet, by name) with fresh ids, and make sure the
 * project's classes are ham, spam in that order (the functions vote 0 = ham, 1 = spam).
 */
export async function addSpamDemoFunctions(db: PipetteDB, projectId: string): Promise<{ added: number; schema: LabelSchemaRecord }> {
  let schema = await latestLabelSchema(db, projectId);
  const wanted = [...SPAM_CLASSES];
  if (!schema || schema.classes.length !== 2 || schema.classes.some((c, i) => c.toLowerCase() !== wanted[i]))
    schema = await saveLabelSchema(db, projectId, wanted, schema?.instructions || 'Spam: unsolicited bulk email (ads, scams, money offers). Ham: everything else, including newsletters you subscribed to.');
  const have = new Set((await listLabelingFunctions(db, projectId)).map((r) => r.name));
  const base = Date.now();
  const records: LabelingFunctionRecord[] = SPAM_LFS.filter((s) => !have.has(s.name)).map((s, i) => {
    const id = newId();
    // createdAt spaced by 1 ms keeps the demo's order in the list
    return { id, projectId, name: s.name, spec: { ...s, id }, createdAt: base + i, updatedAt: base + i };
  });
  await db.labelingFunctions.bulkAdd(records);
  return { added: records.length, schema };
}

/** A label set as training targets: the rows it labels, and per row a class and k probabilities. */
export interface LabelTargets {
  labelSetId: string;
  /** The set's number within its dataset version. */
  version: number;
  datasetVersionId: string;
  kind: LabelSetRecord['kind'];
  classes: string[];
  rows: Int32Array;
  labels: Int32Array;
  /** rows.length x k, row-major; one-hot for manual labels, so every kind trains the same way (soft labels). */
  probs: Float32Array;
  /** The functions' votes on these rows (weak sets saved with them), for scoring majority vote later. */
  votes: LabelMatrix | null;
}

/** Read a label-set version as training targets (for the Train stage's soft labels). */
export async function labelTargets(db: PipetteDB, labelSetId: string): Promise<LabelTargets> {
  const set = await db.labelSets.get(labelSetId);
  if (!set) throw missing('label-set', labelSetId);
  const k = set.classes.length;
  const n = set.data.rows.length;
  let probs: Float32Array;
  let votes: LabelMatrix | null = null;
  if (set.kind === 'manual') {
    probs = new Float32Array(n * k);
    set.data.labels.forEach((l, r) => (probs[r * k + l] = 1));
  } else {
    probs = set.data.probs;
    if (set.data.votes) votes = { n, m: set.data.lfs.length, k, data: set.data.votes };
  }
  return { labelSetId, version: set.version, datasetVersionId: set.datasetVersionId, kind: set.kind, classes: set.classes, rows: set.data.rows, labels: set.data.labels, probs, votes };
}
