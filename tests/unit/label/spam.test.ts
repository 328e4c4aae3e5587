/**
 * The spam demo of issue 5, as Snorkel's spam tutorial: labeling functions on the bundled SpamAssassin
 * emails, majority vote, the label model, and an end model trained on the label model's probabilities.
 * The code functions run through the real runner and sandbox (in a worker_threads Worker).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import { beforeAll, expect, it } from 'vitest';
import { lfSummary } from '../../../src/core/label/analysis';
import { fitLabelModel, majorityVote, predictLabels } from '../../../src/core/label/label-model';
import type { LabelMatrix } from '../../../src/core/label/lf';
import { applyLabelingFunctions, LfRunner, type LfReport } from '../../../src/core/label/runner';
import { SPAM, SPAM_LFS } from '../../../src/core/label/spam-lfs';
import { buildDemoData } from '../../../scripts/demo-data';
import { rng } from './helpers';
import { featurize, LogisticRegression } from './end-model';
import { nodeWorker } from './node-worker';

interface Email {
  id: string;
  label: string;
  from: string;
  subject: string;
  body: string;
}

let emails: Email[];
let truth: Int32Array;
let L: LabelMatrix;
let reports: LfReport[];

beforeAll(async () => {
  const dir = fileURLToPath(new URL('../../../public/demo/', import.meta.url));
  if (!existsSync(`${dir}spam.csv`)) buildDemoData(dir); // public/demo is built, not committed
  emails = Papa.parse<Email>(readFileSync(`${dir}spam.csv`, 'utf8'), { header: true, skipEmptyLines: true }).data;
  truth = Int32Array.from(emails, (e) => (e.label === 'spam' ? SPAM : 0));
  const columns = { from: emails.map((e) => e.from), subject: emails.map((e) => e.subject), body: emails.map((e) => e.body) };
  ({ matrix: L, reports } = await applyLabelingFunctions(SPAM_LFS, columns, emails.length, 2, new LfRunner(nodeWorker, { timeoutMs: 20_000 })));
}, 120_000);

function accuracyOn(pred: ArrayLike<number>, rows: Iterable<number>): number {
  let right = 0;
  let all = 0;
  for (const i of rows) {
    all++;
    if (pred[i] === truth[i]) right++;
  }
  return right / all;
}

it('every spam labeling function runs and is right more often than not', () => {
  expect(emails.length).toBe(6046);
  expect(reports.map((r) => r.status).every((s) => s === 'ok')).toBe(true);
  const summary = lfSummary(L, truth);
  summary.lfs.forEach((s, j) => {
    expect(s.coverage, SPAM_LFS[j]!.id).toBeGreaterThan(0.005);
    expect(s.accuracy, SPAM_LFS[j]!.id).toBeGreaterThan(0.55);
  });
  expect(summary.coverage).toBeGreaterThan(0.85);
});

// Measured (deterministic: fixed split seed, fixed tie-break hash, deterministic EM and SGD):
//   coverage 0.957; majority vote 0.9274 and label model 0.9343 on the covered rows; end model 0.9362 on
//   all 1,897 held-out rows. On the same held-out rows the gap is wider: covered held-out rows, label model
//   0.9315 vs end model 0.9420; all held-out rows (label model falling back to the more likely class where
//   no function votes) 0.9241 vs 0.9362. The bounds below sit just under these numbers.
it('label model >= majority vote on covered rows, and the end model beats the label model on held-out rows', () => {
  const n = emails.length;
  const mv = majorityVote(L, { tieBreak: 'random' }); // Snorkel's tutorial scores MV with random tie-breaks
  const fit = fitLabelModel(L);
  const lm = predictLabels(fit.probs, 2);
  const covered = [...Array(n).keys()].filter((i) => fit.covered[i]);
  const mvAcc = accuracyOn(mv, covered);
  const lmAcc = accuracyOn(lm, covered);

  // 70 / 30 split; the end model learns from the label model's probabilities on covered training rows
  // only, and is scored on every held-out row, covered or not.
  const rand = rng(2024);
  const isTest = Array.from({ length: n }, () => rand() < 0.3);
  const docs = emails.map((e) => featurize(e.from, e.subject, e.body));
  const trainRows = covered.filter((i) => !isTest[i]);
  const model = new LogisticRegression().fit(
    trainRows.map((i) => docs[i]!),
    trainRows.map((i) => fit.probs[i * 2 + SPAM]!),
  );
  const testRows = [...Array(n).keys()].filter((i) => isTest[i]);
  const endPred = new Int32Array(n);
  for (const i of testRows) endPred[i] = model.score(docs[i]!) >= 0.5 ? SPAM : 0;
  const endAcc = accuracyOn(endPred, testRows);

  // The same comparison on identical rows: covered held-out rows, and all held-out rows with the label
  // model predicting the a-priori more likely class where every function abstains.
  const testCovered = testRows.filter((i) => fit.covered[i]);
  const fallback = fit.classBalance[SPAM]! > 0.5 ? SPAM : 0;
  const lmOrPrior = Int32Array.from(lm, (y) => (y === -1 ? fallback : y));

  console.log(
    `spam demo: coverage ${(covered.length / n).toFixed(4)}; on covered rows majority vote ${mvAcc.toFixed(4)}, ` +
      `label model ${lmAcc.toFixed(4)}; end model ${endAcc.toFixed(4)} on all ${testRows.length} held-out rows ` +
      `(covered held-out: label model ${accuracyOn(lm, testCovered).toFixed(4)}, end model ${accuracyOn(endPred, testCovered).toFixed(4)}; ` +
      `all held-out: label model + prior ${accuracyOn(lmOrPrior, testRows).toFixed(4)}); ${fit.iterations} EM iterations`,
  );
  expect(covered.length / n).toBeGreaterThan(0.95);
  expect(mvAcc).toBeGreaterThan(0.92);
  expect(lmAcc).toBeGreaterThan(0.93);
  expect(endAcc).toBeGreaterThan(0.935);
  expect(lmAcc).toBeGreaterThanOrEqual(mvAcc);
  expect(endAcc).toBeGreaterThan(lmAcc);
  expect(accuracyOn(endPred, testCovered)).toBeGreaterThan(accuracyOn(lm, testCovered) + 0.005);
  expect(endAcc).toBeGreaterThan(accuracyOn(lmOrPrior, testRows) + 0.005);
});
