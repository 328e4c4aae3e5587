/**
 * The TFX and Kubeflow exports of a pipeline version from the tab. core's exports need what the pipeline
 * references but does not hold (an ExportContext); here it comes from the project's records: the columns of
 * the ExampleGen's dataset (its newest ready version, or the fixed one), and the label's classes in the
 * order of the model's outputs, from the newest model a run of this pipeline trained (without one, the
 * export says the class order is empty). The transform and model come from the pipeline's own settings.
 * The exports (and `yaml`) are loaded with import() when a button is pressed.
 */
import { strToU8, zipSync } from 'fflate';
import type { ExportContext, ExportNote } from '../core/pipeline/export';
import type { ComponentSpec } from '../core/pipeline/spec';
import { resolveExamples } from '../services/pipeline-examples';
import { db as appDb, type PipetteDB } from '../store/db';
import type { PipelineRecord, PipelineRunRecord } from '../store/pipeline-records';
import { t } from './i18n.svelte';

/** The label's classes of the newest model a finished run of this pipeline's name trained. */
async function trainedClasses(db: PipetteDB, pipeline: PipelineRecord, runs: PipelineRunRecord[]): Promise<string[] | undefined> {
  const trainers = new Set(pipeline.spec.components.filter((c) => c.type === 'Trainer').map((c) => c.id));
  for (const run of runs.filter((r) => r.pipelineName === pipeline.name && r.status === 'finished')) {
    for (const [id, ports] of Object.entries(run.outputs)) {
      const modelId = trainers.has(id) ? ports.model?.[0]?.properties.modelId : undefined;
      const model = typeof modelId === 'string' ? await db.models.get(modelId) : undefined;
      const label = model?.metadata.preprocessing.label;
      if (label?.task === 'classification') return [...label.classes];
    }
  }
  return undefined;
}

/** `runs` newest first, as the page lists them. */
export async function exportContextOf(db: PipetteDB, pipeline: PipelineRecord, runs: PipelineRunRecord[]): Promise<ExportContext> {
  const gen = pipeline.spec.components.find((c): c is ComponentSpec<'ExampleGen'> => c.type === 'ExampleGen');
  const columns = gen ? (await resolveExamples(db, pipeline.projectId, gen)).version.columns.map(({ name, type }) => ({ name, type })) : [];
  const classes = await trainedClasses(db, pipeline, runs);
  return classes ? { columns, classes } : { columns };
}

/** The same, from the app's database. */
export function exportContextFor(pipeline: PipelineRecord, runs: PipelineRunRecord[]): Promise<ExportContext> {
  return exportContextOf(appDb(), pipeline, runs);
}

export interface ExportFile {
  fileName: string;
  blob: Blob;
  notes: ExportNote[];
}

/** pipeline.py and module.py, zipped. */
export async function tfxZip(pipeline: PipelineRecord, context: ExportContext, stem: string): Promise<ExportFile> {
  const { toTfxPipeline } = await import('../core/pipeline/export');
  const out = toTfxPipeline(pipeline.spec, context);
  const zip = zipSync({ 'pipeline.py': strToU8(out['pipeline.py']), 'module.py': strToU8(out['module.py']) });
  return { fileName: `${stem}-tfx.zip`, blob: new Blob([zip], { type: 'application/zip' }), notes: out.notes };
}

/** The Kubeflow Pipelines v2 spec as kfp.yaml. */
export async function kfpFile(pipeline: PipelineRecord, context: ExportContext): Promise<ExportFile> {
  const { kfpYaml, toKfpPipelineSpec } = await import('../core/pipeline/export');
  const out = toKfpPipelineSpec(pipeline.spec, context);
  return { fileName: 'kfp.yaml', blob: new Blob([await kfpYaml(out.spec)], { type: 'text/yaml' }), notes: out.notes };
}

/** An export note in the person's language (the component it is about first, when it names one). */
export function exportNoteText(n: ExportNote): string {
  const text = t(`pipeline.exportNote.${n.code}`, n.params);
  return n.component ? `${n.component}: ${text}` : text;
}
