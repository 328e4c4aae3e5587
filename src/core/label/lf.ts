/**
 * Labeling functions (Ratner et al., Snorkel): each maps a row to a class index or ABSTAIN. Three kinds
 * need no code and are compiled here to matchers that read one column array directly (no row objects);
 * the fourth is user-written JavaScript, which only ever runs in the sandboxed worker (runner.ts).
 * Applying m functions to n rows gives the label matrix L: n x m, row-major, ABSTAIN (-1) where silent.
 */
import { labelArray, type SandboxCell } from './sandbox';
import { lfSpecError } from './errors';

export const ABSTAIN = -1;

export type Cell = SandboxCell;
/** One column's values by row: a plain array, or a typed array for numeric columns. */
export type ColumnValues = ArrayLike<Cell>;
/** Columns by name, all of the same length. */
export type Columns = Readonly<Record<string, ColumnValues>>;

export type CompareOp = '<' | '<=' | '>' | '>=';

interface LfBase {
  id: string;
  name: string;
}

/** Any of the keywords, case-insensitive, in any of the columns -> `label`. */
export interface KeywordLf extends LfBase {
  kind: 'keywords';
  column: string | readonly string[];
  keywords: readonly string[];
  /** 'word': not inside a longer word (letters, digits, _ on neither side); 'substring': anywhere. */
  match: 'word' | 'substring';
  label: number;
}

/** The regular expression finds a match in any of the columns -> `label`. */
export interface RegexLf extends LfBase {
  kind: 'regex';
  column: string | readonly string[];
  pattern: string;
  /** JavaScript flags; g and y are dropped (they make test() stateful). */
  flags?: string;
  label: number;
}

/** `value op threshold` on a numeric column -> `label`; missing or non-numeric values abstain. */
export interface ThresholdLf extends LfBase {
  kind: 'threshold';
  column: string;
  op: CompareOp;
  value: number;
  label: number;
}

/** `(row) => classIndex | ABSTAIN`, as source text. Runs only in the labeling-function worker. */
export interface CodeLf extends LfBase {
  kind: 'code';
  source: string;
}

export type LfSpec = KeywordLf | RegexLf | ThresholdLf | CodeLf;
export type NoCodeLf = Exclude<LfSpec, CodeLf>;


/** The label matrix: n rows x m functions, row-major, entries in [0, k) or ABSTAIN. */
export interface LabelMatrix {
  n: number;
  m: number;
  k: number;
  data: Int8Array | Int16Array;
}

export function emptyLabelMatrix(n: number, m: number, k: number): LabelMatrix {
  return { n, m, k, data: labelArray(n * m, k) };
}

/** Copy one function's labels (length n) into column j. */
export function setLfColumn(L: LabelMatrix, j: number, labels: ArrayLike<number>): void {
  const { n, m, data } = L;
  for (let i = 0; i < n; i++) data[i * m + j] = labels[i]!;
}

/** Column j of L as its own array. */
export function lfColumn(L: LabelMatrix, j: number): Int8Array | Int16Array {
  const out = labelArray(L.n, L.k);
  for (let i = 0; i < L.n; i++) out[i] = L.data[i * L.m + j]!;
  return out;
}

function checkLabel(spec: LfSpec & { label: number }, k: number): void {
  if (!Number.isInteger(spec.label) || spec.label < 0 || spec.label >= k)
    throw lfSpecError(spec.id, 'lf-not-a-class', `label ${spec.label} is not a class (0..${k - 1})`, { label: String(spec.label), last: k - 1 });
}

const columnsOf = (c: string | readonly string[]): readonly string[] => (typeof c === 'string' ? [c] : c);

/** A test on one cell value. */
export type Matcher = (value: Cell) => boolean;

const WORD_CHAR = /[\p{L}\p{N}_]/u;
const isWordChar = (text: string, at: number): boolean => {
  if (at < 0 || at >= text.length) return false;
  const c = text.charCodeAt(at);
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  return WORD_CHAR.test(text[at]!);
};

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A keyword test. One case-insensitive alternation finds candidates (longest keyword first, so "click
 * here" wins over "click"); whole-word then checks the characters on either side by hand, so keywords
 * such as "$$$" (no word characters) work. Look-arounds in the pattern would say the same, but V8 runs
 * them tens of times slower over long text (measured on 100,000 emails, ten keywords: 6.1 s with
 * /(?<![\p{L}\p{N}_])(?:...)(?![\p{L}\p{N}_])/iu against 0.5 s for the bare alternation).
 */
export function keywordMatcher(spec: KeywordLf): (text: string) => boolean {
  const words = [...new Set(spec.keywords.map((w) => w.trim().toLowerCase()).filter((w) => w.length > 0))].sort((x, y) => y.length - x.length);
  if (words.length === 0) throw lfSpecError(spec.id, 'lf-no-keywords', 'no keywords');
  const ascii = words.every((w) => /^[\x00-\x7f]*$/.test(w));
  const alt = words.map(escapeRegex).join('|');
  if (spec.match === 'substring') {
    const re = new RegExp(alt, ascii ? 'i' : 'iu');
    return (text) => re.test(text);
  }
  const re = new RegExp(alt, ascii ? 'gi' : 'giu');
  const whole = (text: string, at: number, len: number) => !isWordChar(text, at - 1) && !isWordChar(text, at + len);
  return (text) => {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (whole(text, m.index, m[0].length)) return true;
      // The longest keyword here is not a whole word; a shorter one starting here may be.
      for (const w of words)
        if (w.length < m[0].length && text.slice(m.index, m.index + w.length).toLowerCase() === w && whole(text, m.index, w.length)) return true;
      re.lastIndex = m.index + 1;
    }
    return false;
  };
}

/**
 * Why a pattern does not compile, or null: the pattern, and the engine's reason without its
 * "Invalid regular expression: /.../flags: " lead (English engine words, a detail for English readers).
 */
export function regexProblem(pattern: string, flags: string): { pattern: string; detail: string } | null {
  try {
    new RegExp(pattern, flags.replace(/[gy]/g, ''));
    return null;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { pattern, detail: message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') };
  }
}

/** Compile a no-code function to a cell matcher. */
export function compileMatcher(spec: NoCodeLf): Matcher {
  switch (spec.kind) {
    case 'keywords': {
      const match = keywordMatcher(spec);
      return (v) => typeof v === 'string' && match(v);
    }
    case 'regex': {
      const bad = regexProblem(spec.pattern, spec.flags ?? '');
      if (bad) throw lfSpecError(spec.id, 'lf-bad-regex', `invalid regular expression: ${bad.detail}`, bad);
      const re = new RegExp(spec.pattern, (spec.flags ?? '').replace(/[gy]/g, ''));
      return (v) => typeof v === 'string' && re.test(v);
    }
    case 'threshold': {
      const t = spec.value;
      if (!Number.isFinite(t)) throw lfSpecError(spec.id, 'lf-bad-threshold', `threshold ${t} is not a finite number`, { value: String(t) });
      const num = (v: Cell) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);
      // NaN compares false under every operator, so missing and non-numeric values abstain.
      switch (spec.op) {
        case '<':
          return (v) => num(v) < t;
        case '<=':
          return (v) => num(v) <= t;
        case '>':
          return (v) => num(v) > t;
        case '>=':
          return (v) => num(v) >= t;
        default:
          throw lfSpecError(spec.id, 'lf-bad-operator', `unknown operator ${String(spec.op)}`, { op: String(spec.op) });
      }
    }
  }
}

/** Check a spec against the columns and classes without running it. */
export function validateLf(spec: LfSpec, columns: Columns, k: number): void {
  if (spec.kind === 'code') {
    if (spec.source.trim() === '') throw lfSpecError(spec.id, 'lf-no-code', 'no code');
    return;
  }
  checkLabel(spec, k);
  for (const c of columnsOf(spec.column)) if (!(c in columns)) throw lfSpecError(spec.id, 'lf-no-column', `no column "${c}"`, { column: c });
  compileMatcher(spec);
}

/** Apply one no-code function to n rows: its labels, ABSTAIN where it does not match. */
export function applyNoCodeLf(spec: NoCodeLf, columns: Columns, n: number, k: number): Int8Array | Int16Array {
  validateLf(spec, columns, k);
  const match = compileMatcher(spec);
  const cols = columnsOf(spec.column).map((c) => columns[c]!);
  const out = labelArray(n, k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < cols.length; c++) {
      if (match(cols[c]![i])) {
        out[i] = spec.label;
        break;
      }
    }
  }
  return out;
}

/** Apply no-code functions to n rows. Code functions are refused here: they belong in the worker. */
export function applyNoCode(specs: readonly NoCodeLf[], columns: Columns, n: number, k: number): LabelMatrix {
  const L = emptyLabelMatrix(n, specs.length, k);
  specs.forEach((spec, j) => {
    if ((spec as LfSpec).kind === 'code') throw lfSpecError(spec.id, 'lf-code-elsewhere', 'code functions run only in the labeling-function worker');
    setLfColumn(L, j, applyNoCodeLf(spec, columns, n, k));
  });
  return L;
}
