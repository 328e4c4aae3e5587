import { afterEach, describe, expect, it, vi } from 'vitest';
import { medianStepMs } from '../../../src/core/train/step-timing';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('medianStepMs', () => {
  it('runs the warm-up untimed, then reports the median of the timed steps', async () => {
    // each timed step reads the clock twice; durations 5, 1, 9
    const clock = [0, 5, 10, 11, 20, 29];
    vi.spyOn(performance, 'now').mockImplementation(() => clock.shift()!);
    let calls = 0;
    const ms = await medianStepMs(async () => void calls++, { warmup: 2, repeats: 3 });
    expect(calls).toBe(5);
    expect(ms).toBe(5);
  });

  it('stops timing once a step takes longer than giveUpMs', async () => {
    let calls = 0;
    await medianStepMs(async () => void calls++, { warmup: 1, repeats: 5, giveUpMs: -1 });
    expect(calls).toBe(2);
  });
});
