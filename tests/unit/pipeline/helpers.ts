/** Shared by the pipeline tests: the demo pipeline as a fresh object, and the PipelineError a call throws. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { PipelineError } from '../../../src/core/pipeline/errors';
import { thrown } from '../app/error-helpers';
import { parsePipeline, type ComponentSpec, type PipelineSpec } from '../../../src/core/pipeline/spec';

export const DEMO_TEXT = readFileSync(new URL('../../../pipelines/demo.pipeline.json', import.meta.url), 'utf8');

export function demo(): PipelineSpec {
  return parsePipeline(DEMO_TEXT);
}

/** The demo with one component changed (found by id) by `edit`. */
export function demoWith(id: string, edit: (c: ComponentSpec & { settings: Record<string, unknown> }) => void): PipelineSpec {
  const spec = demo();
  const c = spec.components.find((x) => x.id === id);
  if (!c) throw new Error(`no component ${id}`);
  edit(c as ComponentSpec & { settings: Record<string, unknown> });
  return spec;
}

/** The PipelineError `f` throws (the test fails if it throws nothing or something else). */
export function refusal(f: () => unknown): PipelineError {
  const e = thrown(f);
  expect(e).toBeInstanceOf(PipelineError);
  return e as PipelineError;
}
