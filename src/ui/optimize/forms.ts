/** Form checks of the Optimize stage: a message naming the field, or '' when the value is fine. */
import { t } from '../../app/i18n.svelte';
import type { MessageKey } from '../../app/i18n/catalog';

const label = (field: string) => t(`optimize.field.${field}` as MessageKey);

export function sparsityIssue(field: 'initialSparsity' | 'finalSparsity', v: number | null): string {
  return typeof v === 'number' && v >= 0 && v < 1 ? '' : t('optimize.form.sparsityRange', { field: label(field) });
}

export function wholeIssue(field: string, v: number | null, min: number): string {
  return typeof v === 'number' && Number.isInteger(v) && v >= min ? '' : t('optimize.form.wholeNumber', { field: label(field), min });
}

export function positiveIssue(field: string, v: number | null): string {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? '' : t('optimize.form.positive', { field: label(field) });
}
