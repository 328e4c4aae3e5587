/**
 * The README's fairness walk-through (penguins by sex), in Node: the demo's penguins, the Train form's
 * defaults for them (the MLP classifier preset: seed 42, 70/15/15 split, Adam 0.005, batch 32, 60 epochs,
 * early stopping after 10), then the figures the walk-through quotes. The group sizes and base rates come
 * from the seeded split alone; the rates at each threshold also need a model that is right, and sure, on
 * every test penguin, which this run is asserted to be.
 */
import 'fake-indexeddb/auto';
import type * as tfjs from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FairnessAtThreshold } from '../../../src/core/evaluate/fairness';
import type { FairnessResult } from '../../../src/protocol/explain';
import { ExplainService } from '../../../src/services/explain';
import { PipetteDB } from '../../../src/store/db';
import { createProject } from '../../../src/store/projects';
import { useCpu } from '../train/helpers';
import { importJson, penguinConfig, penguins, trainPenguinModel } from '../train-service/penguins';

const FEATURES = ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'];

let tf: typeof tfjs;
let db: PipetteDB;
let modelId: string;
let testAccuracy: number;
let testRows: number;
let service: ExplainService;

beforeAll(async () => {
  tf = await useCpu();
  db = new PipetteDB('fairness-walkthrough');
  await db.open();
  const projectId = (await createProject(db, 'Demo')).id;
  const versionId = await importJson(db, projectId, 'penguins.json', penguins);
  // the form's defaults for penguins (app/train.svelte.ts and the preset's training settings)
  const config = penguinConfig(FEATURES, { backend: 'cpu' }, { learningRate: 0.005, batchSize: 32, epochs: 60, patience: 10 });
  const trained = await trainPenguinModel(tf, db, projectId, versionId, config);
  modelId = trained.modelId;
  testAccuracy = trained.run.metrics!.summary.accuracy!;
  testRows = trained.run.split!.counts.test;
  service = new ExplainService({ tf, db, loadModel: (id) => trained.models.load(id) });
}, 300_000);

afterAll(async () => {
  await db.delete();
});

const fairness = (sensitiveColumn: string, positiveClass: string) => service.fairness({ modelId, datasetVersionId: null, sensitiveColumn, positiveClass });
const at = (r: FairnessResult, threshold: number): FairnessAtThreshold => r.report.thresholds.find((t) => t.threshold === threshold)!;
const byGroup = (r: FairnessResult) => new Map(r.report.groups.map((g, i) => [g.group, i]));
const round3 = (v: number) => Math.round(v * 1000) / 1000;

describe('the fairness walk-through', () => {
  it('step 1: the run reaches test accuracy 1.00 on its 51 test rows', () => {
    expect(testRows).toBe(51);
    expect(testAccuracy).toBe(1);
  });

  it('step 3: Sex, positive class Adelie: 22 FEMALE (7 Adelie) and 29 MALE (16 Adelie); parity gap 0.234, ratio 0.577, equalized odds 0', async () => {
    const r = await fairness('Sex', 'Adelie');
    const g = byGroup(r);
    const female = r.report.groups[g.get('FEMALE')!]!;
    const male = r.report.groups[g.get('MALE')!]!;
    expect([female.count, female.positives, male.count, male.positives]).toEqual([22, 7, 29, 16]);
    expect(r.report.groups).toHaveLength(2);
    expect(female.small && male.small).toBe(true);
    const half = at(r, 0.5);
    expect(round3(half.groups[g.get('FEMALE')!]!.positiveRate)).toBe(0.318);
    expect(round3(half.groups[g.get('MALE')!]!.positiveRate)).toBe(0.552);
    expect(round3(half.gaps.demographicParityDifference)).toBe(0.234);
    expect(round3(half.gaps.disparateImpactRatio)).toBe(0.577);
    expect(half.gaps.equalizedOddsDifference).toBe(0);
    for (const group of half.groups) expect([group.tpr, group.fpr]).toEqual([1, 0]);
    // thresholds 0.2 and 0.8 give the same rates
    for (const t of [0.2, 0.8]) expect(at(r, t).groups.map((x) => x.positiveRate)).toEqual(half.groups.map((x) => x.positiveRate));
  });

  it('step 4: Chinstrap by sex 0.227 and 0.172; Adelie by island: Torgersen 1.0 with FPR n/a, Biscoe 0.217, parity gap 0.783', async () => {
    const chinstrap = await fairness('Sex', 'Chinstrap');
    const s = byGroup(chinstrap);
    const half = at(chinstrap, 0.5);
    expect(round3(half.groups[s.get('FEMALE')!]!.positiveRate)).toBe(0.227);
    expect(round3(half.groups[s.get('MALE')!]!.positiveRate)).toBe(0.172);
    expect(round3(half.gaps.demographicParityDifference)).toBe(0.055);
    expect(half.gaps.equalizedOddsDifference).toBe(0);

    const island = await fairness('Island', 'Adelie');
    const i = byGroup(island);
    const islandHalf = at(island, 0.5);
    const torgersen = islandHalf.groups[i.get('Torgersen')!]!;
    expect(torgersen.positiveRate).toBe(1);
    expect(Number.isNaN(torgersen.fpr) && Number.isNaN(torgersen.falseOmissionRate)).toBe(true);
    expect(round3(islandHalf.groups[i.get('Biscoe')!]!.positiveRate)).toBe(0.217);
    expect(round3(islandHalf.gaps.demographicParityDifference)).toBe(0.783);
    expect(islandHalf.gaps.equalizedOddsDifference).toBe(0);
  });
});
