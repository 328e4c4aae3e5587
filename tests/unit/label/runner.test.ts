/**
 * The labeling-function runner against the real worker code (sandbox.ts in a worker_threads Worker, see
 * node-worker.ts), so the endless loop below really spins until the runner terminates it. A fake worker
 * covers a worker that dies.
 */
import { describe, expect, it } from 'vitest';
import { ABSTAIN, type CodeLf, type LfSpec } from '../../../src/core/label/lf';
import { applyLabelingFunctions, LfRunner, type WorkerLike } from '../../../src/core/label/runner';
import { lockDownGlobals } from '../../../src/core/label/sandbox';
import { nodeWorker, workerStats } from './node-worker';

const code = (id: string, source: string): CodeLf => ({ kind: 'code', id, name: id, source });
const columns = {
  text: ['free money now', 'meeting at noon', null, 'FREE pizza', 'hello'],
  n: Float64Array.from([1, 5, 3, NaN, 10]),
};

describe('LfRunner', () => {
  it('reports ok, throw, invalid label, compile error and timeout per function, and keeps the others', async () => {
    workerStats.started = 0;
    const runner = new LfRunner(nodeWorker, { timeoutMs: 800 });
    const t0 = Date.now();
    const reports = await runner.run(
      [
        code('ok', `(row) => row.text && /free/i.test(row.text) ? 1 : ABSTAIN`),
        code('throws', `(row) => row.text.length > 10 ? 1 : 0`), // null text on row 2 throws
        code('invalid', `(row) => row.n > 4 ? 7 : row.n > 2 ? undefined : ABSTAIN`),
        code('syntax', `(row) => {`),
        code('endless', `(row) => { for (;;) {} }`),
        code('after', `function (row) { return row.n >= 3 ? 0 : ABSTAIN; }`),
      ],
      columns,
      5,
      2,
    );
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(reports.map((r) => r.status)).toEqual(['ok', 'threw', 'invalid', 'compile-error', 'timeout', 'ok']);
    expect([...reports[0]!.labels]).toEqual([1, ABSTAIN, ABSTAIN, 1, ABSTAIN]);
    // A throw labels that row ABSTAIN and is counted; the other rows keep their labels.
    expect(reports[1]!.errors).toBe(1);
    expect(reports[1]!.firstError).toMatchObject({ row: 2 });
    expect(reports[1]!.firstError!.message).toMatch(/TypeError/);
    expect([...reports[1]!.labels]).toEqual([1, 1, ABSTAIN, 0, 0]);
    // Rows 1 and 4 return 7 (not a class), row 2 returns undefined: all three abstain and are counted.
    expect(reports[2]!.invalid).toBe(3);
    expect(reports[2]!.firstInvalid).toEqual({ row: 1, value: '7' });
    expect([...reports[2]!.labels]).toEqual([ABSTAIN, ABSTAIN, ABSTAIN, ABSTAIN, ABSTAIN]);
    expect(reports[3]!.message).toMatch(/SyntaxError/);
    expect(reports[4]!.message).toMatch(/800 ms/);
    expect([...reports[4]!.labels].every((v) => v === ABSTAIN)).toBe(true);
    // The function after the endless one ran in a fresh worker.
    expect([...reports[5]!.labels]).toEqual([ABSTAIN, 0, 0, ABSTAIN, 0]);
    expect(workerStats.started).toBe(2);
  });

  it('leaves user code only the allowed built-ins, and blocks posting, code generation and import()', async () => {
    const runner = new LfRunner(nodeWorker);
    const [probe, forge, ctor, imp] = await runner.run(
      [
        // Node's own globals (process, fetch, setTimeout) are gone with the global object; the allowed ones stay.
        code('probe', `() => typeof globalThis === 'undefined' && typeof self === 'undefined' && typeof process === 'undefined' && typeof fetch === 'undefined' && typeof setTimeout === 'undefined' && typeof Function === 'undefined' && typeof Math.max === 'function' && typeof Intl.NumberFormat === 'function' ? 1 : 0`),
        code('forge', `() => { postMessage({ type: 'result', index: 1, outcome: null }); return 1; }`),
        code('ctor', `() => Object.getPrototypeOf(async () => {}).constructor('return 1')()`),
        code('import', `() => { import('https://example.com/x.js'); return 1; }`),
      ],
      columns,
      5,
      2,
    );
    expect([...probe!.labels]).toEqual([1, 1, 1, 1, 1]);
    expect(forge!.status).toBe('threw');
    expect(forge!.firstError!.message).toMatch(/ReferenceError: postMessage is not defined/);
    expect(forge!.errors).toBe(5);
    expect(ctor!.status).toBe('threw');
    expect(ctor!.firstError!.message).toMatch(/code generation is disabled/);
    expect(imp!.status).toBe('compile-error');
    expect(imp!.message).toMatch(/import is not allowed/);
  });

  it('deletes every global outside the allow-list, on the global object and its whole prototype chain', () => {
    // A stand-in for a browser worker's global: operations on prototypes, interface objects on the global.
    const eventTarget = { addEventListener() {}, dispatchEvent() {} };
    const workerScope = Object.assign(Object.create(eventTarget), { fetch() {}, fonts: {}, navigator: {} });
    const global = Object.assign(Object.create(workerScope), { FontFace: class {}, Math, JSON, self: null as unknown, globalThis: null as unknown });
    global.self = global;
    global.globalThis = global;
    expect(lockDownGlobals(global)).toEqual([]);
    expect(Reflect.ownKeys(global).sort()).toEqual(['JSON', 'Math']);
    expect(Reflect.ownKeys(workerScope)).toEqual([]);
    expect(Reflect.ownKeys(eventTarget)).toEqual([]);
    // What cannot be deleted or overwritten is reported, not ignored.
    const stuck = {};
    Object.defineProperty(stuck, 'leak', { value: () => 1, configurable: false, writable: false });
    Object.defineProperty(stuck, 'gone', { value: undefined, configurable: false, writable: false });
    // Like WebIDL constants on a browser's global (TEMPORARY = 0): a number leads nowhere.
    Object.defineProperty(stuck, 'TEMPORARY', { value: 0, configurable: false, writable: false });
    expect(lockDownGlobals(stuck)).toEqual(['leak']);
  });

  it('runs no code function when a global cannot be removed, and names it', async () => {
    const leaky = () => nodeWorker(`Object.defineProperty(globalThis, 'leakyChannel', { value: {}, configurable: false, writable: false });`);
    const reports = await new LfRunner(leaky).run([code('a', '() => 1'), code('b', '() => 0')], columns, 5, 2);
    expect(reports.map((r) => [r.status, r.message])).toEqual([
      ['unsafe', 'leakyChannel'],
      ['unsafe', 'leakyChannel'],
    ]);
    expect(reports.every((r) => [...r.labels].every((v) => v === ABSTAIN))).toBe(true);
  });

  it('applies no-code and code functions into one label matrix', async () => {
    const specs: LfSpec[] = [
      { kind: 'keywords', id: 'kw', name: 'kw', column: 'text', keywords: ['free'], match: 'word', label: 1 },
      code('big', `(row) => row.n > 4 ? 0 : ABSTAIN`),
      { kind: 'threshold', id: 'th', name: 'th', column: 'n', op: '<', value: 2, label: 0 },
      { kind: 'regex', id: 'bad', name: 'bad', column: 'text', pattern: '(', label: 1 },
    ];
    const { matrix, reports } = await applyLabelingFunctions(specs, columns, 5, 2, new LfRunner(nodeWorker));
    expect(reports.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'spec-error']);
    expect(reports[3]!.message).toMatch(/invalid regular expression/);
    // prettier-ignore
    expect([...matrix.data]).toEqual([
      1, -1, 0, -1,
      -1, 0, -1, -1,
      -1, -1, -1, -1,
      1, -1, -1, -1,
      -1, 0, -1, -1,
    ]);
  });

  it('stops on abort, and reports a worker that dies as crashed and carries on', async () => {
    const controller = new AbortController();
    const slow = new LfRunner(nodeWorker, { timeoutMs: 5_000 });
    const run = slow.run([code('endless', `() => { for (;;) {} }`)], columns, 5, 2, { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await expect(run).rejects.toThrow(/cancelled/);

    // A fake worker: answers init, then dies on the first function it is given, once.
    let fakes = 0;
    const fake = (): WorkerLike => {
      const id = fakes++;
      const on: Record<string, ((ev: { data?: unknown; message?: string }) => void)[]> = { message: [], error: [] };
      return {
        postMessage: (m) => {
          const msg = m as { type: string; index?: number };
          setTimeout(() => {
            if (msg.type === 'init') on.message!.forEach((l) => l({ data: { type: 'ready' } }));
            else if (id === 0) on.error!.forEach((l) => l({ message: 'out of memory' }));
            else
              on.message!.forEach((l) =>
                l({ data: { type: 'result', index: msg.index, outcome: { labels: Int8Array.from([1, 1, 1, 1, 1]), errors: 0, invalid: 0 } } }),
              );
          });
        },
        terminate: () => {},
        addEventListener: (type, l) => on[type]!.push(l),
      };
    };
    const reports = await new LfRunner(fake).run([code('a', '() => 1'), code('b', '() => 1')], columns, 5, 2);
    expect(reports.map((r) => [r.status, r.message])).toEqual([
      ['crashed', 'out of memory'],
      ['ok', undefined],
    ]);
  });
});
