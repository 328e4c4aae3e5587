/** The data lessons' checks and answers over hand-made records; each case also shows the check failing. */
import { describe, expect, it } from 'vitest';
import { checkAnswer, lessonById, type LessonId } from '../../../src/core/lessons';
import type { LessonSnapshot } from '../../../src/core/lessons/records';
import { labeledRowCount } from '../../../src/core/lessons/select';
import { run, snap } from './fixtures';

const step = (lesson: LessonId, id: string) => lessonById(lesson).steps.find((s) => s.id === id)!.check!;
const answer = (lesson: LessonId, id: string, s: LessonSnapshot) => lessonById(lesson).questions.find((q) => q.id === id)!.answer(s);

const SCOPE = { problem: 'Which species?', target: 'Species', metric: 'accuracy', baseline: 0.442 };
const penguinStats = {
  versionId: 'v1',
  labelColumn: '',
  computedAt: 1,
  stats: {
    rowCount: 344,
    columns: [
      { name: 'Species', kind: 'string', missing: 0, topValues: [{ value: 'Adelie', count: 152 }, { value: 'Gentoo', count: 124 }] },
      { name: 'Body Mass (g)', kind: 'numeric', missing: 2 },
      { name: 'Sex', kind: 'string', missing: 11, topValues: [{ value: 'MALE', count: 168 }] },
    ],
  },
};

describe('scope and baseline', () => {
  it('the card needs all four of problem, target, metric and baseline', () => {
    expect(step('scope', 'card')(snap({ scope: SCOPE }))).toBe(true);
    expect(step('scope', 'card')(snap({ scope: { ...SCOPE, baseline: null } }))).toBe(false);
    expect(step('scope', 'card')(snap({ scope: { ...SCOPE, metric: ' ' } }))).toBe(false);
  });

  it('statistics must hold the target column', () => {
    expect(step('scope', 'stats')(snap({ scope: SCOPE, statistics: [penguinStats] }))).toBe(true);
    expect(step('scope', 'stats')(snap({ scope: { ...SCOPE, target: 'Island' }, statistics: [penguinStats] }))).toBe(false);
  });

  it('a done run on the target beats the baseline strictly; lower-is-better metrics compare the other way', () => {
    const beat = step('scope', 'beat');
    expect(beat(snap({ scope: SCOPE, runs: [run({ metrics: { summary: { accuracy: 0.45 } } })] }))).toBe(true);
    expect(beat(snap({ scope: SCOPE, runs: [run({ metrics: { summary: { accuracy: 0.442 } } })] }))).toBe(false);
    expect(beat(snap({ scope: SCOPE, runs: [run({ status: 'running' })] }))).toBe(false);
    expect(beat(snap({ scope: SCOPE, runs: [run({ config: { label: 'Island' } })] }))).toBe(false);
    const rmse = { ...SCOPE, metric: 'rmse', baseline: 10 };
    expect(beat(snap({ scope: rmse, runs: [run({ metrics: { summary: { rmse: 9 } } })] }))).toBe(true);
    expect(beat(snap({ scope: rmse, runs: [run({ metrics: { summary: { rmse: 11 } } })] }))).toBe(false);
  });

  it('the majority count is the target\'s top value count: 152 Adelie penguins', () => {
    expect(answer('scope', 'majority', snap({ scope: SCOPE, statistics: [penguinStats] }))).toBe(152);
    expect(answer('scope', 'majority', snap({ scope: SCOPE }))).toBeNull();
  });
});

describe('labeling', () => {
  const e = (seq: number, row: number, label: number | null, labeler = 'ana') => ({ seq, datasetVersionId: 'v1', labeler, row, label });

  it('counts rows whose latest label is not a retraction, per labeler', () => {
    // row 1 labeled then undone, row 2 relabeled, row 3 by two labelers
    const events = [e(1, 1, 3), e(2, 1, null), e(3, 2, 4), e(4, 2, 5), e(5, 3, 1), e(6, 3, 1, 'bo')];
    expect(labeledRowCount(snap({ labelEvents: events }))).toBe(3);
    // the log order is by seq, not by array order
    expect(labeledRowCount(snap({ labelEvents: [e(2, 1, null), e(1, 1, 3)] }))).toBe(0);
  });

  it('ten labeled rows, a label schema and a manual set', () => {
    const nine = Array.from({ length: 9 }, (_, i) => e(i + 1, i, 0));
    expect(step('labeling', 'ten')(snap({ labelEvents: nine }))).toBe(false);
    expect(step('labeling', 'ten')(snap({ labelEvents: [...nine, e(10, 9, 0)] }))).toBe(true);
    expect(step('labeling', 'schema')(snap({ labelSchemas: [{ id: 's' }] }))).toBe(true);
    const set = { id: 'l', datasetVersionId: 'v1', version: 1, createdAt: 1 };
    expect(step('labeling', 'set')(snap({ labelSets: [{ ...set, kind: 'label-model' }] }))).toBe(false);
    expect(step('labeling', 'set')(snap({ labelSets: [{ ...set, kind: 'manual' }] }))).toBe(true);
  });
});

describe('weak supervision', () => {
  it('the winner is the highest of end model, label model and majority vote on the newest weak run', () => {
    const older = run({ weakSupervision: { endModel: 0.99, labelModel: 0.9, majorityVote: 0.8 } });
    const newer = run({ weakSupervision: { endModel: 0.9, labelModel: 0.95, majorityVote: 0.8 } });
    const s = snap({ runs: [newer, older] });
    expect(step('weak-supervision', 'end-model')(s)).toBe(true);
    expect(step('weak-supervision', 'end-model')(snap({ runs: [run()] }))).toBe(false);
    expect(answer('weak-supervision', 'winner', s)).toBe('label-model');
    expect(checkAnswer(lessonById('weak-supervision').questions[0]!, s, 'end-model')).toBe('wrong');
  });
});

describe('data validation', () => {
  const schema = (version: number, kind: string, min: number | null) => ({
    id: `s${version}`,
    version,
    origin: { kind },
    createdAt: version,
    schema: { features: [{ name: 'Body Mass (g)', driftThreshold: null, domain: { kind: 'range', min, max: null } }] },
  });

  it('an inferred schema, then a version with a range', () => {
    expect(step('validation', 'infer')(snap({ schemas: [schema(1, 'inferred', null)] }))).toBe(true);
    expect(step('validation', 'infer')(snap({ schemas: [schema(1, 'edited', null)] }))).toBe(false);
    expect(step('validation', 'ranges')(snap({ schemas: [schema(1, 'inferred', null)] }))).toBe(false);
    expect(step('validation', 'ranges')(snap({ schemas: [schema(1, 'inferred', null), schema(2, 'edited', 2700)] }))).toBe(true);
  });

  it('the column with the most missing values, from the newest statistics: Sex', () => {
    const s = snap({ statistics: [{ ...penguinStats, computedAt: 1 }, { ...penguinStats, computedAt: 0, stats: { rowCount: 1, columns: [{ name: 'x', kind: 'numeric', missing: 99 }] } }] });
    expect(answer('validation', 'missing', s)).toBe('Sex');
    const q = lessonById('validation').questions[0]!;
    expect(q.kind === 'choice' && q.choices(s)).toEqual(['Species', 'Body Mass (g)', 'Sex']);
  });
});

describe('transform and feature selection', () => {
  it('a run on a transform; the newest transform\'s training rows', () => {
    expect(step('transform', 'train')(snap({ runs: [run()] }))).toBe(false);
    expect(step('transform', 'train')(snap({ runs: [run({ config: { transformId: 't' } })] }))).toBe(true);
    const t = (train: number, createdAt: number) => ({ id: `t${createdAt}`, name: 'prep', version: createdAt, createdAt, source: { datasetVersionId: 'v1', split: { counts: { train, validation: 50, test: 51 } } } });
    expect(answer('transform', 'train-rows', snap({ transforms: [t(240, 2), t(100, 1)] }))).toBe(240);
  });

  it('two runs on one version and label with different column counts; which scored higher', () => {
    const all = run({ metrics: { summary: { accuracy: 0.97 } } });
    const subset = run({ config: { features: [{ column: 'a' }] }, metrics: { summary: { accuracy: 0.99 } } });
    expect(step('feature-selection', 'subset')(snap({ runs: [all, subset] }))).toBe(true);
    expect(step('feature-selection', 'subset')(snap({ runs: [all, run()] }))).toBe(false);
    expect(step('feature-selection', 'subset')(snap({ runs: [all, { ...subset, datasetVersionId: 'v2' }] }))).toBe(false);
    expect(answer('feature-selection', 'better', snap({ runs: [all, subset] }))).toBe('subset');
    expect(answer('feature-selection', 'better', snap({ runs: [all, { ...subset, metrics: { summary: { accuracy: 0.97 } } }] }))).toBe('same');
  });
});
