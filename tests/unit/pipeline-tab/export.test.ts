/**
 * The tab's ExportContext for the TFX and Kubeflow exports (app/pipeline-export.ts) on fake-indexeddb: the
 * columns are those of the ExampleGen's dataset's newest ready version (a version still being written is not
 * read), the classes those of the model the newest finished run of the pipeline trained (in the model's
 * order, not sorted); without such a run there are none, and the TFX export then notes the empty class order.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportContextOf, exportNoteText } from '../../../src/app/pipeline-export';
import { toTfxPipeline } from '../../../src/core/pipeline/export';
import { PipetteDB, type DatasetVersion } from '../../../src/store/db';
import type { PipelineRecord, PipelineRunRecord } from '../../../src/store/pipeline-records';
import type { ModelVersionRecord } from '../../../src/store/training-records';
import { PENGUIN_COLUMNS } from '../pipeline-export/fixture';
import { demo } from '../pipeline/helpers';

let db: PipetteDB;
let n = 0;
beforeEach(async () => {
  db = new PipetteDB(`pipeline-export-${n++}`);
  await db.open();
  await db.datasets.add({ id: 'd1', projectId: 'p1', name: 'Palmer penguins', createdAt: 0 });
  const v = (id: string, version: number, status: DatasetVersion['status'], columns: DatasetVersion['columns']) =>
    ({ id, datasetId: 'd1', projectId: 'p1', version, parentId: null, status, source: { fileName: 'x.csv', size: 0, format: 'csv' }, rowCount: 1, columns, batchRowCounts: [1], byteSize: 0, warnings: [], createdAt: 0 }) as DatasetVersion;
  await db.versions.bulkAdd([
    v('v1', 1, 'ready', [{ name: 'Species', type: 'categorical', nullCount: 0 }, { name: 'Island', type: 'categorical', nullCount: 0 }]),
    v('v2', 2, 'ready', PENGUIN_COLUMNS.map((c) => ({ ...c, nullCount: 2 }))),
    v('v3', 3, 'writing', [{ name: 'Other', type: 'number', nullCount: 0 }]),
  ]);
});
afterEach(async () => {
  await db.delete();
});

const pipeline: PipelineRecord = { id: 'pl1', projectId: 'p1', name: 'penguins', version: 1, spec: demo(), createdAt: 0 };
const finishedRun = (modelId: string, startedAt: number) =>
  ({ id: `r${startedAt}`, pipelineId: 'pl1', pipelineName: 'penguins', status: 'finished', startedAt, outputs: { trainer: { model: [{ id: 1, uri: '', properties: { modelId } }] } } }) as unknown as PipelineRunRecord;
const model = (id: string, classes: string[]) => ({ id, projectId: 'p1', metadata: { preprocessing: { label: { column: 'Species', task: 'classification', classes, counts: [] } } } }) as unknown as ModelVersionRecord;

describe('exportContextOf', () => {
  it('takes the newest ready version\'s columns and the newest trained model\'s classes', async () => {
    await db.models.bulkAdd([model('m-old', ['a', 'b']), model('m-new', ['Gentoo', 'Adelie', 'Chinstrap'])]);
    const runs = [finishedRun('m-new', 2), finishedRun('m-old', 1)];
    expect(await exportContextOf(db, pipeline, runs)).toEqual({
      columns: PENGUIN_COLUMNS,
      classes: ['Gentoo', 'Adelie', 'Chinstrap'],
    });
  });

  it('has no classes before a run trained a model, and the TFX export says so in words', async () => {
    const context = await exportContextOf(db, pipeline, []);
    expect(context.classes).toBeUndefined();
    const noClasses = toTfxPipeline(pipeline.spec, context).notes.filter((x) => x.code === 'no-classes');
    expect(noClasses.map(exportNoteText)).toEqual(["trainer: No run of this pipeline has trained a model yet, so the label's class order in module.py is empty: run it once, or fill CLASSES in by hand."]);
  });
});
