/**
 * Message catalogs. Each area of the app keeps its strings in one file under messages/, with English and
 * Traditional Chinese side by side, so a person adding a feature adds both at once. The types make a
 * missing zh-TW string a compile error.
 *
 * Placeholders are written {name} and filled by t(key, { name: value }). A {detail} holding an engine's
 * own English words (a parser's, TF.js's, the regex engine's) appears in the English text only: zh-TW
 * says the cause and the place without it.
 */
import { common } from './messages/common';
import { shell } from './messages/shell';
import { stages } from './messages/stages';
import { projects } from './messages/projects';
import { data } from './messages/data';
import { settings } from './messages/settings';
import { train } from './messages/train';
import { registry } from './messages/registry';
import { validate } from './messages/validate';
import { label } from './messages/label';
import { optimize } from './messages/optimize';
import { explain } from './messages/explain';
import { evaluate } from './messages/evaluate';
import { transform } from './messages/transform';
import { select } from './messages/select';
import { pipeline } from './messages/pipeline';
import { pipelineCt } from './messages/pipeline-ct';
import { pipelineEditor } from './messages/pipeline-editor';
import { serving } from './messages/serving';
import { tune } from './messages/tune';
import { tuneRun } from './messages/tune-run';
import { automl } from './messages/automl';
import { projectFile } from './messages/project-file';
import { lessons } from './messages/lessons';
import { charts } from './messages/charts';

export const LOCALES = ['en', 'zh-TW'] as const;
export type Locale = (typeof LOCALES)[number];

/** An area's messages: the English strings define the keys, zh-TW must have every one of them. */
export interface Messages<K extends string> {
  en: Record<K, string>;
  'zh-TW': Record<K, string>;
}

/** Helper that checks an area's catalog at compile time: zh-TW has exactly the keys of en. */
export function defineMessages<E extends Record<string, string>>(m: {
  en: E;
  'zh-TW': Record<keyof E, string>;
}): Messages<Extract<keyof E, string>> {
  return m as Messages<Extract<keyof E, string>>;
}

const areas = [common, shell, stages, projects, data, settings, validate, train, registry, label, explain, optimize, evaluate, transform, select, pipeline, pipelineCt, pipelineEditor, serving, tuneRun, projectFile, tune, charts, lessons, automl] as const;

type AreaKeys<A> = A extends Messages<infer K> ? K : never;
export type MessageKey = AreaKeys<(typeof areas)[number]>;

function merge(locale: Locale): Record<MessageKey, string> {
  const out = {} as Record<MessageKey, string>;
  for (const area of areas) Object.assign(out, area[locale]);
  return out;
}

export const catalogs: Record<Locale, Record<MessageKey, string>> = {
  en: merge('en'),
  'zh-TW': merge('zh-TW'),
};

/** Whether a key built at run time (from a preset id, a phase, a field name) is in the catalog. */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(catalogs.en, key);
}

/**
 * A plural: {count, plural, one {# file} other {# files}} picks the branch by Intl.PluralRules for the
 * locale (ICU MessageFormat's syntax; =N branches match exactly) and writes the number where # stands.
 * zh-TW needs only `other`. Branches hold plain text and #, no other placeholders.
 */
const PLURAL = /\{(\w+), plural,((?:\s*(?:=\d+|zero|one|two|few|many|other)\s*\{[^{}]*\})+)\s*\}/g;
const BRANCH = /(=\d+|zero|one|two|few|many|other)\s*\{([^{}]*)\}/g;

function plural(locale: Locale, value: number, branches: string): string | undefined {
  const forms = new Map([...branches.matchAll(BRANCH)].map((m) => [m[1]!, m[2]!]));
  const text = forms.get(`=${value}`) ?? forms.get(new Intl.PluralRules(locale).select(value)) ?? forms.get('other');
  return text?.replace(/#/g, new Intl.NumberFormat(locale).format(value));
}

/**
 * Fill {placeholders} and {name, plural, ...} choices; a missing parameter (or a plural's non-number)
 * stays visible as written so it is noticed, not hidden.
 */
export function format(template: string, params?: Record<string, string | number>, locale: Locale = 'en'): string {
  if (!params) return template;
  return template
    .replace(PLURAL, (whole, name: string, branches: string) => {
      const value = params[name];
      return typeof value === 'number' ? (plural(locale, value, branches) ?? whole) : whole;
    })
    .replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
