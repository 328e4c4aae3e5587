/**
 * Export a pipeline to existing engines: a TFX Python pipeline (pipeline.py + module.py) and a Kubeflow
 * Pipelines v2 pipeline spec (kfp.yaml), each with the notes on what TFX does differently.
 */
export { DEFAULT_PATHS, type ExportContext, type ExportPaths } from './export-plan';
export { kfpYaml, toKfpPipelineSpec, type KfpExport, type KfpPipelineSpec } from './kfp';
export type { ExportNote, ExportNoteCode } from './python';
export { toTfxPipeline, type TfxExport } from './tfx-pipeline';
