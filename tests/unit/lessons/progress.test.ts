/** Lesson progress, answers, availability and workshop order (core/lessons/index.ts). */
import { describe, expect, it } from 'vitest';
import { builtAppOf, checkAnswer, LESSONS, lessonById, lessonsInOrder, lessonStatus, newlyDone, NO_PROGRESS, parseNumberAnswer, unavailable } from '../../../src/core/lessons';
import { snap } from './fixtures';

const SCOPE = { problem: 'p', target: 'Species', metric: 'accuracy', baseline: 0.442 };

describe('lesson status', () => {
  const scope = lessonById('scope');

  it('a passing check counts, a kept step stays done without its record, a wrong answer does not count', () => {
    const s = snap({ scope: SCOPE });
    const status = lessonStatus(scope, s, { steps: { beat: 5 }, answers: { majority: { value: '150', correct: false, at: 1 } } });
    expect(status.steps.map((x) => [x.id, x.done])).toEqual([['card', true], ['stats', false], ['beat', true]]);
    expect([status.done, status.total, status.complete]).toEqual([2, 4, false]);
    const all = lessonStatus(scope, s, { steps: { stats: 1, beat: 5 }, answers: { majority: { value: '152', correct: true, at: 1 } } });
    expect([all.done, all.complete]).toEqual([4, true]);
  });

  it('newlyDone lists passing checks not yet kept, and never a step the learner marks', () => {
    expect(newlyDone(scope, snap({ scope: SCOPE }), NO_PROGRESS)).toEqual(['card']);
    expect(newlyDone(scope, snap({ scope: SCOPE }), { steps: { card: 1 }, answers: {} })).toEqual([]);
    const fs = lessonById('feature-selection');
    expect(fs.steps.find((s) => s.id === 'rank')!.check).toBeNull();
    expect(newlyDone(fs, snap({}), NO_PROGRESS)).toEqual([]);
    expect(lessonStatus(fs, snap({}), { steps: { rank: 1 }, answers: {} }).steps[0]).toEqual({ id: 'rank', done: true, manual: true });
  });
});

describe('answers', () => {
  it('reads numbers as people type them', () => {
    expect(parseNumberAnswer(' 25.1 % ')).toBe(25.1);
    expect(parseNumberAnswer('1,234.5')).toBe(1234.5);
    expect(parseNumberAnswer('0,5')).toBe(0.5);
    expect(parseNumberAnswer('12abc')).toBeNaN();
    expect(parseNumberAnswer('')).toBeNaN();
  });

  it('a number within the tolerance is right; without records the answer is unknown', () => {
    const q = lessonById('quantization').questions[0]!;
    const parent = { id: 'p', name: 'm', version: 1, source: 'run', runId: 'r', parentModelId: null, weightBytes: 1000, createdAt: 1, metadata: { featureColumns: [], metrics: null } };
    const variant = { ...parent, id: 'q', source: 'optimize', parentModelId: 'p', weightBytes: 251, createdAt: 2, metadata: { featureColumns: [], metrics: null, optimization: { method: 'quantize', settings: {} } } };
    const s = snap({ models: [parent, variant] });
    expect(checkAnswer(q, s, '25.1')).toBe('correct');
    expect(checkAnswer(q, s, '25,1 %')).toBe('correct');
    // the page rounds to one decimal: within 0.1 of 25.1 is right
    expect(checkAnswer(q, s, '25.05')).toBe('correct');
    expect(checkAnswer(q, s, '25.3')).toBe('wrong');
    expect(checkAnswer(q, snap({}), '25.1')).toBe('unknown');
  });
});

describe('which lessons are offered, in which order', () => {
  const built = (stages: string[], capabilities: string[] = []) => ({ stages: new Set(stages), capabilities: new Set(capabilities) });

  it('a lesson needs its stage built, and AutoML the capability too', () => {
    expect(unavailable(lessonById('tuning'), built(['scope']))).toEqual({ stage: 'tune' });
    expect(unavailable(lessonById('tuning'), built(['tune']))).toBeNull();
    expect(unavailable(lessonById('automl'), built(['tune']))).toEqual({ capability: 'automl' });
    expect(unavailable(lessonById('automl'), built(['tune'], ['automl']))).toBeNull();
  });

  it('the stage registry says what is built: a page that loads, and the capabilities only a built entry declares', () => {
    const page = () => Promise.resolve();
    const app = builtAppOf([
      { id: 'train', load: page },
      { id: 'tune', load: null, capabilities: ['automl'] },
    ]);
    expect([...app.stages]).toEqual(['train']);
    expect([...app.capabilities]).toEqual([]);
    expect(unavailable(lessonById('automl'), app)).toEqual({ stage: 'tune' });
    const later = builtAppOf([{ id: 'tune', load: page, capabilities: ['automl'] }]);
    expect(unavailable(lessonById('automl'), later)).toBeNull();
    expect(unavailable(lessonById('tuning'), later)).toBeNull();
  });

  it('a workshop gives its lessons in the teacher\'s order, unknown and repeated ids left out', () => {
    expect(lessonsInOrder(['serving', 'scope', 'nope', 'serving']).map((l) => l.id)).toEqual(['serving', 'scope']);
    expect(lessonsInOrder(null)).toEqual(LESSONS);
    expect(lessonsInOrder([])).toEqual(LESSONS);
  });

  it('every chapter with hands-on work has a lesson, in the course order', () => {
    expect(LESSONS.map((l) => l.id)).toEqual([
      'scope', 'labeling', 'weak-supervision', 'validation', 'transform', 'feature-selection', 'tuning', 'automl',
      'quantization', 'pruning', 'distillation', 'model-analysis', 'explanations', 'fairness', 'serving', 'pipelines', 'mlops',
    ]);
  });
});
