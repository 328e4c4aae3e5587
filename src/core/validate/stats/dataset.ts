/** Statistics of whole record batches: every column, optionally broken down by a label column, and their merge. */
import type { Data, RecordBatch } from 'apache-arrow';
import { DataType } from 'apache-arrow';
import type { ColumnType } from '../../data/types';
import { COLUMN_TYPES } from '../../data/types';
import { DictionaryCache, statsInputError, indicesOf, numbersOf, stringParts, utf8, validityOf } from '../arrowread';
import { makeAccumulator, mergeAccumulator, numericStores, type ColumnAccumulator } from './accumulators';
import { resolve, type ResolvedOptions } from './options';
import type { ColumnSpec, ColumnStats, DatasetStats, GroupStats, LabelGroupStats, StatsOptions } from './types';

/** The columns of a batch with their logical types (field metadata 'pipette.type', else a guess). */
export function columnsOf(batch: RecordBatch): ColumnSpec[] {
  return batch.schema.fields.map((f) => {
    const t = f.metadata.get('pipette.type');
    if (t !== undefined && (COLUMN_TYPES as readonly string[]).includes(t)) return { name: f.name, type: t as ColumnType };
    return { name: f.name, type: guessType(f.name, f.type) };
  });
}

function guessType(name: string, t: DataType): ColumnType {
  if (DataType.isDictionary(t)) return 'categorical';
  if (DataType.isUtf8(t)) return 'text';
  if (DataType.isBool(t)) return 'boolean';
  if (DataType.isTimestamp(t) || DataType.isDate(t)) return 'datetime';
  if (DataType.isBinary(t)) return 'image';
  if (DataType.isInt(t)) return 'integer';
  if (DataType.isFloat(t)) return 'number';
  throw statsInputError('unreadable-type', name, `column "${name}" has Arrow type ${String(t)}, which Pipette does not read`, { type: String(t) });
}

class Group {
  rowCount = 0;
  constructor(readonly columns: ColumnAccumulator[]) {}
  finish(): GroupStats {
    return { rowCount: this.rowCount, columns: this.columns.map((c) => c.finish()) };
  }
}

interface LabelGroup {
  label: string | null;
  other: boolean;
  group: Group;
}

const OTHER_KEY = '\u0000other';
const MISSING_KEY = '\u0000missing';

/**
 * Statistics of a whole version, one record batch at a time:
 *   const acc = new StatsAccumulator(columns, options); for (const b of batches) acc.add(b); acc.finish()
 * Accumulators over different parts of a version merge (`merge`) into the statistics of the whole.
 */
export class StatsAccumulator {
  readonly columns: readonly ColumnSpec[];
  private readonly opts: ResolvedOptions;
  private readonly overall: Group;
  private readonly labelColumn: string | null;
  private readonly labelIndex: number;
  private readonly maxLabelValues: number;
  private readonly labelGroups = new Map<string, LabelGroup>();
  private schemaCache: { schema: unknown; indices: number[] } | null = null;

  constructor(columns: readonly ColumnSpec[], options: StatsOptions = {}) {
    const names = new Set<string>();
    for (const c of columns) {
      if (names.has(c.name)) throw statsInputError('duplicate-column', c.name, `column "${c.name}" appears twice`);
      names.add(c.name);
    }
    this.columns = columns.map((c) => ({ name: c.name, type: c.type }));
    let stores = 0;
    for (const c of columns) stores += numericStores(c.type);
    this.opts = resolve(options, stores);
    this.overall = this.newGroup();
    this.labelColumn = options.labelColumn ?? null;
    this.labelIndex = this.labelColumn === null ? -1 : columns.findIndex((c) => c.name === this.labelColumn);
    if (this.labelColumn !== null) {
      if (this.labelIndex < 0) throw statsInputError('no-label-column', this.labelColumn, `label column "${this.labelColumn}" is not a column of this version`);
      const lt = columns[this.labelIndex]!.type;
      if (lt === 'image' || lt === 'datetime') throw statsInputError('bad-label-type', this.labelColumn, `label column "${this.labelColumn}" is ${lt}; a label must be categorical, text, boolean or a number`, { type: lt });
    }
    this.maxLabelValues = options.maxLabelValues ?? 32;
  }

  private newGroup(): Group {
    return new Group(this.columns.map((c) => makeAccumulator(c, this.opts)));
  }

  private indicesFor(batch: RecordBatch): number[] {
    if (this.schemaCache?.schema === batch.schema) return this.schemaCache.indices;
    const fields = batch.schema.fields;
    const indices = this.columns.map((c) => {
      const i = fields.findIndex((f) => f.name === c.name);
      if (i < 0) throw statsInputError('missing-in-batch', c.name, `a record batch has no column "${c.name}"`);
      return i;
    });
    this.schemaCache = { schema: batch.schema, indices };
    return indices;
  }

  add(batch: RecordBatch): void {
    const indices = this.indicesFor(batch);
    const n = batch.numRows;
    this.overall.rowCount += n;
    const vectors = indices.map((i) => batch.getChildAt(i)!);
    this.overall.columns.forEach((acc, c) => acc.add(vectors[c]!));
    if (this.labelColumn === null || n === 0) return;

    // group rows by label, then feed each group its rows (ascending) as a selection
    const { ids, groups } = this.labelIds(vectors[this.labelIndex]!.data, n);
    const sizes = new Int32Array(groups.length + 1);
    for (let i = 0; i < n; i++) sizes[ids[i]! + 1]!++;
    for (let g = 0; g < groups.length; g++) sizes[g + 1]! += sizes[g]!;
    const order = new Int32Array(n);
    const at = sizes.slice(0, groups.length);
    for (let i = 0; i < n; i++) order[at[ids[i]!]!++] = i;
    groups.forEach((lg, g) => {
      const sel = order.subarray(sizes[g]!, sizes[g + 1]!);
      if (sel.length === 0) return;
      lg.group.rowCount += sel.length;
      lg.group.columns.forEach((acc, c) => acc.add(vectors[c]!, sel.length === n ? null : sel));
    });
  }

  private groupFor(label: string | null): LabelGroup {
    const key = label === null ? MISSING_KEY : label;
    let lg = this.labelGroups.get(key);
    if (lg) return lg;
    if (label !== null) {
      let named = 0;
      for (const g of this.labelGroups.values()) if (!g.other && g.label !== null) named++;
      if (named >= this.maxLabelValues) {
        lg = this.labelGroups.get(OTHER_KEY);
        if (!lg) {
          lg = { label: null, other: true, group: this.newGroup() };
          this.labelGroups.set(OTHER_KEY, lg);
        }
        // later rows with this label go straight to 'other'
        this.labelGroups.set(key, lg);
        return lg;
      }
    }
    lg = { label, other: false, group: this.newGroup() };
    this.labelGroups.set(key, lg);
    return lg;
  }

  /** Per row, the index of its label group within `groups` (the groups this batch touches). */
  private labelIds(chunks: readonly Data[], n: number): { ids: Int32Array; groups: LabelGroup[] } {
    const ids = new Int32Array(n);
    const groups: LabelGroup[] = [];
    const local = new Map<LabelGroup, number>();
    const idOf = (label: string | null): number => {
      const lg = this.groupFor(label);
      let id = local.get(lg);
      if (id === undefined) {
        id = groups.length;
        groups.push(lg);
        local.set(lg, id);
      }
      return id;
    };
    const spec = this.columns[this.labelIndex]!;
    let row = 0;
    for (const data of chunks) {
      const bm = validityOf(data);
      const off = data.offset;
      const valid = (i: number) => bm === null || ((bm[(off + i) >> 3]! >> ((off + i) & 7)) & 1) === 1;
      const len = data.length;
      if (DataType.isDictionary(data.type)) {
        const dict = new DictionaryCache().get(data, spec.name, spec.type);
        const idx = indicesOf(data);
        const byIndex = new Int32Array(dict.size).fill(-1);
        const missingId = () => idOf(null);
        for (let i = 0; i < len; i++, row++) {
          const k = idx[i]!;
          if (!valid(i) || k < 0 || k >= dict.size) {
            ids[row] = missingId();
            continue;
          }
          let id = byIndex[k]!;
          if (id < 0) id = byIndex[k] = idOf(dict.get(k));
          ids[row] = id;
        }
      } else if (DataType.isUtf8(data.type)) {
        const { offsets, bytes } = stringParts(data, spec.name, spec.type);
        for (let i = 0; i < len; i++, row++) ids[row] = idOf(valid(i) ? utf8(bytes, offsets[i]!, offsets[i + 1]!) : null);
      } else if (DataType.isBool(data.type)) {
        const bits = data.values as Uint8Array;
        for (let i = 0; i < len; i++, row++) {
          const j = off + i;
          ids[row] = idOf(valid(i) ? ((bits[j >> 3]! >> (j & 7)) & 1 ? 'true' : 'false') : null);
        }
      } else {
        const values = numbersOf(data, spec.name, spec.type);
        for (let i = 0; i < len; i++, row++) {
          const x = values[i]!;
          ids[row] = idOf(valid(i) && x === x ? String(x) : null);
        }
      }
    }
    return { ids, groups };
  }

  merge(other: StatsAccumulator): void {
    if (other.columns.length !== this.columns.length || other.columns.some((c, i) => c.name !== this.columns[i]!.name || c.type !== this.columns[i]!.type)) {
      throw new Error('cannot merge statistics of different columns');
    }
    if (other.labelColumn !== this.labelColumn) throw new Error('cannot merge statistics with different label columns');
    mergeGroup(this.overall, other.overall);
    const seen = new Set<LabelGroup>();
    for (const lg of other.labelGroups.values()) {
      if (seen.has(lg)) continue;
      seen.add(lg);
      const target = lg.other ? this.otherGroup() : this.groupFor(lg.label);
      mergeGroup(target.group, lg.group);
    }
  }

  private otherGroup(): LabelGroup {
    let lg = this.labelGroups.get(OTHER_KEY);
    if (!lg) {
      lg = { label: null, other: true, group: this.newGroup() };
      this.labelGroups.set(OTHER_KEY, lg);
    }
    return lg;
  }

  finish(): DatasetStats {
    const overall = this.overall.finish();
    let byLabel: LabelGroupStats[] | null = null;
    if (this.labelColumn !== null) {
      const unique = [...new Set(this.labelGroups.values())];
      const rank = (g: LabelGroup) => (g.other ? 2 : g.label === null ? 1 : 0);
      unique.sort((a, b) => rank(a) - rank(b) || b.group.rowCount - a.group.rowCount || ((a.label ?? '') < (b.label ?? '') ? -1 : 1));
      byLabel = unique.map((g) => ({ label: g.label, other: g.other, ...g.group.finish() }));
    }
    return { ...overall, labelColumn: this.labelColumn, byLabel };
  }
}

function mergeGroup(a: Group, b: Group): void {
  a.rowCount += b.rowCount;
  a.columns.forEach((acc, i) => mergeAccumulator(acc, b.columns[i]!));
}

/**
 * Statistics of a version given as record batches. `columns` defaults to the first batch's columns; an
 * empty version (no batches) needs them to report its columns.
 */
export function computeStats(batches: Iterable<RecordBatch>, columns?: readonly ColumnSpec[] | null, options: StatsOptions = {}): DatasetStats {
  let acc: StatsAccumulator | null = columns ? new StatsAccumulator(columns, options) : null;
  for (const b of batches) {
    acc ??= new StatsAccumulator(columnsOf(b), options);
    acc.add(b);
  }
  return (acc ?? new StatsAccumulator([], options)).finish();
}

/** Find a column's statistics by name. */
export function columnStats(stats: GroupStats, name: string): ColumnStats | undefined {
  return stats.columns.find((c) => c.name === name);
}
