/**
 * The Pipelines page's pure parts: a pipeline's JSON text checked into its DAG (or the refusal naming the
 * field, component and port), the DAG's layered layout for the SVG view, and a run's components as rows.
 *
 * The layout needs no graph library: check.ts already gives the levels (a component's inputs all come from
 * earlier levels), so each level is a column and the components of a level are its rows, in pipeline
 * order. Edges then always run left to right, which is all a pipeline of a dozen components needs.
 */
import { checkPipeline, type CheckedPipeline } from '../core/pipeline/check';
import type { ArtifactKind } from '../core/pipeline/components';
import type { ComponentState } from '../core/pipeline/plan';
import type { RunFailure, RunRecord } from '../core/pipeline/runner';
import { parsePipeline } from '../core/pipeline/spec';

export type CheckedText = { ok: true; dag: CheckedPipeline } | { ok: false; error: unknown };

/** parsePipeline then checkPipeline: the first refusal (a PipelineError) or the checked DAG. */
export function checkText(text: string): CheckedText {
  try {
    return { ok: true, dag: checkPipeline(parsePipeline(text)) };
  } catch (error) {
    return { ok: false, error };
  }
}

export const NODE_WIDTH = 170;
export const NODE_HEIGHT = 56;
export const COLUMN_GAP = 90;
export const ROW_GAP = 28;
const MARGIN = 12;

export interface NodeBox {
  id: string;
  type: string;
  x: number;
  y: number;
  level: number;
  row: number;
}

export interface EdgeLine {
  from: string;
  to: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** The artifact kind it carries; null for an `after` (order only) edge. */
  kind: ArtifactKind | null;
  /** The ports, e.g. "statistics → statistics". */
  ports: string;
}

export interface DagLayout {
  width: number;
  height: number;
  nodes: NodeBox[];
  edges: EdgeLine[];
}

/** Levels as columns, order within a level as rows; an edge from the right of its producer to the left of its reader. */
export function layoutDag(dag: CheckedPipeline): DagLayout {
  const nodes = new Map<string, NodeBox>();
  dag.levels.forEach((ids, level) => {
    ids.forEach((id, row) => {
      nodes.set(id, { id, type: dag.components[id]!.spec.type, level, row, x: MARGIN + level * (NODE_WIDTH + COLUMN_GAP), y: MARGIN + row * (NODE_HEIGHT + ROW_GAP) });
    });
  });
  const line = (from: string, to: string) => {
    const a = nodes.get(from)!;
    const b = nodes.get(to)!;
    return { from, to, x1: a.x + NODE_WIDTH, y1: a.y + NODE_HEIGHT / 2, x2: b.x, y2: b.y + NODE_HEIGHT / 2 };
  };
  const edges: EdgeLine[] = dag.edges.map((e) => ({ ...line(e.from, e.to), kind: e.kind, ports: `${e.output} → ${e.input}` }));
  for (const c of dag.spec.components) for (const after of c.after ?? []) edges.push({ ...line(after, c.id), kind: null, ports: '' });
  const rows = Math.max(...dag.levels.map((l) => l.length));
  return {
    width: 2 * MARGIN + dag.levels.length * NODE_WIDTH + (dag.levels.length - 1) * COLUMN_GAP,
    height: 2 * MARGIN + rows * NODE_HEIGHT + (rows - 1) * ROW_GAP,
    nodes: [...nodes.values()],
    edges,
  };
}

export interface ComponentRow {
  id: string;
  type: string;
  state: ComponentState;
  /** Seconds from start to finish (null while not started or not finished). */
  seconds: number | null;
  cached: boolean;
  progress: number | null;
  log: string[];
  error: RunFailure | null;
  skippedBecause: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  /** A Pusher that completed without moving its alias (the model was not blessed). */
  notPushed: boolean;
}

/** A run's components in the pipeline's order, as the runs list shows them. */
export function componentRows(dag: CheckedPipeline, run: RunRecord): ComponentRow[] {
  return dag.order.map((id) => {
    const c = run.components[id] ?? { state: 'pending' as const, log: [] };
    return {
      id,
      type: dag.components[id]!.spec.type,
      state: c.state,
      seconds: c.startedAt !== undefined && c.finishedAt !== undefined ? (c.finishedAt - c.startedAt) / 1000 : null,
      cached: c.state === 'cached',
      progress: c.state === 'running' ? (c.progress ?? null) : null,
      log: c.log,
      error: c.error ?? null,
      skippedBecause: c.skippedBecause ?? null,
      startedAt: c.startedAt ?? null,
      finishedAt: c.finishedAt ?? null,
      notPushed: run.outputs[id]?.pushed_model?.[0]?.properties.pushed === false,
    };
  });
}
