/** planStep on the demo DAG: what may start, what is skipped and because of which component; resume. */
import { describe, expect, it } from 'vitest';
import { checkPipeline } from '../../../src/core/pipeline/check';
import { planStep, resumeFrom, runOutcome, type ComponentState } from '../../../src/core/pipeline/plan';
import { demo } from './helpers';

const dag = checkPipeline(demo());
const states = (s: Record<string, ComponentState>) => s;
const upToSchema = { example_gen: 'succeeded', statistics_gen: 'cached', schema_gen: 'succeeded' } as const;

describe('planStep', () => {
  it('starts with ExampleGen alone, then what its outputs allow, independent components together', () => {
    expect(planStep(dag, {})).toEqual({ start: ['example_gen'], skip: [], finished: false });
    expect(planStep(dag, states({ example_gen: 'running' }))).toEqual({ start: [], skip: [], finished: false });
    expect(planStep(dag, states({ example_gen: 'succeeded' })).start).toEqual(['statistics_gen']);
    // a cached component counts as done, like a succeeded one
    expect(planStep(dag, states(upToSchema)).start).toEqual(['example_validator', 'transform']);
    expect(planStep(dag, states({ ...upToSchema, transform: 'succeeded' })).start).toEqual(['example_validator']);
    // the trainer waits for the validator it runs after
    expect(planStep(dag, states({ ...upToSchema, transform: 'succeeded', example_validator: 'running' })).start).toEqual([]);
    expect(planStep(dag, states({ ...upToSchema, transform: 'succeeded', example_validator: 'succeeded' })).start).toEqual(['trainer']);
  });

  it('starts no more than maxParallel, counting those running', () => {
    expect(planStep(dag, states(upToSchema), { maxParallel: 1 }).start).toEqual(['example_validator']);
    expect(planStep(dag, states({ ...upToSchema, example_validator: 'running' }), { maxParallel: 1 }).start).toEqual([]);
    expect(planStep(dag, states({ ...upToSchema, example_validator: 'running' }), { maxParallel: 2 }).start).toEqual(['transform']);
  });

  it('skips every dependant of a failed component, naming it, and still starts the independent ones', () => {
    const step = planStep(dag, states({ ...upToSchema, example_validator: 'failed' }));
    expect(step.skip).toEqual([
      { component: 'trainer', because: 'example_validator' },
      { component: 'evaluator', because: 'example_validator' },
      { component: 'pusher', because: 'example_validator' },
    ]);
    expect(step.start).toEqual(['transform']);
    expect(step.finished).toBe(false);
  });

  it('names the failed component, not the skipped one in between, once the skips are applied', () => {
    const after = states({ ...upToSchema, example_validator: 'succeeded', transform: 'cancelled', trainer: 'skipped' });
    expect(planStep(dag, after)).toEqual({
      start: [],
      skip: [
        { component: 'evaluator', because: 'transform' },
        { component: 'pusher', because: 'transform' },
      ],
      finished: true,
    });
  });

  it('is finished when every component is done, and says how the run ended', () => {
    const done = Object.fromEntries(dag.order.map((id) => [id, 'succeeded' as const]));
    expect(planStep(dag, done)).toEqual({ start: [], skip: [], finished: true });
    expect(planStep(dag, { ...done, pusher: 'running' })).toEqual({ start: [], skip: [], finished: false });
    expect(runOutcome(done)).toBe('succeeded');
    expect(runOutcome({ ...done, transform: 'cancelled', trainer: 'skipped' })).toBe('cancelled');
    expect(runOutcome({ ...done, transform: 'cancelled', example_validator: 'failed' })).toBe('failed');
  });
});

describe('resumeFrom', () => {
  it('keeps what finished and starts again what was running when the tab closed', () => {
    const before = states({ ...upToSchema, example_validator: 'succeeded', transform: 'running' });
    const resumed = resumeFrom(before);
    expect(resumed).toEqual({ ...upToSchema, example_validator: 'succeeded', transform: 'pending' });
    // the run continues with the transform, not from the beginning
    expect(planStep(dag, resumed).start).toEqual(['transform']);
  });
});
