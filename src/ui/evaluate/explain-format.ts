/** Numbers and errors of the Fairness and Explanations tabs, in the person's language. */
import { errorMessage } from '../../app/format';
import { n, t } from '../../app/i18n.svelte';
import type { MessageKey } from '../../app/i18n/catalog';
import { EvalError, isSerializedEvalError } from '../../core/evaluate/errors';
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
  const key = `explain.part.${part}` as MessageKey;
  return t(key, { rows: n(rows) });
}

/**
 * An error from the worker in the person's language: EvalErrors by their code (naming the column), a
 * cancel as "Cancelled", everything else as the app's other errors are shown.
 */
export function explainError(e: unknown): string {
  const ev = e instanceof EvalError ? e.toJSON() : isSerializedEvalError(e) ? e : undefined;
  if (ev) {
    const { column, params = {} } = ev.details;
    if (ev.code === 'input-mismatch' && !column) return t('explain.error.input-mismatch.nocolumn');
    const detail = ev.code === 'bad-option' ? ev.message : '';
    return t(`explain.error.${ev.code}` as MessageKey, { what: '', expected: '', actual: '', groups: '', positives: '', negatives: '', ...params, column: column ?? '', detail });
  }
  if (e instanceof Error && e.name === 'AbortError') return t('explain.cancelled');
  return errorMessage(e);
}
