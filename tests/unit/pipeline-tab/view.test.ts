/**
 * The Pipelines page's pure parts (app/pipeline-view.ts): JSON text checked into a DAG or refused naming
 * the component and port, the layered layout (levels as columns, order within a level as rows; positions
 * computed by hand from the constants), and a run's components as rows.
 */
import { describe, expect, it } from 'vitest';
import { checkText, componentRows, layoutDag } from '../../../src/app/pipeline-view';
import { checkPipeline } from '../../../src/core/pipeline/check';
import { newRunRecord } from '../../../src/core/pipeline/runner';
import { demo, DEMO_TEXT } from '../pipeline/helpers';

describe('checkText', () => {
  it('gives the demo as a DAG, and refuses a kind mismatch naming the component and port', () => {
    const ok = checkText(DEMO_TEXT);
    expect(ok.ok && ok.dag.order.length).toBe(8);
    const wrong = DEMO_TEXT.replace('"from": "transform",\n          "port": "transform_graph"', '"from": "statistics_gen",\n          "port": "statistics"');
    expect(wrong).not.toBe(DEMO_TEXT);
    const refused = checkText(wrong);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error).toMatchObject({ code: 'kind-mismatch', details: { component: 'trainer', port: 'transform_graph', params: { expected: 'TransformGraph', actual: 'Statistics' } } });
    expect(checkText('{"format": "pipette-pipeline"')).toMatchObject({ ok: false, error: { code: 'bad-json' } });
  });
});

describe('layoutDag', () => {
  it('puts each level in a column and a level’s components in rows, each wire from its output port’s row to its input port’s row', () => {
    const layout = layoutDag(checkPipeline(demo()));
    const at = (id: string) => layout.nodes.find((n) => n.id === id)!;
    // demo levels: example_gen | statistics_gen | schema_gen | example_validator, transform | trainer | evaluator | pusher
    expect([at('example_gen').level, at('example_validator').level, at('transform').level, at('pusher').level]).toEqual([0, 3, 3, 6]);
    // by hand: a node is 36 (header) + 14 per port + 6 high; a column 220 + 70 wide; margin 12, rows 28 apart
    expect(layout.nodes.map((n) => [n.id, n.height])).toEqual([
      ['example_gen', 56], // 1 output
      ['statistics_gen', 84], // 2 inputs, 1 output
      ['schema_gen', 70],
      ['example_validator', 84],
      ['transform', 84],
      ['trainer', 140], // 5 inputs, 2 outputs
      ['evaluator', 126],
      ['pusher', 84],
    ]);
    expect(at('example_validator')).toMatchObject({ x: 12 + 3 * 290, y: 12, row: 0 });
    expect(at('transform')).toMatchObject({ x: 12 + 3 * 290, y: 12 + 84 + 28, row: 1 });
    expect(layout.width).toBe(24 + 7 * 220 + 6 * 70);
    expect(layout.height).toBe(12 + 84 + 28 + 84 + 12);
    // statistics_gen's output is its third row (y 36 + 2 * 14 + 7), schema_gen's input its first (36 + 7)
    const wire = layout.edges.find((e) => e.from === 'statistics_gen' && e.to === 'schema_gen')!;
    expect(wire).toMatchObject({ kind: 'Statistics', ports: 'statistics → statistics', x1: 12 + 290 + 220, y1: 12 + 71, x2: 12 + 2 * 290, y2: 12 + 43 });
    // transform.transform_graph (its third row) into trainer.transform_graph (its second)
    expect(layout.edges.find((e) => e.from === 'transform' && e.to === 'trainer')).toMatchObject({ y1: 124 + 71, y2: 12 + 57 });
    // the trainer runs after the validator without reading it: an edge without a kind, header to header
    expect(layout.edges.filter((e) => e.kind === null).map((e) => [`${e.from}>${e.to}`, e.y1, e.y2])).toEqual([['example_validator>trainer', 30, 30]]);
    // 12 wires (one per wired input port) + 1 after, no two ending at the same point
    expect(layout.edges).toHaveLength(13);
    expect(new Set(layout.edges.map((e) => `${e.x2},${e.y2}`)).size).toBe(13);
    expect(at('trainer').inputs.map((p) => [p.name, p.kind, p.unwired])).toEqual([
      ['examples', 'Examples', false],
      ['transform_graph', 'TransformGraph', false],
      ['schema', 'Schema', true],
      ['hyperparameters', 'HyperParameters', true],
      ['base_model', 'Model', true],
    ]);
  });
});

describe('componentRows', () => {
  it('gives each component in order with its state, seconds, cached marker and the progress of a running one', () => {
    const dag = checkPipeline(demo());
    const run = newRunRecord('r', dag, 0);
    Object.assign(run.components.example_gen!, { state: 'cached', startedAt: 1000, finishedAt: 1250 });
    Object.assign(run.components.statistics_gen!, { state: 'running', startedAt: 1300, progress: 0.4 });
    Object.assign(run.components.trainer!, { state: 'skipped', skippedBecause: 'example_validator' });
    const rows = componentRows(dag, run);
    expect(rows.map((r) => r.id)).toEqual(dag.order);
    expect(rows[0]).toMatchObject({ type: 'ExampleGen', state: 'cached', cached: true, seconds: 0.25, progress: null });
    expect(rows[1]).toMatchObject({ state: 'running', cached: false, seconds: null, progress: 0.4 });
    expect(rows.find((r) => r.id === 'trainer')).toMatchObject({ state: 'skipped', skippedBecause: 'example_validator' });
  });
});
