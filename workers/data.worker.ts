/**
 * The data worker: parsing, type inference, storage writes, table pages and exports. A thin facade over
 * src/services (which compose src/core and src/store), exposed with Comlink.
 */
import * as Comlink from 'comlink';
import { installErrorTransfer } from '../src/protocol/errors';
import { cancellable, cancelJob, runJob, runningJobs } from '../src/protocol/jobs';
import type { DataWorkerApi, DemoDatasetInfo, ExportFormat, ExportedFile, ImportOutcome } from '../src/protocol/data';
import { db } from '../src/store/db';
import { sweepInterrupted } from '../src/store/sweep';
import { importIntoStore } from '../src/services/import';
import { TableService } from '../src/services/table';
import { exportVersion } from '../src/services/export';
import * as validate from '../src/services/validate';
import * as transform from '../src/services/transform';
import { selectFeatures } from '../src/services/select';
import { exportProject } from '../src/services/project-file-export';
import { importProject } from '../src/services/project-file-import';
import * as monitoring from '../src/services/monitoring';
import { LabelService } from '../src/services/label';
import type { WorkerLike } from '../src/core/label';
import { startInheritingWorker } from '../src/protocol/inheriting-worker';
import lfWorkerUrl from './lf.worker.ts?worker&url';

installErrorTransfer();

const tables = new TableService(db());
// Code labeling functions run in a nested dedicated worker started from here: the columns are already in
// this worker, so they are cloned once into the sandbox instead of crossing the page twice.
// Started from a blob: URL, it inherits this worker's policy, which is the page's (connect to our origin only).
const labels = new LabelService(db(), tables, () => startInheritingWorker(lfWorkerUrl, 'lf') as unknown as WorkerLike);

const api: DataWorkerApi = {
  idle: async () => runningJobs() === 0 && labels.heldRuns === 0,

  importFiles(req, onProgress) {
    return runJob(req.jobId, (signal) =>
      importIntoStore(db(), { ...req, sources: req.files }, signal, (p) => void onProgress(p)),
    );
  },

  importDemo(jobId, projectId, demoBaseUrl, onProgress) {
    return runJob(jobId, async (signal) => {
      const index = (await (await fetch(new URL('index.json', demoBaseUrl))).json()) as (DemoDatasetInfo & { file: string })[];
      const outcomes: ImportOutcome[] = [];
      for (const [i, entry] of index.entries()) {
        void onProgress(i, index.length, entry.name);
        const response = await fetch(new URL(entry.file, demoBaseUrl), { signal });
        if (!response.ok) throw new Error(`demo file ${entry.file}: HTTP ${response.status}`);
        const file = new File([await response.blob()], entry.file);
        outcomes.push(
          await importIntoStore(db(), { jobId: `${jobId}-${i}`, projectId, sources: [file], datasetName: entry.name, kind: 'demo' }, signal, () => {}),
        );
      }
      void onProgress(index.length, index.length, '');
      return outcomes;
    });
  },

  getRows(versionId, start, count, sort) {
    return tables.rows(versionId, start, count, sort);
  },

  async exportVersion(versionId: string, format: ExportFormat): Promise<ExportedFile> {
    const { meta, batches } = await tables.ipcBatches(versionId);
    const dataset = await db().datasets.get(meta.datasetId);
    const file = await exportVersion(batches, meta.columns, format, `${dataset?.name ?? 'dataset'}-v${meta.version}`);
    return Comlink.transfer(file, [file.bytes.buffer]);
  },

  async describe(versionId) {
    const meta = await db().versions.get(versionId);
    if (!meta || meta.status !== 'ready') throw new Error(`dataset version ${versionId} does not exist`);
    return { rowCount: meta.rowCount, columns: meta.columns };
  },

  sweep() {
    return sweepInterrupted(db());
  },

  async cancel(jobId) {
    return cancelJob(jobId);
  },

  // Validate stage (services/validate.ts)
  statistics: cancellable((req, signal, onProgress) => validate.versionStatistics(db(), req, signal, onProgress)),
  inferSchema: cancellable((req, signal, onProgress) => validate.inferSchemaVersion(db(), req, signal, onProgress)),
  saveSchema(projectId, schema, parentId) {
    return validate.saveSchemaVersion(db(), projectId, schema, parentId);
  },
  importSchema(projectId, fileName, text) {
    return validate.importSchemaText(db(), projectId, fileName, text);
  },
  exportSchema(schemaId) {
    return validate.exportSchemaText(db(), schemaId);
  },
  validate: cancellable((req, signal, onProgress) => validate.validateVersion(db(), req, signal, onProgress)),
  acceptAnomalies(projectId, anomalies) {
    return validate.acceptIntoSchema(db(), projectId, anomalies);
  },
  markDataError(req) {
    return validate.recordDataError(db(), req);
  },
  compareVersions: cancellable((req, signal, onProgress) => validate.compareVersions(db(), req, signal, onProgress)),
  servingSkew: cancellable((req, signal, onProgress) => validate.servingSkew(db(), req, signal, onProgress)),
  servedDrift: cancellable((req, signal) => validate.servedDrift(db(), req, signal)),

  // the Deploy page's Monitoring view (services/monitoring.ts)
  servedSummary: cancellable((req) => monitoring.servedSummary(db(), req)),
  importLog: cancellable((req, signal) => monitoring.importLog(db(), req, signal)),

  // Transform stage (services/transform.ts)
  analyzeTransform: cancellable((req, signal, onProgress) => transform.analyzeTransform(db(), req, signal, onProgress)),
  importTransform: cancellable((req, signal, onProgress) => transform.importTransform(db(), req, signal, onProgress)),
  previewTransform(transformId, rows) {
    return transform.previewTransform(db(), transformId, rows);
  },
  exportTransform(transformId) {
    return transform.exportTransform(db(), transformId);
  },

  // A project in one file (services/project-file-*.ts)
  exportProject: cancellable((req, signal, onProgress) => exportProject(db(), req, signal, onProgress)),
  importProject: cancellable((req, signal, onProgress) => importProject(db(), req, signal, onProgress)),

  // Feature selection (services/select.ts)
  selectFeatures: cancellable((req, signal, onProgress) => selectFeatures(db(), req, signal, onProgress)),

  // Label stage (services/label.ts)
  runLabelingFunctions: cancellable((req, signal, onProgress) => labels.runLabelingFunctions(req, signal, onProgress)),
  saveWeakLabels(runId, kind, note) {
    return labels.saveWeakLabels(runId, kind, note);
  },
  saveManualLabels(projectId, versionId, labeler, note) {
    return labels.saveManualLabels(projectId, versionId, labeler, note);
  },
  async uncertaintyQueue(req) {
    const order = await labels.uncertaintyQueue(req);
    return Comlink.transfer(order, [order.buffer]);
  },
  rowsAt(versionId, rows) {
    return labels.rowsAt(versionId, rows);
  },
};

Comlink.expose(api);
