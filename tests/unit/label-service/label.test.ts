import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ABSTAIN, type LfSpec } from '../../../src/core/label';
import { LabelService } from '../../../src/services/label';
import {
  addSpamDemoFunctions,
  appendLabelEvent,
  consensusLabels,
  labelsByLabeler,
  labelTargets,
  listLabelingFunctions,
  listLabelSets,
  saveLabelingFunction,
  saveLabelSchema,
  saveManualLabelSet,
  versionEvents,
} from '../../../src/services/label-store';
import { TableService } from '../../../src/services/table';
import { PipetteDB } from '../../../src/store/db';
import { createProject } from '../../../src/store/projects';
import { nodeWorker } from '../label/node-worker';
import { writeVersion } from '../validate-service/helpers';

let db: PipetteDB;
let dbCount = 0;
let projectId: string;
let versionId: string;

// 12 rows; two batches so reads cross a batch boundary.
const SUBJECTS = ['win money now', 'meeting notes', 'free money', 'lunch?', 'money back', 'patch for gcc', 'cheap meds', 'Re: patch', 'FREE stuff', 'hello', null, 'cash cash'];
const SIZES = [10, 200, 15, 300, 12, 250, 8, 400, null, 220, 5, 9];
const TRUTH = ['spam', 'ham', 'spam', 'ham', 'spam', 'ham', 'spam', 'ham', 'spam', 'ham', 'ham', 'spam'];

beforeEach(async () => {
  db = new PipetteDB(`label-svc-${dbCount++}`);
  await db.open();
  projectId = (await createProject(db, 'p')).id;
  ({ versionId } = await writeVersion(
    db,
    projectId,
    [
      { name: 'subject', type: 'text', values: SUBJECTS },
      { name: 'size', type: 'number', values: SIZES },
      { name: 'label', type: 'categorical', values: TRUTH },
    ],
    7,
  ));
});
afterEach(async () => {
  await db.delete();
});

describe('label schema', () => {
  it('is versioned: each save is a new version, the old one unchanged', async () => {
    const v1 = await saveLabelSchema(db, projectId, ['ham', 'spam'], 'first');
    const v2 = await saveLabelSchema(db, projectId, [' ham ', 'spam', 'unsure', ''], 'second');
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v2.parentId).toBe(v1.id);
    expect(v2.classes).toEqual(['ham', 'spam', 'unsure']);
    expect((await db.labelSchemas.get(v1.id))!.classes).toEqual(['ham', 'spam']);
  });

  it('refuses fewer than two classes and duplicates', async () => {
    await expect(saveLabelSchema(db, projectId, ['only'], '')).rejects.toMatchObject({ kind: 'LabelError', code: 'too-few-classes' });
    await expect(saveLabelSchema(db, projectId, ['a', 'A'], '')).rejects.toThrow(/twice/);
  });
});

describe('label events', () => {
  beforeEach(async () => {
    await saveLabelSchema(db, projectId, ['ham', 'spam'], '');
  });

  it('replays the log: the last event per row wins, a retraction removes, labelers stay apart', async () => {
    const ev = (labeler: string, row: number, label: number | null) => appendLabelEvent(db, { projectId, datasetVersionId: versionId, labeler, row, label });
    await ev('alice', 0, 1);
    await ev('alice', 1, 0);
    await ev('alice', 1, 1); // relabel
    await ev('alice', 2, 1);
    await ev('alice', 2, null); // undo
    await ev('bob', 0, 0);
    const events = await versionEvents(db, versionId);
    expect(events).toHaveLength(6);
    expect(events.every((e) => typeof e.at === 'number' && e.at > 0)).toBe(true);
    const by = labelsByLabeler(events);
    expect([...by.get('alice')!].map(([r, l]) => [r, l.label])).toEqual([
      [0, 1],
      [1, 1],
    ]);
    expect(by.get('bob')!.get(0)!.label).toBe(0);
    // consensus: bob labeled row 0 after alice
    expect(consensusLabels(events).get(0)!.labeler).toBe('bob');
  });

  it('refuses rows that do not exist, labels that are not classes and unknown versions', async () => {
    await expect(appendLabelEvent(db, { projectId, datasetVersionId: versionId, labeler: 'a', row: 12, label: 0 })).rejects.toThrow(/row 12 does not exist/);
    await expect(appendLabelEvent(db, { projectId, datasetVersionId: versionId, labeler: 'a', row: -1, label: 0 })).rejects.toMatchObject({ kind: 'LabelError', code: 'row-out-of-range', details: { params: { row: -1 } } });
    await expect(appendLabelEvent(db, { projectId, datasetVersionId: versionId, labeler: 'a', row: 0, label: 2 })).rejects.toThrow(/not a class/);
    await expect(appendLabelEvent(db, { projectId, datasetVersionId: 'nope', labeler: 'a', row: 0, label: 0 })).rejects.toThrow(/does not exist/);
    expect(await versionEvents(db, versionId)).toHaveLength(0);
  });

  it('freezes manual labels into numbered, immutable label-set versions', async () => {
    await appendLabelEvent(db, { projectId, datasetVersionId: versionId, labeler: 'alice', row: 3, label: 0 });
    await appendLabelEvent(db, { projectId, datasetVersionId: versionId, labeler: 'alice', row: 1, label: 1 });
    const s1 = await saveManualLabelSet(db, projectId, versionId);
    await appendLabelEvent(db, { projectId, datasetVersionId: versionId, labeler: 'bob', row: 5, label: 0 });
    const s2 = await saveManualLabelSet(db, projectId, versionId, 'bob');
    expect([s1.version, s2.version]).toEqual([1, 2]);
    expect(s2.parentId).toBe(s1.id);
    if (s1.kind !== 'manual' || s2.kind !== 'manual') throw new Error('kind');
    expect(Array.from(s1.data.rows)).toEqual([1, 3]);
    expect(Array.from(s1.data.labels)).toEqual([1, 0]);
    expect(s1.data.labelers).toEqual(['alice', 'alice']);
    expect(Array.from(s2.data.rows)).toEqual([5]);
    const stored = await listLabelSets(db, versionId);
    expect(stored.map((s) => s.data.rows.length)).toEqual([2, 1]);
    await expect(saveManualLabelSet(db, projectId, versionId, 'nobody')).rejects.toThrow(/no rows/);
    // as training targets: one-hot probabilities
    const targets = await labelTargets(db, s1.id);
    expect(Array.from(targets.probs)).toEqual([0, 1, 1, 0]);
    expect(targets.classes).toEqual(['ham', 'spam']);
  });
});

describe('labeling functions, analysis and label model', () => {
  const spam = 1;
  const ham = 0;
  const lfs: LfSpec[] = [
    { id: '', name: 'money', kind: 'keywords', column: 'subject', keywords: ['money', 'cash'], match: 'word', label: spam },
    { id: '', name: 'free', kind: 'regex', column: 'subject', pattern: 'free', flags: 'i', label: spam },
    { id: '', name: 'big', kind: 'threshold', column: 'size', op: '>=', value: 200, label: ham },
    { id: '', name: 'small', kind: 'threshold', column: 'size', op: '<', value: 11, label: spam },
  ];

  beforeEach(async () => {
    await saveLabelSchema(db, projectId, ['ham', 'spam'], '');
    for (const spec of lfs) await saveLabelingFunction(db, projectId, spec);
  });

  /** The functions by hand, row by row: what the matrix must hold. */
  function bruteForce(): number[][] {
    return SUBJECTS.map((s, i) => {
      const size = SIZES[i];
      const lower = (s ?? '').toLowerCase();
      return [
        /\b(money|cash)\b/.test(lower) ? spam : ABSTAIN,
        lower.includes('free') ? spam : ABSTAIN,
        size !== null && size >= 200 ? ham : ABSTAIN,
        size !== null && size < 11 ? spam : ABSTAIN,
      ];
    });
  }

  it('coverage, overlaps, conflicts and accuracy against a gold column equal a brute-force count', async () => {
    const service = new LabelService(db, null, null);
    const out = await service.runLabelingFunctions({ jobId: 'j', projectId, versionId, gold: { kind: 'column', column: 'label' } });
    const rows = bruteForce();
    const n = rows.length;
    expect(out.rowCount).toBe(n);
    expect(out.goldRows).toBe(n);
    expect(out.lfs.map((l) => l.name)).toEqual(['money', 'free', 'big', 'small']);
    out.lfs.forEach((lf, j) => {
      const voted = rows.map((r, i) => ({ i, v: r[j]! })).filter((x) => x.v !== ABSTAIN);
      expect(lf.status).toBe('ok');
      expect(lf.stats.coverage).toBeCloseTo(voted.length / n, 12);
      const overlaps = voted.filter(({ i }) => rows[i]!.filter((v, jj) => jj !== j && v !== ABSTAIN).length > 0).length;
      const conflicts = voted.filter(({ i, v }) => rows[i]!.some((w, jj) => jj !== j && w !== ABSTAIN && w !== v)).length;
      expect(lf.stats.overlaps).toBeCloseTo(overlaps / n, 12);
      expect(lf.stats.conflicts).toBeCloseTo(conflicts / n, 12);
      const right = voted.filter(({ i, v }) => (TRUTH[i] === 'spam' ? spam : ham) === v).length;
      expect(lf.stats.correct).toBe(right);
      expect(lf.stats.accuracy).toBeCloseTo(right / voted.length, 12);
    });
    const covered = rows.filter((r) => r.some((v) => v !== ABSTAIN)).length;
    expect(out.coverage).toBeCloseTo(covered / n, 12);
    expect(out.labelModel.coverage).toBeCloseTo(covered / n, 12);
    expect(out.labelModel.accuracy).not.toBeNull();
    expect(out.majorityVote.accuracy).not.toBeNull();
  });

  it('scores against the manual labels when asked', async () => {
    await appendLabelEvent(db, { projectId, datasetVersionId: versionId, labeler: 'a', row: 0, label: spam });
    await appendLabelEvent(db, { projectId, datasetVersionId: versionId, labeler: 'a', row: 1, label: spam }); // wrong on purpose
    const out = await new LabelService(db, null, null).runLabelingFunctions({ jobId: 'j', projectId, versionId, gold: { kind: 'manual' } });
    expect(out.goldRows).toBe(2);
    const money = out.lfs.find((l) => l.name === 'money')!;
    expect([money.stats.correct, money.stats.incorrect]).toEqual([1, 0]);
    const big = out.lfs.find((l) => l.name === 'big')!;
    expect([big.stats.correct, big.stats.incorrect]).toEqual([0, 1]);
  });

  it('saves weak labels with probabilities, leaving out rows where every function abstains', async () => {
    const service = new LabelService(db, null, null);
    const out = await service.runLabelingFunctions({ jobId: 'j', projectId, versionId, gold: { kind: 'none' } });
    const rows = bruteForce();
    const coveredRows = rows.map((r, i) => (r.some((v) => v !== ABSTAIN) ? i : -1)).filter((i) => i >= 0);
    for (const kind of ['label-model', 'majority-vote'] as const) {
      const set = await service.saveWeakLabels(out.runId, kind);
      if (set.kind === 'manual') throw new Error('kind');
      expect(set.kind).toBe(kind);
      if (kind === 'label-model') expect(Array.from(set.data.rows)).toEqual(coveredRows);
      const k = 2;
      for (let r = 0; r < set.data.rows.length; r++) {
        expect(set.data.probs[r * k]! + set.data.probs[r * k + 1]!).toBeCloseTo(1, 5);
        expect(set.data.labels[r]).toBe(set.data.probs[r * k + 1]! > set.data.probs[r * k]! ? 1 : set.data.probs[r * k + 1]! < set.data.probs[r * k]! ? 0 : set.data.labels[r]);
      }
      expect(set.data.lfs.map((l) => l.name)).toEqual(['money', 'free', 'big', 'small']);
    }
    const lm = (await listLabelSets(db, versionId)).find((s) => s.kind === 'label-model')!;
    const soft = await labelTargets(db, lm.id);
    expect(Array.from(soft.rows)).toEqual(coveredRows);
    expect(soft.probs.length).toBe(coveredRows.length * 2);
    // the uncertainty queue holds exactly the covered rows, least confident first
    const order = Array.from(await service.uncertaintyQueue({ versionId, labelSetId: lm.id, strategy: 'least-confidence' }));
    expect([...order].sort((a, b) => a - b)).toEqual(coveredRows);
    if (lm.kind === 'manual') throw new Error('kind');
    const conf = (row: number) => {
      const r = Array.from(lm.data.rows).indexOf(row);
      return Math.max(lm.data.probs[r * 2]!, lm.data.probs[r * 2 + 1]!);
    };
    for (let i = 1; i < order.length; i++) expect(conf(order[i - 1]!)).toBeLessThanOrEqual(conf(order[i]!) + 1e-7);
    await expect(service.saveWeakLabels('gone', 'label-model')).rejects.toThrow(/run the functions again/);
  });

  it('a code function that never returns is stopped; the others keep their results', async () => {
    await saveLabelingFunction(db, projectId, { id: '', name: 'endless', kind: 'code', source: '(row) => { while (true) {} }' });
    await saveLabelingFunction(db, projectId, { id: '', name: 'hello', kind: 'code', source: "(row) => (row.subject === 'hello' ? 0 : ABSTAIN)" });
    await saveLabelingFunction(db, projectId, { id: '', name: 'broken', kind: 'code', source: '(row) => {' });
    await saveLabelingFunction(db, projectId, { id: '', name: 'not a class', kind: 'code', source: '(row) => 5' });
    await saveLabelingFunction(db, projectId, { id: '', name: 'throws', kind: 'code', source: "(row) => row.subject.length > 9 ? 1 : ABSTAIN" });
    const out = await new LabelService(db, null, nodeWorker).runLabelingFunctions({ jobId: 'j', projectId, versionId, gold: { kind: 'none' }, timeoutMs: 500 });
    const byName = new Map(out.lfs.map((l) => [l.name, l]));
    expect(byName.get('endless')!.status).toBe('timeout');
    expect(byName.get('endless')!.message).toBe('stopped after 500 ms');
    expect(byName.get('endless')!.timeoutMs).toBe(500);
    expect(byName.get('endless')!.stats.coverage).toBe(0);
    expect(byName.get('broken')!.status).toBe('compile-error');
    expect(byName.get('hello')!.status).toBe('ok');
    expect(byName.get('not a class')!.status).toBe('invalid');
    expect(byName.get('not a class')!.invalid).toBe(12);
    expect(byName.get('not a class')!.firstInvalid).toEqual({ row: 0, value: '5' });
    // row 10 has no subject: that row abstains, the others keep their votes
    expect(byName.get('throws')!.status).toBe('threw');
    expect(byName.get('throws')!.errors).toBe(1);
    expect(byName.get('throws')!.firstError!.row).toBe(10);
    expect(byName.get('throws')!.stats.coverage).toBeCloseTo(SUBJECTS.filter((s) => s !== null && s.length > 9).length / 12, 12);
    expect(byName.get('hello')!.stats.coverage).toBeCloseTo(1 / 12, 12);
    expect(byName.get('money')!.stats.coverage).toBeCloseTo(4 / 12, 12);
  }, 30_000);

  it('rows come back for the queue in the order asked', async () => {
    const service = new LabelService(db, new TableService(db), null);
    const rows = await service.rowsAt(versionId, [9, 0, 8]);
    expect(rows.map((r) => r[0])).toEqual(['hello', 'win money now', 'FREE stuff']);
  });
});

describe('spam demo functions', () => {
  it('adds the 27 functions once and sets the classes to ham, spam', async () => {
    await saveLabelSchema(db, projectId, ['yes', 'no', 'maybe'], 'keep these instructions');
    const first = await addSpamDemoFunctions(db, projectId);
    expect(first.added).toBe(27);
    expect(first.schema.classes).toEqual(['ham', 'spam']);
    expect(first.schema.instructions).toBe('keep these instructions');
    const again = await addSpamDemoFunctions(db, projectId);
    expect(again.added).toBe(0);
    expect(again.schema.id).toBe(first.schema.id);
    const stored = await listLabelingFunctions(db, projectId);
    expect(stored).toHaveLength(27);
    expect(new Set(stored.map((r) => r.id)).size).toBe(27);
    expect(stored.every((r) => r.spec.id === r.id)).toBe(true);
  });
});
