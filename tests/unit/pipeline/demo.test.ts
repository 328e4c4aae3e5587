/** pipelines/demo.pipeline.json, the demo project's pipeline, parses and checks. */
import { describe, expect, it } from 'vitest';
import { checkPipeline } from '../../../src/core/pipeline/check';
import { CONTRACTS } from '../../../src/core/pipeline/components';
import { demo } from './helpers';

describe('the demo pipeline', () => {
  it("reads the demo's penguins, classifies Species, and pushes to production only through the Evaluator's blessing", () => {
    const spec = demo();
    const dag = checkPipeline(spec);
    expect(dag.order).toHaveLength(8);
    const gen = spec.components[0]!;
    // the demo project's dataset (public/demo/index.json) and its target (app/demo.svelte.ts)
    expect(gen.settings).toMatchObject({ dataset: { name: 'Palmer penguins' }, version: 'latest', label: 'Species' });
    expect(dag.edges.filter((e) => e.to === 'pusher').map((e) => `${e.from}.${e.output}:${e.kind}`)).toEqual(['trainer.model:Model', 'evaluator.blessing:ModelBlessing']);
    // every required input of every component is wired
    for (const id of dag.order) {
      const c = dag.components[id]!;
      const required = Object.entries(CONTRACTS[c.spec.type].inputs).filter(([, p]) => !p.optional).map(([port]) => port);
      expect(Object.keys(c.spec.inputs), id).toEqual(expect.arrayContaining(required));
    }
  });
});
