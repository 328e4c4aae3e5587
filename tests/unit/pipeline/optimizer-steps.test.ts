/**
 * The optimizers as pipeline steps in core: a Quantizer, Pruner or Distiller wired after the Trainer, whose
 * model an Evaluator and a Pusher (or another optimizer) read, is a pipeline check accepts; their settings
 * are refused by the field's path, before anything runs.
 */
import { describe, expect, it } from 'vitest';
import { checkPipeline } from '../../../src/core/pipeline/check';
import { toKfpPipelineSpec } from '../../../src/core/pipeline/export/kfp';
import { toTfxPipeline } from '../../../src/core/pipeline/export/tfx-pipeline';
import type { ComponentSpec, PipelineSpec } from '../../../src/core/pipeline/spec';
import { DEMO_CONTEXT } from '../pipeline-export/fixture';
import { demo, refusal } from './helpers';

const PRUNER: ComponentSpec<'Pruner'> = {
  id: 'pruner',
  type: 'Pruner',
  settings: { schedule: { initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 10, frequency: 2 }, training: { optimizer: 'adam', learningRate: 0.001, batchSize: 32, epochs: 2 } },
  inputs: { model: { from: 'trainer', port: 'model' } },
};
const DISTILLER: ComponentSpec<'Distiller'> = {
  id: 'distiller',
  type: 'Distiller',
  settings: { student: { kind: 'narrower', factor: 0.5 }, temperature: 2, alpha: 0.5, training: { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 5 } },
  inputs: { model: { from: 'trainer', port: 'model' } },
};

/** The demo with a Pruner then a Quantizer after its Trainer, a Distiller beside them, and the Evaluator and Pusher on the quantized model. */
function optimized(): PipelineSpec {
  const spec = demo();
  spec.components.push(structuredClone(PRUNER), { id: 'quantizer', type: 'Quantizer', settings: { dtype: 'uint8' }, inputs: { model: { from: 'pruner', port: 'model' } } }, structuredClone(DISTILLER));
  for (const c of spec.components) if (c.type === 'Evaluator' || c.type === 'Pusher') c.inputs.model = { from: 'quantizer', port: 'model' };
  return spec;
}

function withSettings(id: string, edit: (settings: Record<string, unknown>) => void): PipelineSpec {
  const spec = optimized();
  edit(spec.components.find((c) => c.id === id)!.settings as unknown as Record<string, unknown>);
  return spec;
}

describe('optimizers in a pipeline', () => {
  it('check accepts the Evaluator and Pusher on a model the Trainer gave and two optimizers changed, and orders them after those', () => {
    const dag = checkPipeline(optimized());
    const at = (id: string) => dag.order.indexOf(id);
    expect(at('trainer')).toBeLessThan(at('pruner'));
    expect(at('pruner')).toBeLessThan(at('quantizer'));
    expect(at('quantizer')).toBeLessThan(at('evaluator'));
    expect(dag.components.evaluator!.dependsOn).toEqual(['example_gen', 'quantizer']);
    expect(dag.components.pusher!.dependsOn).toEqual(['evaluator', 'quantizer']);
    expect(dag.edges.filter((e) => e.kind === 'Model').map((e) => `${e.from}.${e.output} -> ${e.to}.${e.input}`)).toEqual([
      'quantizer.model -> evaluator.model',
      'quantizer.model -> pusher.model',
      'trainer.model -> pruner.model',
      'pruner.model -> quantizer.model',
      'trainer.model -> distiller.model',
    ]);
  });

  it('a Quantizer reads a model, not another kind', () => {
    const spec = optimized();
    spec.components.find((c) => c.id === 'quantizer')!.inputs.model = { from: 'trainer', port: 'model_run' };
    const e = refusal(() => checkPipeline(spec));
    expect(e.code).toBe('kind-mismatch');
    expect(e.details).toMatchObject({ component: 'quantizer', port: 'model', params: { expected: 'Model', actual: 'ModelRun' } });
  });

  const refusals: [string, string, (s: Record<string, unknown>) => void, string, Record<string, string | number>][] = [
    ['quantizer', 'dtype', (s) => (s.dtype = 'int4'), 'bad-settings', { expected: 'choice', choices: 'float16, uint8' }],
    ['quantizer', 'bits', (s) => (s.bits = 8), 'unknown-setting', {}],
    ['pruner', 'schedule.finalSparsity', (s) => ((s.schedule as Record<string, unknown>).finalSparsity = 1), 'bad-settings', { expected: 'between', min: 0, max: 0.999_999 }],
    ['pruner', 'schedule.frequency', (s) => ((s.schedule as Record<string, unknown>).frequency = 0), 'bad-settings', { expected: 'whole-at-least', min: 1 }],
    ['pruner', 'training.epochs', (s) => delete (s.training as Record<string, unknown>).epochs, 'missing-setting', {}],
    ['distiller', 'student.factor', (s) => ((s.student as Record<string, unknown>).factor = 1.5), 'bad-settings', { expected: 'above-at-most', min: 0, max: 1 }],
    ['distiller', 'temperature', (s) => (s.temperature = 0), 'bad-settings', { expected: 'above', min: 0 }],
    ['distiller', 'training.optimizer', (s) => ((s.training as Record<string, unknown>).optimizer = 'lbfgs'), 'bad-settings', { expected: 'choice' }],
    ['distiller', 'labeledShare', (s) => (s.labeledShare = 0), 'bad-settings', { expected: 'above-at-most', min: 0, max: 1 }],
  ];
  for (const [component, field, edit, code, params] of refusals) {
    it(`refuses ${component}'s ${field}, naming the component and the field`, () => {
      const e = refusal(() => checkPipeline(withSettings(component, edit)));
      expect(e.code).toBe(code);
      expect(e.details.component).toBe(component);
      expect(e.details.field).toBe(field);
      expect(e.details.params ?? {}).toMatchObject(params);
    });
  }
});

describe('optimizers in the TFX and Kubeflow exports', () => {
  const said = [
    "pruner (Pruner) is one of Pipette's optimizers, which TFX has no component for: it is left out and what reads its model reads trainer.model in its place.",
    "quantizer (Quantizer) is one of Pipette's optimizers, which TFX has no component for: it is left out and what reads its model reads trainer.model in its place.",
    "distiller (Distiller) is one of Pipette's optimizers, which TFX has no component for: it is left out and what reads its model reads trainer.model in its place.",
  ];

  it("pipeline.py leaves them out saying so in a comment, and the Evaluator and Pusher read the Trainer's model", () => {
    const py = toTfxPipeline(optimized(), DEMO_CONTEXT)['pipeline.py'];
    for (const line of said) expect(py).toContain(`    # Left out: ${line}\n`);
    expect(py).not.toMatch(/Quantizer\(|Pruner\(|Distiller\(/);
    expect(py).toMatch(/evaluator = tfx\.components\.Evaluator\(\n( {8}.*\n)*? {8}model=trainer\.outputs\["model"\],/);
    expect(py).toMatch(/pusher = tfx\.components\.Pusher\(\n {8}model=trainer\.outputs\["model"\],/);
  });

  it('the Kubeflow spec has no task for them and says why in its description', () => {
    const { spec, notes } = toKfpPipelineSpec(optimized(), DEMO_CONTEXT);
    expect(Object.keys(spec.root.dag.tasks).filter((t) => ['pruner', 'quantizer', 'distiller'].includes(t))).toEqual([]);
    for (const line of said) expect(spec.pipelineInfo.description).toContain(`Left out: ${line}`);
    expect(notes.filter((n) => n.code === 'component-not-exported').map((n) => n.component)).toEqual(['pruner', 'distiller', 'quantizer']);
  });
});
