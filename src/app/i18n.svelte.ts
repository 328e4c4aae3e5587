/**
 * The current language and the translate function. The choice is remembered in localStorage (read
 * synchronously at start, so the first paint is already in the right language).
 */
import { catalogs, format, isMessageKey, LOCALES, type Locale, type MessageKey } from './i18n/catalog';

const STORAGE_KEY = 'pipette.locale';

function initialLocale(): Locale {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (saved && (LOCALES as readonly string[]).includes(saved)) return saved as Locale;
  const nav = globalThis.navigator?.language ?? 'en';
  return /^zh-(TW|HK|Hant)/i.test(nav) ? 'zh-TW' : 'en';
}

class I18n {
  locale = $state<Locale>(initialLocale());

  setLocale(locale: Locale) {
    this.locale = locale;
    globalThis.localStorage?.setItem(STORAGE_KEY, locale);
    document.documentElement.lang = locale;
  }
}

export const i18n = new I18n();

/** Translate a key in the current language. Reactive: components re-render when the language changes. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return format(catalogs[i18n.locale][key], params, i18n.locale);
}

/**
 * A key built from data whose values the types do not pin down (a preset id, a phase, a field name): its
 * message when the catalog has one, else the key's last part as it is. Keys built from a code union
 * need no such check: t() takes the template literal type itself.
 */
export function tKnown(key: string, params?: Record<string, string | number>): string {
  return isMessageKey(key) ? t(key, params) : key.slice(key.lastIndexOf('.') + 1);
}

/** Numbers in the current language's format. */
export function n(value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(i18n.locale, options).format(value);
}
