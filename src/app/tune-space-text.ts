/**
 * The search space's problems and places in the person's language: a TuneError by its code, naming the
 * hyperparameter and the place it sets with the Train stage's own words for fields (learning rate, units).
 */
import type { SerializedTuneError } from '../core/tune/errors';
import { t } from './i18n.svelte';
import { isMessageKey } from './i18n/catalog';

const LAYER_FIELD_KEYS: Record<string, string> = { kernelSize: 'kernel', poolSize: 'pool' };

function fieldLabel(field: string): string {
  const key = `train.layers.${LAYER_FIELD_KEYS[field] ?? field}`;
  return isMessageKey(key) ? t(key) : field;
}

/** `hyper.learningRate` -> "Learning rate", `layers[2].units` -> "layer 3 units", blocks likewise (1-based). */
export function placeText(path: string): string {
  const hyper = /^hyper\.(\w+)$/.exec(path);
  if (hyper) {
    const key = `train.form.${hyper[1]}`;
    return isMessageKey(key) ? t(key) : path;
  }
  const layer = /^layers\[(\d+)\]\.(\w+)$/.exec(path);
  if (layer) return t('tune.place.layer', { n: Number(layer[1]) + 1, field: fieldLabel(layer[2]!) });
  const block = /^blocks\[(\d+)\]\.layers\[(\d+)\]\.(\w+)$/.exec(path);
  if (block) return t('tune.place.block', { block: Number(block[1]) + 1, n: Number(block[2]) + 1, field: fieldLabel(block[3]!) });
  const count = /^blocks\[(\d+)\]\.count$/.exec(path);
  if (count) return t('tune.place.count', { block: Number(count[1]) + 1 });
  return path;
}

/** A TuneError (thrown or as data) in the person's language. */
export function tuneErrorText({ code, details }: Pick<SerializedTuneError, 'code' | 'details'>): string {
  const params = details.params ?? {};
  const values: Record<string, string | number> = { index: '', path: '', value: '', min: '', max: '', step: '', parent: '', block: '', at: '', ...params, param: details.param ?? '' };
  if (typeof params.index === 'number') values.index = params.index + 1;
  values.what = typeof params.what === 'string' && isMessageKey(`tune.what.${params.what}`) ? t(`tune.what.${params.what}` as 'tune.what.min') : '';
  values.place = typeof params.path === 'string' ? placeText(params.path) : '';
  const fieldKey = `tune.field.${details.field ?? ''}`;
  values.field = details.field ? (isMessageKey(fieldKey) ? t(fieldKey) : details.field) : '';
  return t(`tune.error.${code}`, values);
}
