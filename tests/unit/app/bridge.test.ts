/**
 * The page's worker bridge (src/app/workers/bridge.ts) over a real Comlink channel: it starts the worker
 * on the first call, stops it when it has been idle and says it holds nothing, and starts a fresh one on
 * the next call. The "worker" is a MessagePort with terminate(), its API exposed by Comlink as in a worker.
 */
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerBridge } from '../../../src/app/workers/bridge';
import { WorkerThreads } from '../../../src/app/workers/train-threads';
import { threadsOfWorkerName, trainWorkerName } from '../../../src/protocol/train';
import { ALL_PRESETS } from '../../../src/app/train-presets';
import type { RunConfig } from '../../../src/store/training-records';

interface Api {
  idle(): Promise<boolean>;
  echo(x: number): Promise<number>;
  /** Resolves when the test says. */
  wait(): Promise<string>;
}

const ports: MessagePort[] = [];
afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

/** A fake worker factory: each start makes a new channel and API instance; `holds` is that worker's state. */
function workers() {
  const started: { terminated: boolean; holds: boolean; release: (v: string) => void }[] = [];
  const create = () => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    let release!: (v: string) => void;
    const waiting = new Promise<string>((r) => (release = r));
    const me = { terminated: false, holds: false, release };
    started.push(me);
    Comlink.expose({ idle: async () => !me.holds, echo: async (x: number) => x * 2, wait: () => waiting } satisfies Api, port2);
    return Object.assign(port1, { terminate: () => ((me.terminated = true), port1.close()) }) as unknown as Worker;
  };
  return { started, create };
}

/** The next idle check's outcome. */
function nextCheck(checks: ((stopped: boolean) => void)[]): Promise<boolean> {
  return new Promise((resolve) => checks.push(resolve));
}

describe('WorkerBridge', () => {
  it('starts lazily, stops when idle, and starts a fresh worker on the next call', async () => {
    const { started, create } = workers();
    const checks: ((stopped: boolean) => void)[] = [];
    const bridge = new WorkerBridge<Api>(create, { idleMs: 5, onIdleCheck: (s) => checks.shift()?.(s) });
    expect(bridge.started).toBe(false);
    const check = nextCheck(checks);
    expect(await bridge.api.echo(21)).toBe(42);
    expect(started).toHaveLength(1);
    expect(await check).toBe(true);
    expect(started[0]!.terminated).toBe(true);
    expect(bridge.started).toBe(false);
    expect(bridge.stops).toBe(1);
    expect(await bridge.api.echo(2)).toBe(4);
    expect(started).toHaveLength(2);
    expect(started[1]!.terminated).toBe(false);
  });

  it('keeps a worker that holds state, and never stops one with a call outstanding', async () => {
    const { started, create } = workers();
    const checks: ((stopped: boolean) => void)[] = [];
    const bridge = new WorkerBridge<Api>(create, { idleMs: 5, onIdleCheck: (s) => checks.shift()?.(s) });
    let check = nextCheck(checks);
    await bridge.api.echo(1);
    started[0]!.holds = true;
    expect(await check).toBe(false);
    expect(started[0]!.terminated).toBe(false);

    // a long call: no idle check while it runs (the next check comes only after it settles)
    started[0]!.holds = false;
    const long = bridge.api.wait();
    await bridge.api.echo(1); // settles while `wait` is outstanding: must not arm the timer
    check = nextCheck(checks);
    started[0]!.release('done');
    expect(await long).toBe('done');
    expect(await check).toBe(true);
    expect(started).toHaveLength(1);
    expect(started[0]!.terminated).toBe(true);
  });

  it('never stops a bridge without idleMs', async () => {
    const { started, create } = workers();
    const bridge = new WorkerBridge<Api>(create);
    await bridge.api.echo(1);
    await bridge.api.echo(2);
    expect(started).toHaveLength(1);
    expect(bridge.stops).toBe(0);
    bridge.terminate();
    expect(started[0]!.terminated).toBe(true);
  });

  it('gives one API object that outlives a stop: a kept one reaches the fresh worker', async () => {
    const { started, create } = workers();
    const bridge = new WorkerBridge<Api>(create);
    const kept = bridge.api;
    expect(await kept.echo(1)).toBe(2);
    expect(await bridge.stopIfIdle()).toBe(true);
    expect(bridge.api).toBe(kept);
    expect(await kept.echo(5)).toBe(10);
    expect(started).toHaveLength(2);
    expect(started[0]!.terminated).toBe(true);
    expect(started[1]!.terminated).toBe(false);
    // not a thenable (awaiting it must not call the worker)
    expect(await Promise.resolve(kept)).toBe(kept);
  });

  it('stops an idle worker on request, and keeps a busy one', async () => {
    const { started, create } = workers();
    const bridge = new WorkerBridge<Api>(create);
    expect(await bridge.stopIfIdle()).toBe(true); // none running
    await bridge.api.echo(1);
    started[0]!.holds = true;
    expect(await bridge.stopIfIdle()).toBe(false);
    started[0]!.holds = false;
    const long = bridge.api.wait();
    expect(await bridge.stopIfIdle()).toBe(false); // a call outstanding
    started[0]!.release('done');
    await long;
    expect(await bridge.stopIfIdle()).toBe(true);
    expect(started[0]!.terminated).toBe(true);
    expect(bridge.stops).toBe(1);
  });
});

describe('WorkerThreads: the training worker restarts for a model that wants another thread count', () => {
  const MNIST = { input: { kind: 'image' as const, height: 28, width: 28, channels: 1 }, classes: 10 };
  const config = (presetId: string, backend: RunConfig['backend'] = 'auto') =>
    ({ spec: ALL_PRESETS.find((p) => p.id === presetId)!.make(MNIST), hyper: { batchSize: 64 }, backend }) as unknown as RunConfig;

  it('names a worker by its count; every core is the plain name', () => {
    expect(trainWorkerName('train', null)).toBe('train');
    expect(threadsOfWorkerName('train')).toBeNull();
    expect(threadsOfWorkerName(trainWorkerName('train-2', 1))).toBe(1);
    expect(threadsOfWorkerName(trainWorkerName('train', 3))).toBe(3);
  });

  it('starts with the count the first run wants, and restarts an idle worker for another', async () => {
    const { started, create } = workers();
    const threads = new WorkerThreads(4, true);
    const names: string[] = [];
    const bridge = new WorkerBridge<Api>(() => (names.push(threads.name('train')), create()));
    await threads.fit(bridge, config('mlp-pixels'), 'auto');
    await bridge.api.echo(1);
    expect(names).toEqual(['train (1 thread)']);
    // the same count again: the same worker
    await threads.fit(bridge, config('mlp-pixels'), 'auto');
    await bridge.api.echo(1);
    expect(started).toHaveLength(1);
    // the CNN splits its batches between two workers, which share the 4 cores: the idle worker is stopped
    // and the next call starts one on 2 threads
    expect(await threads.fit(bridge, config('small-cnn'), 'auto')).toEqual({ threads: 2, split: true });
    expect(started[0]!.terminated).toBe(true);
    await bridge.api.echo(1);
    expect(names).toEqual(['train (1 thread)', 'train (2 threads)']);
    // Settings' choice overrides the model's size: every core in one worker
    expect(await threads.fit(bridge, config('small-cnn'), 'all')).toEqual({ threads: 4, split: false });
    await bridge.api.echo(1);
    expect(names).toEqual(['train (1 thread)', 'train (2 threads)', 'train']);
    // a pool's worker (Tune: no partner to give) of one gets every core for the CNN instead of the split
    expect(await threads.fit(bridge, config('small-cnn'), 'auto', 1)).toEqual({ threads: 4, split: false });
  });

  it('keeps a busy worker, and never restarts for a run on another backend or on a page without isolation', async () => {
    const { started, create } = workers();
    const threads = new WorkerThreads(2, true);
    const bridge = new WorkerBridge<Api>(() => (threads.name('train'), create()));
    await bridge.api.echo(1); // started on every core
    started[0]!.holds = true;
    await threads.fit(bridge, config('mlp-pixels'), 'auto');
    expect(started[0]!.terminated).toBe(false);
    started[0]!.holds = false;
    await threads.fit(bridge, config('mlp-pixels', 'webgl'), 'auto');
    expect(started[0]!.terminated).toBe(false);
    const unisolated = new WorkerThreads(2, false);
    await unisolated.fit(bridge, config('mlp-pixels'), 'auto');
    expect(started[0]!.terminated).toBe(false);
    await threads.fit(bridge, config('mlp-pixels', 'wasm'), 'auto');
    expect(started[0]!.terminated).toBe(true);
  });
});
