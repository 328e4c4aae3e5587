/** Numbers and errors of the Fairness and Explanations tabs, in the person's language. */
import { errorMessage, evalWhat } from '../../app/format';
import { n, t, tKnown } from '../../app/i18n.svelte';
import { codedErrorData } from '../../core/coded-errors';
import type { EvalErrorCode } from '../../core/evaluate/errors';
import type { WhatIfValue } from '../../protocol/explain';

/** A rate, score or attribution: four significant digits, "n/a" when undefined. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return t('explain.fairness.undefined');
  if (x === 0 || Math.abs(x) >= 1000) return n(x, { maximumFractionDigits: 2 });
  return n(x, { maximumSignificantDigits: 4 });
}

export function pct(x: number): string {
  return n(x, { style: 'percent', maximumFractionDigits: 1 });
}

/** A dataset value as text; missing values say so. */
export function cell(v: WhatIfValue | undefined): string {
  if (v === null || v === undefined || v === '') return t('explain.missing');
  return String(v);
}

/** What the tabs evaluate on, e.g. "the test split ... (52 rows)". */
export function partLabel(part: string, rows: number): string {
  return tKnown(`explain.part.${part}`, { rows: n(rows) });
}

/** The EvalError codes the explanation tabs word in their own terms (the rest, bad-option too, as everywhere else). */
const EXPLAIN_CODES = ['length-mismatch', 'missing-column', 'one-group', 'one-class', 'input-mismatch', 'non-finite'] as const satisfies readonly EvalErrorCode[];
type ExplainCode = (typeof EXPLAIN_CODES)[number];
const isExplainCode = (code: string): code is ExplainCode => (EXPLAIN_CODES as readonly string[]).includes(code);

/**
 * An error from the worker in the person's language: EvalErrors by their code (naming the column), a
 * cancel as "Cancelled", everything else as the app's other errors are shown.
 */
export function explainError(e: unknown): string {
  const coded = codedErrorData(e);
  const ev = coded?.kind === 'EvalError' && isExplainCode(coded.code) ? { ...coded, code: coded.code } : undefined;
  if (ev) {
    const { column, params = {} } = ev.details;
    if (ev.code === 'input-mismatch' && !column) return t('explain.error.input-mismatch.nocolumn');
    return t(`explain.error.${ev.code}`, { expected: '', actual: '', groups: '', positives: '', negatives: '', ...params, what: evalWhat(params.what), column: column ?? '' });
  }
  if (e instanceof Error && e.name === 'AbortError') return t('explain.cancelled');
  return errorMessage(e);
}
