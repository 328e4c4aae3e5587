/**
 * A Dexie liveQuery as a Svelte 5 reactive value. Call it while a component initializes; it re-runs when
 * the tables it read change, in this tab, another tab or a worker, and when reactive values the query
 * function reads change.
 */
import { liveQuery } from 'dexie';

export interface Live<T> {
  readonly value: T;
  /** Set while the first result has not arrived. */
  readonly loading: boolean;
  readonly error: unknown;
}

export function live<T>(query: () => Promise<T> | T, initial: T): Live<T> {
  let value = $state.raw<T>(initial);
  let loading = $state(true);
  let error = $state.raw<unknown>(undefined);
  $effect(() => {
    const subscription = liveQuery(query).subscribe({
      next(v) {
        value = v;
        loading = false;
        error = undefined;
      },
      error(e) {
        error = e;
        loading = false;
      },
    });
    return () => subscription.unsubscribe();
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
