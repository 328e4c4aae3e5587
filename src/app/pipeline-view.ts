/**
 * The Pipelines page's pure parts: a pipeline's JSON text checked into its DAG (or the refusal naming the
 * field, component and port), the DAG's layered layout for the SVG view, and a run's components as rows.
 *
 * The layout needs no graph library: check.ts already gives the levels (a component's inputs all come from
 * earlier levels), so each level is a column and the components of a level are its rows, in pipeline
 * order. Edges then always run left to right, which is all a pipeline of a dozen components needs; each
 * ends at its own port's row, so wires never meet at a point and their kinds are written at the ports.
 */
import { checkPipeline, type CheckedPipeline } from '../core/pipeline/check';
import { CONTRACTS, type ArtifactKind, type ComponentContract } from '../core/pipeline/components';
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

/** The lineage graph's boxes (app/lineage-view.ts); a pipeline's nodes are taller, one row per port. */
export const NODE_WIDTH = 170;
export const NODE_HEIGHT = 56;
export const COLUMN_GAP = 90;
export const ROW_GAP = 28;
const MARGIN = 12;

/** A pipeline node: a header (id, type and state), then one row per input port, then one per output port. */
export const DAG_NODE_WIDTH = 220;
export const DAG_HEADER = 36;
export const PORT_ROW = 14;
const DAG_COLUMN_GAP = 70;

export interface PortRow {
  name: string;
  kind: ArtifactKind;
  /** y of the row's middle, from the node's top. */
  y: number;
  /** An input not wired (an optional one, or a missing required one). */
  unwired: boolean;
  optional: boolean;
}

export interface NodeBox {
  id: string;
  type: string;
  x: number;
  y: number;
  height: number;
  level: number;
  row: number;
  inputs: PortRow[];
  outputs: PortRow[];
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

/** What the layout needs: a checked pipeline, or a draft's inspection (its valid wires and levels). */
export type DagShape = Pick<CheckedPipeline, 'spec' | 'levels' | 'edges'>;

/**
 * Levels as columns, a level's components stacked in rows. Each wire runs from its output port's row on
 * the right of its producer to its input port's row on the left of its reader, so no two wires end at the
 * same point and the kinds are written at the ports, not on the wires (where they would overlap).
 */
export function layoutDag(dag: DagShape): DagLayout {
  const byId = new Map(dag.spec.components.map((c) => [c.id, c]));
  const nodes = new Map<string, NodeBox>();
  let height = 0;
  dag.levels.forEach((ids, level) => {
    let y = MARGIN;
    ids.forEach((id, row) => {
      const c = byId.get(id)!;
      const contract = CONTRACTS[c.type] as ComponentContract | undefined;
      const inputs = Object.entries(contract?.inputs ?? {}).map(([name, port], i) => ({ name, kind: port.kind, y: portY(i), unwired: !c.inputs[name], optional: port.optional }));
      const outputs = Object.entries(contract?.outputs ?? {}).map(([name, kind], i) => ({ name, kind, y: portY(inputs.length + i), unwired: false, optional: false }));
      const box = { id, type: c.type, level, row, x: MARGIN + level * (DAG_NODE_WIDTH + DAG_COLUMN_GAP), y, height: portY(inputs.length + outputs.length) - PORT_ROW / 2 + 6, inputs, outputs };
      nodes.set(id, box);
      y += box.height + ROW_GAP;
    });
    height = Math.max(height, y - ROW_GAP + MARGIN);
  });
  const edges: EdgeLine[] = dag.edges.map((e) => {
    const a = nodes.get(e.from)!;
    const b = nodes.get(e.to)!;
    const out = a.outputs.find((p) => p.name === e.output)!;
    const input = b.inputs.find((p) => p.name === e.input)!;
    return { from: e.from, to: e.to, x1: a.x + DAG_NODE_WIDTH, y1: a.y + out.y, x2: b.x, y2: b.y + input.y, kind: e.kind, ports: `${e.output} → ${e.input}` };
  });
  for (const c of dag.spec.components) {
    for (const after of c.after ?? []) {
      const a = nodes.get(after);
      const b = nodes.get(c.id);
      // the header's middle: no port row is there
      if (a && b) edges.push({ from: after, to: c.id, x1: a.x + DAG_NODE_WIDTH, y1: a.y + DAG_HEADER / 2, x2: b.x, y2: b.y + DAG_HEADER / 2, kind: null, ports: '' });
    }
  }
  const columns = dag.levels.length;
  return { width: Math.max(0, 2 * MARGIN + columns * DAG_NODE_WIDTH + (columns - 1) * DAG_COLUMN_GAP), height, nodes: [...nodes.values()], edges };
}

function portY(row: number): number {
  return DAG_HEADER + row * PORT_ROW + PORT_ROW / 2;
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
