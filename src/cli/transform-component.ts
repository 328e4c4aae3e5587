/**
 * Transform in Node: the Transform stage's analyze (core/transform/rows.ts analyzeTrainingRows) on the
 * training rows of ExampleGen's split, the spec checked first against the examples' columns and label
 * (a refusal names the step and the column). transform.json is the fitted transform as the Transform page
 * exports it; transformed_statistics.json the statistics of the transformed training rows.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactRef, ExecuteContext, OutputArtifact } from '../core/pipeline/runner';
import type { ComponentSpec } from '../core/pipeline/spec';
import { checkSpec } from '../core/transform/check';
import { analyzeTrainingRows } from '../core/transform/rows';
import { batchesOf, readExamples, SPLIT_FILE, type SplitFile } from './examples';
import { writeJsonAtomic, type StagedArtifact } from './files';

export const TRANSFORM_FILE = 'transform.json';
export const TRANSFORMED_STATISTICS_FILE = 'transformed_statistics.json';

export async function runTransform(out: string, component: ComponentSpec<'Transform'>, inputs: Readonly<Record<string, ArtifactRef[]>>, staged: StagedArtifact, ctx: ExecuteContext): Promise<OutputArtifact> {
  const examples = inputs.examples?.[0];
  if (!examples) throw new Error('no artifact on the input examples');
  const { spec } = component.settings;
  const table = await readExamples(out, examples.uri, ctx.signal);
  const split = JSON.parse(await readFile(join(out, examples.uri, SPLIT_FILE), 'utf8')) as SplitFile;
  checkSpec(spec, table.columns, { label: split.label });
  const train = Uint32Array.from(split.rows.train);
  const analyzed = await analyzeTrainingRows(spec, table.columns, train, () => batchesOf(table, ctx.signal), {
    signal: ctx.signal,
    onProgress: (p) => ctx.progress(p.totalRows > 0 ? p.rows / p.totalRows : null, p.phase === 'fit' ? `analyzer pass ${p.pass} of ${p.passes}` : 'statistics'),
  });
  await writeJsonAtomic(staged.file(TRANSFORM_FILE), analyzed.fitted);
  await writeJsonAtomic(staged.file(TRANSFORMED_STATISTICS_FILE), { stats: analyzed.stats, leftOut: analyzed.leftOut });
  return { uri: await staged.commit(), properties: { name: component.settings.name, rows: train.length, steps: analyzed.fitted.steps.length } };
}
