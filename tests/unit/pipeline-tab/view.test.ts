/**
 * The Pipelines page's pure parts (app/pipeline-view.ts): JSON text checked into a DAG or refused naming
 * the component and port, the layered layout (levels as columns, order within a level as rows; positions
 * computed by hand from the constants), and a run's components as rows.
 */
import { describe, expect, it } from 'vitest';
import { checkText, COLUMN_GAP, componentRows, layoutDag, NODE_HEIGHT, NODE_WIDTH, ROW_GAP } from '../../../src/app/pipeline-view';
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
  it('puts each level in a column and a level’s components in rows, wires from right edge to left edge', () => {
    const layout = layoutDag(checkPipeline(demo()));
    const at = (id: string) => layout.nodes.find((n) => n.id === id)!;
    // demo levels: example_gen | statistics_gen | schema_gen | example_validator, transform | trainer | evaluator | pusher
    expect([at('example_gen').level, at('example_validator').level, at('transform').level, at('pusher').level]).toEqual([0, 3, 3, 6]);
    const column = NODE_WIDTH + COLUMN_GAP;
    expect(at('transform')).toMatchObject({ x: 12 + 3 * column, y: 12 + NODE_HEIGHT + ROW_GAP, row: 1 });
    expect(at('example_validator')).toMatchObject({ x: 12 + 3 * column, y: 12, row: 0 });
    expect(layout.width).toBe(24 + 7 * NODE_WIDTH + 6 * COLUMN_GAP);
    expect(layout.height).toBe(24 + 2 * NODE_HEIGHT + ROW_GAP);
    const wire = layout.edges.find((e) => e.from === 'statistics_gen' && e.to === 'schema_gen')!;
    expect(wire).toMatchObject({ kind: 'Statistics', ports: 'statistics → statistics', x1: 12 + column + NODE_WIDTH, x2: 12 + 2 * column, y1: 12 + NODE_HEIGHT / 2 });
    // the trainer runs after the validator without reading it: an edge without a kind
    expect(layout.edges.filter((e) => e.kind === null).map((e) => `${e.from}>${e.to}`)).toEqual(['example_validator>trainer']);
    // 12 wires (one per wired input port) + 1 after
    expect(layout.edges).toHaveLength(13);
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
