/**
 * The labeling-function editor's form model: what the form holds (every kind's fields at once, so switching
 * the kind keeps what was typed), and the check that turns it into an `LfSpec` or names what is missing.
 * Pure: no Svelte, no store, no messages (a problem names its catalog key; the page translates it).
 */
import { regexProblem, type CompareOp, type LfSpec } from '../core/label/lf';
import type { ColumnInfo } from '../core/data/types';
import type { GoldSource } from '../protocol/label';
import type { MessageKey } from './i18n/catalog';

export type LfKind = LfSpec['kind'];
export const LF_KINDS = ['keywords', 'regex', 'threshold', 'code'] as const satisfies readonly LfKind[];

export interface LfDraft {
  /** '' for a new function. */
  id: string;
  name: string;
  kind: LfKind;
  textColumns: string[];
  keywords: string;
  match: 'word' | 'substring';
  pattern: string;
  flags: string;
  numColumn: string;
  op: CompareOp;
  /** The number field's value: '0' at first, then what Svelte's bind gives a number input (a number, or null when empty). */
  value: string | number | null;
  label: number;
  source: string;
}

export const CODE_TEMPLATE = '(row) => {\n  // return a class index (0, 1, …) or ABSTAIN\n  return ABSTAIN;\n}';

/** The columns each kind can read: text-like for keywords and regex, number-like for thresholds. */
export interface LfColumns {
  text: string[];
  numeric: string[];
  /** Columns that can serve as gold labels (all but images). */
  gold: string[];
}

export function lfColumns(columns: readonly Pick<ColumnInfo, 'name' | 'type'>[]): LfColumns {
  const names = (keep: (type: ColumnInfo['type']) => boolean) => columns.filter((c) => keep(c.type)).map((c) => c.name);
  return {
    text: names((t) => t === 'text' || t === 'categorical'),
    numeric: names((t) => t === 'number' || t === 'integer' || t === 'datetime' || t === 'boolean'),
    gold: names((t) => t !== 'image'),
  };
}

/** A new function's form: keywords on the first text column. */
export function blankDraft(cols: LfColumns): LfDraft {
  return {
    id: '',
    name: '',
    kind: 'keywords',
    textColumns: cols.text.slice(0, 1),
    keywords: '',
    match: 'word',
    pattern: '',
    flags: 'i',
    numColumn: cols.numeric[0] ?? '',
    op: '>',
    value: '0',
    label: 0,
    source: CODE_TEMPLATE,
  };
}

/** The form of a stored function, to edit it. */
export function draftFromSpec(s: LfSpec, cols: LfColumns): LfDraft {
  const d = blankDraft(cols);
  d.id = s.id;
  d.name = s.name;
  d.kind = s.kind;
  if (s.kind === 'keywords' || s.kind === 'regex') d.textColumns = typeof s.column === 'string' ? [s.column] : [...s.column];
  if (s.kind === 'keywords') Object.assign(d, { keywords: s.keywords.join(', '), match: s.match, label: s.label });
  if (s.kind === 'regex') Object.assign(d, { pattern: s.pattern, flags: s.flags ?? '', label: s.label });
  if (s.kind === 'threshold') Object.assign(d, { numColumn: s.column, op: s.op, value: String(s.value), label: s.label });
  if (s.kind === 'code') d.source = s.source;
  return d;
}

/** Why a form is not a function yet: a catalog key and its values. */
export type DraftProblem = { key: MessageKey; params?: Record<string, string> };

/**
 * The spec the form describes, or what is wrong with it. `count` is how many functions exist, for the
 * default name of an unnamed one ("keywords 3").
 */
export function draftToSpec(d: LfDraft, count: number): LfSpec | DraftProblem {
  const name = d.name.trim() || `${d.kind} ${count + 1}`;
  const base = { id: d.id, name };
  const column = d.textColumns.length === 1 ? d.textColumns[0]! : [...d.textColumns];
  switch (d.kind) {
    case 'keywords': {
      const keywords = d.keywords.split(',').map((w) => w.trim()).filter((w) => w !== '');
      if (keywords.length === 0) return { key: 'label.lf.keywords' };
      if (d.textColumns.length === 0) return { key: 'label.lf.column' };
      return { ...base, kind: 'keywords', column, keywords, match: d.match, label: d.label };
    }
    case 'regex':
      if (d.textColumns.length === 0) return { key: 'label.lf.column' };
      {
        const bad = regexProblem(d.pattern, d.flags);
        if (bad) return { key: 'label.error.lf-bad-regex', params: bad };
      }
      return { ...base, kind: 'regex', column, pattern: d.pattern, flags: d.flags, label: d.label };
    case 'threshold': {
      const text = String(d.value ?? '').trim();
      const value = Number(text);
      if (!d.numColumn) return { key: 'label.lf.noColumns' };
      if (text === '' || !Number.isFinite(value)) return { key: 'label.lf.value' };
      return { ...base, kind: 'threshold', column: d.numColumn, op: d.op, value, label: d.label };
    }
    case 'code':
      return { ...base, kind: 'code', source: d.source };
  }
}

export function isProblem(x: LfSpec | DraftProblem): x is DraftProblem {
  return !('kind' in x);
}

/** The gold select's value ('none', 'manual' or 'col:<name>') as the run's gold source. */
export function goldSource(key: string): GoldSource {
  if (key === 'none' || key === 'manual') return { kind: key };
  return { kind: 'column', column: key.slice('col:'.length) };
}
