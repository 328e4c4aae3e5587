/** A duration as the Train page says it: whole seconds, with minutes from one minute on. */
import { n, t } from './i18n.svelte';

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? t('train.seconds', { s: n(s) }) : t('train.minutes', { m: n(Math.floor(s / 60)), s: n(s % 60) });
}
