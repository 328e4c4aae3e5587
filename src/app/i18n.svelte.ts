/**
 * The current language and the translate function. The choice is remembered in localStorage (read
 * synchronously at start, so the first paint is already in the right language).
 */
import { catalogs, format, LOCALES, type Locale, type MessageKey } from './i18n/catalog';

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

/** Numbers in the current language's format. */
export function n(value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(i18n.locale, options).format(value);
}
