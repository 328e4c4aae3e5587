/** A model version record without training, for store and registry tests: one number feature, two classes. */
import { makeMetadata } from '../../../src/core/model/bundle';
import type { PreprocessStats } from '../../../src/core/model/preprocess';
import type { PipetteDB } from '../../../src/store/db';
import { addModelVersion } from '../../../src/services/registry';

export const tinyStats: PreprocessStats = {
  version: 1,
  features: [{ column: 'x', sourceType: 'number', offset: 0, slots: 1, missingInTrain: 0, encoding: 'standardize', mean: 0, std: 1 }],
  label: { column: 'y', sourceType: 'categorical', task: 'classification', classes: ['a', 'b'], counts: [1, 1] },
  input: { kind: 'tabular', features: 1 },
  slotNames: ['x'],
  trainRows: 2,
  warnings: [],
};

/** Add model version `id` (from run `runId`, or an import; trained on `datasetVersionId`, if given) with 8 bytes of weights. */
export function addTinyModel(db: PipetteDB, projectId: string, id: string, o: { runId?: string | null; datasetVersionId?: string | null } = {}) {
  const runId = o.runId ?? null;
  const datasetVersionId = o.datasetVersionId ?? null;
  return addModelVersion(
    db,
    { id, projectId, name: id, source: runId || datasetVersionId ? 'run' : 'import', runId, datasetVersionId, parentModelId: null, metadata: makeMetadata({ name: id, tfjsVersion: '4.22.0', preprocessing: tinyStats }) },
    { modelTopology: {}, weightSpecs: [], weightData: new ArrayBuffer(8) },
  );
}
