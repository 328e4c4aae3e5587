/** The backend check saved per browser and TF.js version (issue 16: Settings takes a moment, not a minute). */
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateBackend } from '../../../src/core/train/activate';
import { BackendSelector, CHECK_VERSION, checkCacheKey, type BackendCheckCache, type SavedCheck } from '../../../src/core/train/backends';
import type { BackendName } from '../../../src/core/train/backend-types';
import { indexedDbTimingCache } from '../../../src/services/backend-check-cache';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A selector over cpu and webgl (missing in Node) that counts every backend it initializes. */
function countingSelector(store: BackendCheckCache, key: string) {
  const started: BackendName[] = [];
  const selector = new BackendSelector(
    async (name) => {
      started.push(name);
      await activateBackend(name);
    },
    { names: ['webgl', 'cpu'], timing: { warmup: 0, repeats: 1 }, cache: { store, key } },
  );
  return { selector, started };
}

function memoryStore(): BackendCheckCache & { saved: Map<string, SavedCheck> } {
  const saved = new Map<string, SavedCheck>();
  return { saved, get: async (k) => saved.get(k), put: async (k, v) => void saved.set(k, v) };
}

describe('the saved backend check', () => {
  it('is measured once, then read: the second probe (a new worker) initializes only the backend it activates', async () => {
    const store = memoryStore();
    const first = countingSelector(store, 'browser A');
    const measured = await first.selector.probe();
    // the cpu reference, each backend checked, then the fastest activated
    expect(first.started).toEqual(['cpu', 'webgl', 'cpu', 'cpu']);
    expect(measured.cached).toBe(false);
    expect(store.saved.get('browser A')?.reports).toEqual(measured.backends);

    const second = countingSelector(store, 'browser A');
    const read = await second.selector.probe();
    expect(second.started).toEqual(['cpu']);
    expect(read).toMatchObject({ active: 'cpu', cached: true, checkedAt: measured.checkedAt, backends: measured.backends });
  });

  it('is measured again for another key, and on Re-check', async () => {
    const store = memoryStore();
    await countingSelector(store, 'browser A').selector.probe();
    const other = countingSelector(store, 'browser B');
    expect((await other.selector.probe()).cached).toBe(false);
    expect(other.started).toHaveLength(4);

    const again = countingSelector(store, 'browser A');
    const rechecked = await again.selector.probe({ recheck: true });
    expect(again.started).toHaveLength(4);
    expect(rechecked.cached).toBe(false);
    expect(rechecked.checkedAt).toBe(store.saved.get('browser A')!.checkedAt);
  });

  it('keys on the browser, the TF.js version, the check version and isolation', () => {
    const key = checkCacheKey('UA 1', true);
    expect(JSON.parse(key)).toEqual(['UA 1', tf.version.tfjs, CHECK_VERSION, true]);
    expect(new Set([key, checkCacheKey('UA 2', true), checkCacheKey('UA 1', false)]).size).toBe(3);
  });
});

describe("models' saved step times in IndexedDB", () => {
  it('are kept apart per prefix (browser and wasm threads), replaced by a newer timing, and all forgotten by clear', async () => {
    const one = indexedDbTimingCache('browser A, 1 thread');
    const two = indexedDbTimingCache('browser A, 2 threads');
    const times = (ms: number) => ({ candidates: [{ name: 'wasm' as const, msPerStep: ms }], timedAt: ms });
    await one.put('model', times(1));
    expect(await one.get('model')).toEqual(times(1));
    expect(await two.get('model')).toBeUndefined();
    await two.put('model', times(2));
    await one.put('model', times(3));
    expect(await one.get('model')).toEqual(times(3));
    expect(await two.get('model')).toEqual(times(2));
    await one.clear();
    expect(await one.get('model')).toBeUndefined();
    expect(await two.get('model')).toBeUndefined();
  });
});
