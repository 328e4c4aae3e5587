/**
 * A live query that re-runs at most every `minMs`. Dexie's liveQuery re-runs (and deserializes its
 * records) on every write; a run writes its record after every epoch, and small datasets train dozens of
 * epochs a second, which would keep the main thread busy re-reading growing histories. Here a write
 * only marks the result stale; the query runs again after the interval (the last write always lands).
 */
import { Dexie } from 'dexie';
import { db } from '../store/db';
import type { Live } from './live.svelte';

export function liveThrottled<A, T>(tables: readonly string[], args: () => A, query: (args: A) => Promise<T>, initial: T, minMs = 600): Live<T> {
  let value = $state.raw<T>(initial);
  let loading = $state(true);
  let error = $state.raw<unknown>(undefined);
  $effect(() => {
    const a = args(); // tracked: new arguments start over
    const prefixes = tables.map((t) => `idb://${db().name}/${t}/`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = -Infinity;
    let running = false;
    let dirty = false;
    let stopped = false;
    const run = async () => {
      running = true;
      dirty = false;
      last = performance.now();
      try {
        const v = await query(a);
        if (!stopped) {
          value = v;
          loading = false;
          error = undefined;
        }
      } catch (e) {
        if (!stopped) {
          error = e;
          loading = false;
        }
      } finally {
        running = false;
        if (dirty) schedule();
      }
    };
    const schedule = () => {
      if (stopped) return;
      if (running) {
        dirty = true;
        return;
      }
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        void run();
      }, Math.max(0, minMs - (performance.now() - last)));
    };
    const onMutated = (parts: Record<string, unknown>) => {
      if (Object.keys(parts).some((k) => prefixes.some((p) => k.startsWith(p)))) schedule();
    };
    Dexie.on('storagemutated', onMutated);
    void run();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      Dexie.on.storagemutated.unsubscribe(onMutated);
    };
  });
  return {
    get value() {
      return value;
    },
    get loading() {
      return loading;
    },
    get error() {
      return error;
    },
  };
}
