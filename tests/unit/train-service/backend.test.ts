import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, type ModelSpec } from '../../../src/core/model/model-spec';
import type { BackendReport } from '../../../src/protocol/train';
import type { BackendName } from '../../../src/core/train/backend-types';
import { cannotTrainOn, chooseBackend, timeModelStep, timingKey, type BackendControl, type SavedTimings, type StepProbe } from '../../../src/services/train-backend';
import { useCpu } from '../train/helpers';

let tf: typeof tfjs;
beforeAll(async () => {
  tf = await useCpu();
});

const mlp: ModelSpec = { version: 1, input: { kind: 'tabular', features: 4 }, layers: [{ type: 'dense', units: 8, activation: 'relu' }], head: { kind: 'classification', classes: 2 }, seed: 1 };
const cnn: ModelSpec = { version: 1, input: { kind: 'image', height: 8, width: 8, channels: 1 }, layers: [{ type: 'conv2d', filters: 2, kernelSize: 3 }, { type: 'flatten' }], head: { kind: 'classification', classes: 2 }, seed: 1 };

function probe(spec: ModelSpec): StepProbe {
  const batch = 8;
  const size = spec.input.kind === 'tabular' ? 4 : 64;
  const y = new Float32Array(batch * 2);
  for (let i = 0; i < batch; i++) y[i * 2 + (i % 2)] = 1;
  return {
    build: () => buildModel(tf, spec),
    x: Float32Array.from({ length: batch * size }, (_, i) => Math.sin(i)),
    featureShape: spec.input.kind === 'tabular' ? [4] : [8, 8, 1],
    y,
    outputs: 2,
    batch,
    task: 'classification',
    optimizer: 'adam',
    learningRate: 0.01,
  };
}

/** Every "backend" is Node's cpu in disguise; the reports decide which may be timed. */
function control(reports: BackendReport[], used: string[]): BackendControl {
  return {
    reports: async () => reports,
    use: async (name) => {
      used.push(name);
      await tf.setBackend('cpu');
    },
  };
}

const ok = { maxAbsDiff: 1e-6, tolerance: 1e-3, ok: true };

describe('choosing a backend for a model', () => {
  it('times the model where parity passed, says why the others were skipped, and activates the fastest', async () => {
    const used: string[] = [];
    const reports: BackendReport[] = [
      { name: 'webgpu', available: false, error: 'WebGPU is not available here' },
      { name: 'webgl', available: true, parity: { maxAbsDiff: 0.4, tolerance: 1e-3, ok: false }, msPerStep: 1 },
      { name: 'wasm', available: true, parity: ok, msPerStep: 1 },
      { name: 'cpu', available: true, msPerStep: 1 },
    ];
    const before = tf.memory().numTensors;
    const choice = await chooseBackend(tf, control(reports, used), 'auto', probe(mlp), (n) => cannotTrainOn(n, mlp));
    expect(tf.memory().numTensors).toBe(before);
    expect(choice.requested).toBe('auto');
    const by = Object.fromEntries(choice.candidates.map((c) => [c.name, c]));
    expect(by.webgpu).toMatchObject({ why: 'unavailable', error: 'WebGPU is not available here' });
    expect(by.webgl).toMatchObject({ why: 'parity', maxAbsDiff: 0.4 });
    expect(by.webgl!.msPerStep).toBeUndefined();
    expect(by.wasm!.msPerStep).toBeGreaterThan(0);
    expect(by.cpu!.msPerStep).toBeGreaterThan(0);
    expect(['wasm', 'cpu']).toContain(choice.name);
    expect(choice.msPerStep).toBe(Math.min(by.wasm!.msPerStep!, by.cpu!.msPerStep!));
    // timed wasm then cpu, then switched to the winner
    expect(used).toEqual(['wasm', 'cpu', choice.name]);
  });

  it('tells the progress which backend it is timing, of how many; none when the times are saved; the one chosen by hand', async () => {
    const reports: BackendReport[] = [
      { name: 'webgpu', available: false },
      { name: 'webgl', available: true, parity: { maxAbsDiff: 0.4, tolerance: 1e-3, ok: false } },
      { name: 'wasm', available: true, parity: ok },
      { name: 'cpu', available: true },
    ];
    const said: string[] = [];
    const tell = (name: string, index: number, count: number) => void said.push(`${name} ${index}/${count}`);
    const store = new Map<string, SavedTimings>();
    const keyed = { ...probe(mlp), key: 'k' };
    const saving = { ...control(reports, []), timings: { get: async (k: string) => store.get(k), put: async (k: string, v: SavedTimings) => void store.set(k, v) } };
    await chooseBackend(tf, saving, 'auto', keyed, (n) => cannotTrainOn(n, mlp), undefined, tell);
    // the unavailable and the failed parity are not timed, so not counted
    expect(said).toEqual(['wasm 1/2', 'cpu 2/2']);
    said.length = 0;
    await chooseBackend(tf, saving, 'auto', keyed, (n) => cannotTrainOn(n, mlp), undefined, tell);
    expect(said).toEqual([]);
    await chooseBackend(tf, control(reports, []), 'cpu', probe(mlp), (n) => cannotTrainOn(n, mlp), undefined, tell);
    expect(said).toEqual(['cpu 1/1']);
  });

  it('never times wasm for a convolution without its gradient kernels, and refuses it when chosen by hand', async () => {
    expect(cannotTrainOn('wasm', cnn)).toBe('no-conv');
    // with core/train/wasm-kernels.ts registered (the training worker, the command line) wasm qualifies
    expect(cannotTrainOn('wasm', cnn, false, true)).toBeNull();
    expect(cannotTrainOn('wasm', null, true)).toBe('no-conv');
    expect(cannotTrainOn('webgl', cnn)).toBeNull();
    expect(cannotTrainOn('wasm', mlp)).toBeNull();
    const reports: BackendReport[] = [
      { name: 'wasm', available: true, parity: ok },
      { name: 'cpu', available: true },
    ];
    const choice = await chooseBackend(tf, control(reports, []), 'auto', probe(cnn), (n) => cannotTrainOn(n, cnn));
    expect(choice.name).toBe('cpu');
    expect(choice.candidates.find((c) => c.name === 'wasm')).toMatchObject({ why: 'no-conv' });
    expect(choice.candidates.find((c) => c.name === 'wasm')!.msPerStep).toBeUndefined();
    await expect(chooseBackend(tf, control(reports, []), 'wasm', probe(cnn), (n) => cannotTrainOn(n, cnn))).rejects.toMatchObject({ kind: 'TrainError', code: 'no-backend', details: { params: { backend: 'wasm', why: 'no-conv' } } });
    const manual = await chooseBackend(tf, control(reports, []), 'cpu', probe(cnn), (n) => cannotTrainOn(n, cnn));
    expect(manual).toMatchObject({ requested: 'cpu', name: 'cpu' });
    expect(manual.msPerStep).toBeGreaterThan(0);
  });

  it('a run cancelled while backends are timed stops after the first one timed', async () => {
    const used: string[] = [];
    const reports: BackendReport[] = [
      { name: 'wasm', available: true, parity: ok },
      { name: 'cpu', available: true },
    ];
    const cancel = new AbortController();
    const base = control(reports, used);
    // the cancel arrives while wasm is being timed
    const cancelling = { ...base, use: async (name: BackendName) => (await base.use(name), cancel.abort()) };
    const choice = await chooseBackend(tf, cancelling, 'auto', probe(mlp), (n) => cannotTrainOn(n, mlp), cancel.signal);
    expect(choice.name).toBe('wasm');
    expect(choice.candidates.map((c) => c.name)).toEqual(['wasm']);
    expect(used).toEqual(['wasm', 'wasm']);
  });

  it('times a step without leaving tensors behind', async () => {
    const before = tf.memory().numTensors;
    expect(await timeModelStep(tf, probe(cnn), { warmup: 1, repeats: 2 })).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  describe('saved step times', () => {
    const reports: BackendReport[] = [
      { name: 'wasm', available: true, parity: ok },
      { name: 'cpu', available: true },
    ];
    const keyed = (spec: ModelSpec): StepProbe => {
      const p = probe(spec);
      return { ...p, key: timingKey(spec, p) };
    };
    function withTimings(store: Map<string, SavedTimings>, used: string[], list = reports): BackendControl {
      return { ...control(list, used), timings: { get: async (k) => store.get(k), put: async (k, v) => void store.set(k, v) } };
    }

    it('the first auto run times and saves; the next run of the same model takes the saved times and only switches', async () => {
      const store = new Map<string, SavedTimings>();
      const used: string[] = [];
      const first = await chooseBackend(tf, withTimings(store, used), 'auto', keyed(mlp), (n) => cannotTrainOn(n, mlp));
      expect(first.timedAt).toBeUndefined();
      expect(used).toEqual(['wasm', 'cpu', first.name]);
      expect([...store.values()]).toHaveLength(1);
      const saved = [...store.values()][0]!;
      // made-up times: the reused choice must follow them, not a new timing
      saved.candidates = [
        { name: 'wasm', msPerStep: 7, parityOk: true },
        { name: 'cpu', msPerStep: 3 },
      ];
      used.length = 0;
      const second = await chooseBackend(tf, withTimings(store, used), 'auto', { ...keyed(mlp), learningRate: 0.5 }, (n) => cannotTrainOn(n, mlp));
      expect(second).toMatchObject({ name: 'cpu', msPerStep: 3, timedAt: saved.timedAt });
      expect(second.candidates.map((c) => [c.name, c.msPerStep])).toEqual([['wasm', 7], ['cpu', 3]]);
      expect(used).toEqual(['cpu']);
    });

    it('another model, batch or optimizer is timed afresh; the seed and learning rate are not part of the key', () => {
      const p = probe(mlp);
      const key = timingKey(mlp, p);
      expect(timingKey({ ...mlp, seed: 9 }, p)).toBe(key);
      expect(timingKey({ ...mlp, layers: [{ type: 'dense', units: 9, activation: 'relu' }] }, p)).not.toBe(key);
      expect(timingKey(mlp, { ...p, batch: 16 })).not.toBe(key);
      expect(timingKey(mlp, { ...p, optimizer: 'sgd' })).not.toBe(key);
      expect(timingKey({ baseModelId: 'm1' }, p)).not.toBe(timingKey({ baseModelId: 'm2' }, p));
    });

    it('saved times that miss a backend which may be timed now are not used: every backend is timed again', async () => {
      const store = new Map<string, SavedTimings>();
      const p = keyed(mlp);
      // saved when wasm had failed its parity check
      store.set(p.key!, { candidates: [{ name: 'wasm', why: 'parity', parityOk: false }, { name: 'cpu', msPerStep: 3 }], timedAt: 1 });
      const used: string[] = [];
      const choice = await chooseBackend(tf, withTimings(store, used), 'auto', p, (n) => cannotTrainOn(n, mlp));
      expect(choice.timedAt).toBeUndefined();
      expect(used).toEqual(['wasm', 'cpu', choice.name]);
      expect(store.get(p.key!)!.candidates.every((c) => c.msPerStep! > 0 && c.msPerStep !== 3)).toBe(true);
    });

    it('a cancelled timing and a backend chosen by hand save nothing', async () => {
      const store = new Map<string, SavedTimings>();
      const cancel = new AbortController();
      const used: string[] = [];
      const base = withTimings(store, used);
      const cancelling = { ...base, use: async (name: BackendName) => (await base.use(name), cancel.abort()) };
      await chooseBackend(tf, cancelling, 'auto', keyed(mlp), (n) => cannotTrainOn(n, mlp), cancel.signal);
      await chooseBackend(tf, base, 'cpu', keyed(mlp), (n) => cannotTrainOn(n, mlp));
      expect(store.size).toBe(0);
    });
  });
});
