/**
 * The Lineage view's pure parts over hand records: version 2 derived from version 1; a transform analyzed
 * on version 1; model m1 trained on version 1 through the transform, m3 on version 2; m1 evaluated on
 * version 2; production is m3.
 */
import { describe, expect, it } from 'vitest';
import { lineageStore, type LineageRecords } from '../../../src/core/pipeline/lineage-from-records';
import { MlmdRecorder } from '../../../src/core/pipeline/mlmd-record';
import { artifactByUri, layoutLineage, modelsUsing, productionData } from '../../../src/app/lineage-view';

const split = { seed: 1, fractions: { train: 0.8, validation: 0.1, test: 0.1 } };
const run = (id: string, versionId: string, modelId: string, createdAt: number, transformId?: string) => ({
  id,
  datasetVersionId: versionId,
  status: 'done',
  config: { name: id, task: 'tabular-classification', split, hyper: {}, baseModelId: null, ...(transformId ? { transformId } : {}) },
  modelId,
  createdAt,
});
const records: LineageRecords = {
  datasets: [{ id: 'd1', name: 'penguins' }],
  versions: [
    { id: 'v1', datasetId: 'd1', version: 1, parentId: null, createdAt: 1 },
    { id: 'v2', datasetId: 'd1', version: 2, parentId: 'v1', createdAt: 2 },
  ],
  statistics: [],
  schemas: [],
  transforms: [{ id: 't1', name: 'prep', version: 3, source: { datasetVersionId: 'v1', split, labelColumn: 'species' }, origin: { kind: 'analyzed' }, createdAt: 3 }],
  runs: [run('r1', 'v1', 'm1', 4, 't1'), run('r3', 'v2', 'm3', 5)],
  models: [
    { id: 'm1', name: 'first', version: 1, source: 'run', runId: 'r1', parentModelId: null, createdAt: 4 },
    { id: 'm3', name: 'third', version: 3, source: 'run', runId: 'r3', parentModelId: null, createdAt: 5 },
  ],
  evaluations: [{ id: 'e1', modelId: 'm1', datasetVersionId: 'v2', part: 'all', blessing: { blessed: false }, baselineModelId: null, createdAt: 6 }],
  aliases: [{ alias: 'production', modelId: 'm3', updatedAt: 7 }],
};
const store = lineageStore(new MlmdRecorder().store, records);
const uriOf = (a: { uri?: string }) => a.uri;

describe('lineage questions', () => {
  it('finds the data that trained the production model: version 2 only (not its parent, not what evaluated it)', () => {
    const answer = productionData(store, 'm3');
    expect(answer?.model.uri).toBe('pipette:model/m3');
    expect(answer?.examples.map(uriOf)).toEqual(['pipette:version/v2']);
    expect(productionData(store, null)).toBeNull();
  });

  it('lists the models trained on a version, not those of versions derived from it', () => {
    expect(modelsUsing(store, 'v1').map(uriOf)).toEqual(['pipette:model/m1']);
    expect(modelsUsing(store, 'v2').map(uriOf)).toEqual(['pipette:model/m3']);
    expect(modelsUsing(store, 'nope')).toEqual([]);
  });
});

describe('layoutLineage', () => {
  it('lays m1 upstream by longest distance: data on the left, the model on the right, each node its kind, name and version', () => {
    const m1 = artifactByUri(store, 'pipette:model/m1', 'Model')!;
    const layout = layoutLineage(store, m1.id, 'up');
    const rows = layout.nodes.map((n) => `${n.depth} ${n.type} ${n.name} ${n.version}`.trim()).sort();
    // model 0 <- Trainer 1 <- transform 2 <- Transform 3 <- v1 4 (also read by the Trainer directly) <- Import 5
    expect(rows).toEqual(['0 Model first 1', '1 Trainer Trainer', '2 TransformGraph prep 3', '3 Transform Transform', '4 Examples penguins 1', '5 Import Import']);
    const column = (type: string) => layout.nodes.find((n) => n.type === type)!.x;
    expect(column('Import')).toBeLessThan(column('Examples'));
    expect(column('Trainer')).toBeLessThan(column('Model'));
    // Import>v1, v1>Transform, Transform>prep, prep>Trainer, v1>Trainer, Trainer>model
    expect(layout.edges).toHaveLength(6);
    expect(layout.edges.every((e) => e.x1 < e.x2)).toBe(true);
  });

  it('lays v1 downstream from the left: the derived version, the transform, m1 and what read them', () => {
    const v1 = artifactByUri(store, 'pipette:version/v1', 'Examples')!;
    const layout = layoutLineage(store, v1.id, 'down');
    expect(layout.nodes.filter((n) => n.kind === 'artifact').map((n) => n.uri).sort()).toEqual(
      ['pipette:evaluation/e1', 'pipette:evaluation/e1', 'pipette:model/m1', 'pipette:model/m3', 'pipette:run/r1', 'pipette:run/r3', 'pipette:transform/t1', 'pipette:version/v1', 'pipette:version/v2', 'pipette:alias/production/m3'].sort(),
    );
    expect(layout.nodes.find((n) => n.uri === 'pipette:version/v1')!.x).toBe(12);
    expect(layout.edges.every((e) => e.x1 < e.x2)).toBe(true);
  });
});
