/**
 * The production gate reads a blessing only for what it was computed on: the model's own data, and (for
 * relative thresholds) the production version they compared with. Records are written by hand here (no
 * training); evaluate.test.ts covers the gate on real evaluations.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catalogs, format, LOCALES } from '../../../src/app/i18n/catalog';
import type { Threshold } from '../../../src/core/evaluate/blessing';
import { EvalError } from '../../../src/core/evaluate/errors';
import { listPromotions, resolveAlias, setAlias } from '../../../src/services/registry';
import { PipetteDB, type DatasetVersion } from '../../../src/store/db';
import type { EvaluationRecord } from '../../../src/store/evaluation-records';
import { createProject } from '../../../src/store/projects';
import { addTinyModel } from '../train-service/tiny-model';

let db: PipetteDB;
let n = 0;
let projectId: string;
let clock = 0;

beforeEach(async () => {
  db = new PipetteDB(`promotion-${n++}`);
  await db.open();
  projectId = (await createProject(db, 'P')).id;
  for (const id of ['own', 'other']) await db.versions.add({ id, datasetId: 'd', projectId, version: id === 'own' ? 1 : 2, status: 'ready' } as DatasetVersion);
});
afterEach(async () => {
  await db.delete();
});

/** A model version trained on dataset version `own` (null: an import with no data of its own). */
const model = (id: string, datasetVersionId: string | null = 'own') => addTinyModel(db, projectId, id, { datasetVersionId });

const absolute: Threshold = { kind: 'absolute', metric: 'accuracy', op: '>=', value: 0.6 };
const relative: Threshold = { kind: 'relative', metric: 'accuracy', tolerance: 0.01 };

/** An evaluation as the Evaluate stage records it (only what the gate reads is filled in). */
async function evaluation(modelId: string, o: { blessed?: boolean; thresholds?: Threshold[]; baseline?: string | null; data?: string }): Promise<string> {
  const id = crypto.randomUUID();
  await db.evaluations.add({
    id,
    projectId,
    modelId,
    datasetVersionId: o.data ?? 'own',
    part: o.data === 'other' ? 'all' : 'test',
    thresholds: o.thresholds ?? [absolute, relative],
    blessing: { blessed: o.blessed ?? true, reasons: [], hadBaseline: !!o.baseline },
    baselineModelId: o.baseline ?? null,
    createdAt: ++clock,
  } as unknown as EvaluationRecord);
  return id;
}

const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as EvalError);
const production = async () => (await resolveAlias(db, projectId, 'production'))?.id;

describe('relative blessings and the production version they compared with', () => {
  it('go stale when production moves: the gate refuses naming both versions, the registry says stale, an override is recorded', async () => {
    await model('m1');
    await model('m2');
    await model('m3');
    await setAlias(db, projectId, 'production', 'm1', { overrideReason: 'first model' });
    // m2 and m3 were both blessed against v1
    await evaluation('m2', { baseline: 'm1' });
    const e3 = await evaluation('m3', { baseline: 'm1' });
    expect((await listPromotions(db, projectId)).get('m3')?.state).toBe('blessed');
    await setAlias(db, projectId, 'production', 'm2');
    expect(await production()).toBe('m2');

    // production moved to v2: m3's blessing compared with v1
    const refused = await refusal(setAlias(db, projectId, 'production', 'm3'));
    expect(refused).toBeInstanceOf(EvalError);
    expect(refused?.code).toBe('stale-blessing');
    expect(refused?.details.params).toEqual({ version: 3, compared: 1, production: 2 });
    expect(refused?.message).toMatch(/compared with production v1; production is now v2/);
    expect(await production()).toBe('m2');
    const promotions = await listPromotions(db, projectId);
    expect(promotions.get('m3')).toMatchObject({ state: 'stale', comparedWith: 'm1', production: 'm2' });
    // the version production points at is not stale: its blessing is what put it there
    expect(promotions.get('m2')?.state).toBe('blessed');

    await expect(setAlias(db, projectId, 'production', 'm3', { overrideReason: '  ' })).rejects.toMatchObject({ code: 'stale-blessing' });
    await setAlias(db, projectId, 'production', 'm3', { overrideReason: 'v2 and v3 differ only in the threshold' });
    expect(await production()).toBe('m3');
    expect((await db.aliases.get([projectId, 'production']))?.override).toEqual({ reason: 'v2 and v3 differ only in the threshold', evaluationId: e3 });
    expect((await db.evaluations.get(e3))?.override?.reason).toBe('v2 and v3 differ only in the threshold');
  });

  it('a new evaluation against the current production counts again', async () => {
    await model('m1');
    await model('m2');
    await evaluation('m2', { baseline: null });
    await setAlias(db, projectId, 'production', 'm1', { overrideReason: 'first model' });
    // blessed while nothing was production ("no baseline"): production is v1 now
    const refused = await refusal(setAlias(db, projectId, 'production', 'm2'));
    expect(refused?.code).toBe('stale-blessing');
    expect(refused?.details.params).toEqual({ version: 2, compared: '', production: 1 });
    expect(refused?.message).toMatch(/compared with production none; production is now v1/);
    await evaluation('m2', { baseline: 'm1' });
    await setAlias(db, projectId, 'production', 'm2');
    expect(await production()).toBe('m2');
    expect((await db.aliases.get([projectId, 'production']))?.override).toBeUndefined();
  });

  it('with no production version, a relative threshold passes and the blessing holds while there is still none', async () => {
    await model('m1');
    await evaluation('m1', { thresholds: [relative], baseline: null });
    await setAlias(db, projectId, 'production', 'm1');
    expect(await production()).toBe('m1');
  });

  it('absolute-only blessings stay valid when production moves', async () => {
    await model('m1');
    await model('m2');
    await evaluation('m2', { thresholds: [absolute], baseline: null });
    await setAlias(db, projectId, 'production', 'm1', { overrideReason: 'first model' });
    expect((await listPromotions(db, projectId)).get('m2')?.state).toBe('blessed');
    await setAlias(db, projectId, 'production', 'm2');
    expect(await production()).toBe('m2');
  });
});

describe('blessings and the data they were computed on', () => {
  it("only an evaluation on the model's own dataset version counts; one on other data does not", async () => {
    await model('m1');
    await evaluation('m1', { data: 'other', thresholds: [absolute] });
    const refused = await refusal(setAlias(db, projectId, 'production', 'm1'));
    expect(refused?.code).toBe('other-data');
    expect((await listPromotions(db, projectId)).get('m1')?.state).toBe('other-data');
    // blessed on its own rows, then a later failing evaluation on other data: the gate reads its own
    const own = await evaluation('m1', { thresholds: [absolute] });
    await evaluation('m1', { data: 'other', thresholds: [absolute], blessed: false });
    expect((await listPromotions(db, projectId)).get('m1')).toMatchObject({ state: 'blessed', evaluation: { id: own } });
    await setAlias(db, projectId, 'production', 'm1');
    expect(await production()).toBe('m1');
  });

  it('the latest evaluation on its own data decides: a later NOT BLESSED one there refuses', async () => {
    await model('m1');
    await evaluation('m1', { thresholds: [absolute] });
    await evaluation('m1', { thresholds: [absolute], blessed: false });
    expect((await refusal(setAlias(db, projectId, 'production', 'm1')))?.code).toBe('not-blessed');
  });

  it('an imported model has no data of its own: its latest evaluation on any data counts', async () => {
    await model('m1', null);
    await evaluation('m1', { data: 'other', thresholds: [absolute] });
    await setAlias(db, projectId, 'production', 'm1');
    expect(await production()).toBe('m1');
  });
});

describe('the refusals in both languages', () => {
  it('name the version, the one compared with and production now', () => {
    for (const locale of LOCALES) {
      const text = format(catalogs[locale]['evaluate.error.stale-blessing'], { version: 3, compared: 'v1', production: 'v2' });
      expect(text).toContain('v3');
      expect(text).toContain('v1');
      expect(text).toContain('v2');
      expect(text).not.toMatch(/[{}]/);
      expect(format(catalogs[locale]['evaluate.error.other-data'], { version: 3 })).toContain('v3');
    }
  });
});
