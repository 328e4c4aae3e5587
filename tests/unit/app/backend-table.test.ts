/** The words of a run's backend table (ui/train/RunView.svelte) in both languages. */
import { afterAll, describe, expect, it } from 'vitest';
import { candidateParity } from '../../../src/app/format';
import { i18n } from '../../../src/app/i18n.svelte';

afterAll(() => {
  i18n.locale = 'en';
});

describe("a run's backend table", () => {
  it('calls cpu the parity reference, and only cpu: an unavailable backend was not checked', () => {
    i18n.locale = 'en';
    expect(candidateParity({ name: 'cpu' })).toBe('reference');
    expect(candidateParity({ name: 'webgpu' })).toBe('—');
    expect(candidateParity({ name: 'wasm', parityOk: true })).toBe('passed');
    expect(candidateParity({ name: 'webgl', parityOk: false })).toBe('failed');
    i18n.locale = 'zh-TW';
    expect(candidateParity({ name: 'webgpu' })).toBe('—');
    expect(candidateParity({ name: 'cpu' })).toBe('基準');
  });
});
