import { expect, it } from 'vitest';
import { majorityVote } from '../../../src/core/label/label-model';
import { emptyLabelMatrix, setLfColumn } from '../../../src/core/label/lf';
import { breakAbstains, goldClassReader, scoreLabels } from '../../../src/core/label/score';

it('scores labeled rows against gold; abstains lower coverage and are not scored', () => {
  const pred = [0, 1, -1, 1, 0];
  const gold = [0, 0, 1, 1, -1];
  expect(scoreLabels(pred, gold)).toEqual({ coverage: 0.8, accuracy: 2 / 3, scored: 3 });
  expect(scoreLabels(pred, gold, [1, 2, 3])).toEqual({ coverage: 2 / 3, accuracy: 0.5, scored: 2 });
  expect(scoreLabels(pred, null).accuracy).toBeNull();
});

it("breakAbstains gives an all-abstain row the class majority vote's random tie-break gives a full tie", () => {
  // 3 classes, three functions: odd rows get votes 0, 1 and 2 (a full three-way tie), even rows none
  const n = 200;
  const L = emptyLabelMatrix(n, 3, 3);
  setLfColumn(L, 0, Array.from({ length: n }, (_, i) => (i % 2 ? 0 : -1)));
  setLfColumn(L, 1, Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1)));
  setLfColumn(L, 2, Array.from({ length: n }, (_, i) => (i % 2 ? 2 : -1)));
  const mv = majorityVote(L, { tieBreak: 'random' });
  const silentRowsAsTies = breakAbstains(Int32Array.from({ length: n }, () => -1), 3);
  for (let i = 1; i < n; i += 2) expect(mv[i]).toBe(silentRowsAsTies[i]);
  for (let i = 0; i < n; i += 2) expect(mv[i]).toBe(-1);
  // the tie-break is spread over the classes, not always the first
  expect(new Set(silentRowsAsTies).size).toBe(3);
});

it('majority vote on a subset of rows breaks ties as the whole matrix does, given the row ids', () => {
  const n = 100;
  const L = emptyLabelMatrix(n, 2, 2);
  setLfColumn(L, 0, Array.from({ length: n }, (_, i) => (i % 3 ? 0 : -1)));
  setLfColumn(L, 1, Array.from({ length: n }, (_, i) => (i % 3 ? 1 : 1)));
  const whole = majorityVote(L, { tieBreak: 'random' });
  const rows = Int32Array.from({ length: 40 }, (_, t) => 2 * t + 17);
  const sub = emptyLabelMatrix(rows.length, 2, 2);
  rows.forEach((i, r) => sub.data.set(L.data.subarray(i * 2, i * 2 + 2), r * 2));
  expect(Array.from(majorityVote(sub, { tieBreak: 'random', rows }))).toEqual(Array.from(rows, (i) => whole[i]));
});

it('gold values name classes trimmed and case-insensitively', () => {
  const read = goldClassReader(['ham', 'Spam']);
  expect([read(' HAM '), read('spam'), read(null), read('eggs')]).toEqual([0, 1, -1, undefined]);
});
