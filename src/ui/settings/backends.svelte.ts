/**
 * The Settings page's view of the training worker's backends. A module-level instance, so a probe's
 * result survives leaving and re-opening the page (the worker keeps the active backend anyway).
 */
import { trainWorker } from '../../app/workers';
import type { BackendName, BackendsInfo } from '../../protocol/train';

export type BackendsTask = { kind: 'idle' } | { kind: 'probing' } | { kind: 'switching'; name: BackendName };
export type BackendsFailure = { kind: 'check'; cause: unknown } | { kind: 'use'; name: BackendName; cause: unknown };

class BackendsState {
  info = $state.raw<BackendsInfo | null>(null);
  task = $state.raw<BackendsTask>({ kind: 'idle' });
  failure = $state.raw<BackendsFailure | null>(null);

  get busy(): boolean {
    return this.task.kind !== 'idle';
  }

  /** Probe every backend (the first call starts the worker and loads TF.js); a saved check is used unless `recheck`. */
  async check(recheck = false): Promise<void> {
    if (this.busy) return;
    this.task = { kind: 'probing' };
    this.failure = null;
    try {
      this.info = await trainWorker.api.probeBackends({ recheck });
    } catch (cause) {
      this.failure = { kind: 'check', cause };
    } finally {
      this.task = { kind: 'idle' };
    }
  }

  /** Make `name` the active backend in the training worker. */
  async use(name: BackendName): Promise<void> {
    if (this.busy) return;
    this.task = { kind: 'switching', name };
    this.failure = null;
    try {
      this.info = await trainWorker.api.setBackend(name);
    } catch (cause) {
      this.failure = { kind: 'use', name, cause };
    } finally {
      this.task = { kind: 'idle' };
    }
  }
}

export const backends = new BackendsState();
