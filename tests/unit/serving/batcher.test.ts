/**
 * Batching: concurrent predict calls to one model version are run as one call of their rows joined in
 * order, and each caller gets back exactly its own rows (y = 0.5 x + 3 by hand); a full batch runs without
 * waiting for the timeout; calls of another per-example shape are not joined; a failing batch fails each
 * of its calls.
 */
import { describe, expect, it } from 'vitest';
import { Batcher } from '../../../src/core/serving/batcher';
import { handle } from '../../../src/core/serving/handler';
import { ServedModels } from '../../../src/core/serving/models';
import { halfPlusThree, twoInputs } from './fixtures';

describe('Batcher', () => {
  it('joins concurrent calls into one model call and splits the outputs back', async () => {
    const models = new ServedModels();
    const half = halfPlusThree();
    models.setVersion('half', 1, half);
    const batcher = new Batcher({ maxBatchSize: 64, batchTimeoutMicros: 5_000_000 });
    const bodies = ['[1.0]', '[2.0, 5.0]', '[-4.0]', '[10.0, 20.0, 30.0]'];
    const answers = bodies.map((b) => handle({ method: 'POST', path: '/v1/models/half:predict', body: `{"instances": ${b}}` }, models, { run: batcher.run }));
    // the fourth call fills nothing; the batch waits for its timeout, which the test does not wait for: flush by size instead
    const filler = handle({ method: 'POST', path: '/v1/models/half:predict', body: `{"instances": [${Array(57).fill('0.0').join(', ')}]}` }, models, { run: batcher.run });
    const results = await Promise.all([...answers, filler]);
    expect(half.calls).toEqual([64]);
    expect(results.slice(0, 4).map((r) => JSON.parse(r.body) as unknown)).toEqual([{ predictions: [3.5] }, { predictions: [4, 5.5] }, { predictions: [1] }, { predictions: [8, 13, 18] }]);
    expect((JSON.parse(results[4]!.body) as { predictions: number[] }).predictions).toEqual(Array(57).fill(3));
    expect(batcher.stats).toEqual({ batches: 1, calls: 5 });
  });

  it('runs a batch after the timeout, keeps calls of other shapes apart, and fails every call of a failed batch', async () => {
    const models = new ServedModels();
    models.setVersion('two', 1, twoInputs());
    const seen: number[][] = [];
    const batcher = new Batcher({ maxBatchSize: 8, batchTimeoutMicros: 0 }, async (resolved, inputs) => {
      seen.push(inputs.a!.shape);
      if (inputs.b!.shape[0] === 3) throw new Error('batch failed');
      return resolved.model.predict(inputs);
    });
    const resolved = models.resolve('two', { kind: 'latest' });
    const f = (values: number[], shape: number[]) => ({ dtype: 'DT_FLOAT' as const, shape, values: Float32Array.from(values) });
    const one = batcher.run(resolved, { a: f([1, 2], [1, 2]), b: f([3], [1]) });
    const two = batcher.run(resolved, { a: f([4, 5], [1, 2]), b: f([0.5], [1]) });
    // a of another per-example shape: its own batch (the model would refuse it, which is not the point here)
    const other = batcher.run(resolved, { a: f([1, 2, 3], [1, 3]), b: f([1], [1]) }).catch(() => null);
    const [r1, r2] = await Promise.all([one, two, other]);
    expect(Array.from(r1!.sum!.values as Float32Array)).toEqual([6]);
    expect(Array.from(r2!.product!.values as Float32Array)).toEqual([10]);
    expect(seen).toEqual([
      [2, 2],
      [1, 3],
    ]);
    const failing = [1, 2, 3].map((i) => batcher.run(resolved, { a: f([i, i], [1, 2]), b: f([i], [1]) }));
    for (const p of failing) await expect(p).rejects.toThrow('batch failed');
  });
});
