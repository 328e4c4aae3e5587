/**
 * A layer-stack problem (core/model/model-spec SpecIssue) in the person's language: the core gives a code
 * and the values it names; the words come from the catalog.
 */
import { n, t, tKnown } from './i18n.svelte';
import type { SpecIssue } from '../core/model/model-spec';

export function specIssueText(issue: SpecIssue): string {
  const p = issue.params;
  const values: Record<string, string | number> = { ...p };
  if (typeof p.what === 'string') values.what = tKnown(`train.spec.what.${p.what}`);
  if (typeof p.total === 'number') values.total = n(p.total);
  if (typeof p.max === 'number') values.max = n(p.max);
  if (issue.code === 'rank') {
    values.need = tKnown(`train.spec.need.${p.need}`);
    values.got = tKnown(`train.spec.shape.${p.gotRank}`, { shape: String(p.got) });
    values.fix = p.fix ? tKnown(`train.spec.fix.${p.fix}`) : '';
  }
  if (issue.code === 'head-flat') values.got = tKnown(`train.spec.shape.${p.gotRank}`, { shape: String(p.got) });
  const text = t(`train.spec.${issue.code}`, values);
  if (issue.at === 'input') return t('train.spec.at.input', { text });
  if (issue.at === 'output') return t('train.spec.at.output', { text });
  return p.layer ? t('train.spec.at.layer', { n: issue.at + 1, layer: String(p.layer), text }) : t('train.spec.at.layerUnknown', { n: issue.at + 1, text });
}
