/**
 * App settings, one knob each with its default and why (in the spirit of tfjs's flags). Remembered in
 * localStorage: they are small and needed synchronously at start.
 */
import { WASM_THREADS_CHOICES, type WasmThreadsChoice } from '../core/train/threads';

const KEY = 'pipette.settings';

interface SettingsValues {
  /**
   * Largest import, in bytes. Imports stream, so memory is not the limit; the browser's storage quota
   * is. 2 GB keeps a mistaken drop of a huge file from filling the disk. Default 2 GiB.
   */
  maxImportBytes: number;
  /** Colour theme: 'system' follows prefers-color-scheme (src/app/theme.svelte.ts). Default 'system'. */
  theme: ThemeChoice;
  /**
   * The wasm backend's threads where the page is cross-origin isolated: 'auto' by the size of the model's
   * step (core/train/threads.ts), or every core, or one. Default 'auto'.
   */
  wasmThreads: WasmThreadsChoice;
}

export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

const DEFAULTS: SettingsValues = { maxImportBytes: 2 * 1024 ** 3, theme: 'system', wasmThreads: 'auto' };

function load(): SettingsValues {
  try {
    return { ...DEFAULTS, ...JSON.parse(globalThis.localStorage?.getItem(KEY) ?? '{}') };
  } catch {
    return { ...DEFAULTS };
  }
}

class Settings {
  #values = $state<SettingsValues>(load());

  get maxImportBytes(): number {
    return this.#values.maxImportBytes;
  }
  set maxImportBytes(v: number) {
    this.#values.maxImportBytes = v;
    localStorage.setItem(KEY, JSON.stringify(this.#values));
  }

  get theme(): ThemeChoice {
    return THEME_CHOICES.includes(this.#values.theme) ? this.#values.theme : 'system';
  }
  set theme(v: ThemeChoice) {
    this.#values.theme = v;
    localStorage.setItem(KEY, JSON.stringify(this.#values));
  }

  get wasmThreads(): WasmThreadsChoice {
    return WASM_THREADS_CHOICES.includes(this.#values.wasmThreads) ? this.#values.wasmThreads : 'auto';
  }
  set wasmThreads(v: WasmThreadsChoice) {
    this.#values.wasmThreads = v;
    localStorage.setItem(KEY, JSON.stringify(this.#values));
  }
}

export const settings = new Settings();
export { WASM_THREADS_CHOICES, type WasmThreadsChoice };
