/**
 * A model saved from a Tune trial records its search (issue 17): the bundle's lineage names the search, the
 * trial and the trial's objective, and the project's lineage (ML Metadata from the records) puts the trial's
 * Trainer execution and its model in a 'tune_search' context named after the search. A run trained on the
 * Train page records none of it.
 */
import 'fake-indexeddb/auto';
import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { lineageStore, TUNE_CONTEXT_TYPE, uris } from '../../../src/core/pipeline/lineage-from-records';
import { ModelService } from '../../../src/services/registry-model';
import { driveSearch } from '../../../src/services/tune';
import { PipetteDB } from '../../../src/store/db';
import { loadProjectLineage } from '../../../src/store/lineage-records';
import { listTrials } from '../../../src/store/tune-records';
import { useCpu } from '../train/helpers';
import { penguinConfig, PENGUIN_FEATURES } from '../train-service/penguins';
import { penguinSearch, searchSettings, serviceWorker } from './fixture';

let tf: typeof tfjs;
beforeAll(async () => {
  tf = await useCpu();
});

it("a trial's model names its search, trial and objective; the lineage puts it in the search's context", async () => {
  const db = new PipetteDB('tune-lineage');
  await db.open();
  try {
    const search = await penguinSearch(db, searchSettings({ hyperband: { maxEpochs: 3, factor: 3, iterations: 1 } }));
    const worker = serviceWorker(tf, db);
    await driveSearch(db, search.id, () => worker);
    const trials = await listTrials(db, search.id);
    const best = [...trials].sort((a, b) => b.best! - a.best!)[0]!;
    const models = new ModelService({ tf, db });
    const modelId = await models.saveRun(best.runId, 'best');
    const model = (await db.models.get(modelId))!;
    expect(model.metadata.lineage.runId).toBe(best.runId);
    expect(model.metadata.lineage.tune).toEqual({ searchId: search.id, searchName: 'Search 1', trialId: best.id, objective: { metric: 'val_acc', direction: 'max', value: best.best } });

    // a run of the Train page: no search in its model's lineage
    await worker.startRun({ runId: 'by-hand', projectId: search.projectId, datasetVersionId: search.datasetVersionId, config: penguinConfig(PENGUIN_FEATURES, {}, { epochs: 1 }) }, () => {});
    const handModel = (await db.models.get(await models.saveRun('by-hand', 'by hand')))!;
    expect(handModel.metadata.lineage.tune).toBeUndefined();

    const { records, pipeline } = await loadProjectLineage(db, search.projectId);
    const store = lineageStore(pipeline, records);
    const contextType = store.contextTypes.find((t) => t.name === TUNE_CONTEXT_TYPE)!;
    const contexts = store.contexts.filter((c) => c.typeId === contextType.id);
    expect(contexts.map((c) => c.name)).toEqual([search.id]);
    const context = contexts[0]!;
    // every trial's run is a Trainer execution of the search; the saved model is attributed to it
    const executions = store.associations.filter((a) => a.contextId === context.id).map((a) => store.executions.find((e) => e.id === a.executionId)!);
    expect(executions).toHaveLength(trials.length);
    const modelArtifact = store.artifacts.find((a) => a.uri === uris.model(modelId))!;
    const handArtifact = store.artifacts.find((a) => a.uri === uris.model(handModel.id))!;
    const attributed = store.attributions.filter((a) => a.contextId === context.id).map((a) => a.artifactId);
    expect(attributed).toContain(modelArtifact.id);
    expect(attributed).not.toContain(handArtifact.id);
    const producer = store.events.find((e) => e.type === 'OUTPUT' && e.artifactId === modelArtifact.id)!;
    expect(executions.map((e) => e.id)).toContain(producer.executionId);
  } finally {
    await db.delete();
  }
}, 120_000);
