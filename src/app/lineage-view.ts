/**
 * The Lineage view's pure parts: the questions it answers over the project's merged MLMD store (which data
 * trained the production model, which models used a dataset version, the pipeline runs to compare) and a
 * lineage subgraph laid out in layers for the SVG, with each node's kind, name and version.
 *
 * Layers are the longest distance from the picked artifact (an artifact and the execution that made it are
 * one step apart), so every edge runs one way: upstream graphs end at the picked model on the right,
 * downstream graphs start at the picked dataset version on the left. Lineage is acyclic (artifacts never
 * change), so the longest distance is well defined.
 */
import { uris } from '../core/pipeline/lineage-from-records';
import { downstream, isInputEvent, RUN_CONTEXT_TYPE, upstream, valueOf, type Artifact, type Context, type MlmdStore } from '../core/pipeline/mlmd';
import { COLUMN_GAP, NODE_HEIGHT, NODE_WIDTH, ROW_GAP, type EdgeLine } from './pipeline-view';

const MARGIN = 12;

export interface LineageNode {
  /** 'a<id>' for an artifact, 'e<id>' for an execution. */
  key: string;
  kind: 'artifact' | 'execution';
  /** The MLMD type name (Examples, Model, Trainer ...). */
  type: string;
  name: string;
  version: string;
  uri: string;
  depth: number;
  x: number;
  y: number;
}

export type LineageEdge = Pick<EdgeLine, 'from' | 'to' | 'x1' | 'y1' | 'x2' | 'y2'>;

export interface LineageLayout {
  width: number;
  height: number;
  nodes: LineageNode[];
  edges: LineageEdge[];
}

/** The plain value of an artifact's property (custom properties first, as the host and the records write them). */
export function propertyOf(a: Artifact, name: string): string {
  const v = valueOf(a.customProperties?.[name] ?? a.properties?.[name]);
  return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** The artifact named by this URI and type, if the store has it. */
export function artifactByUri(store: MlmdStore, uri: string, type?: string): Artifact | undefined {
  return store.artifacts.find((a) => a.uri === uri && (type === undefined || a.type === type));
}

/** Lay out the lineage of an artifact: up (back to its data) or down (everything made from it). */
export function layoutLineage(store: MlmdStore, artifactId: number, direction: 'up' | 'down'): LineageLayout {
  const graph = direction === 'up' ? upstream(store, artifactId) : downstream(store, artifactId);
  // edges as data flows: artifact -> execution reading it, execution -> artifact it wrote
  const flows = graph.events.map((e) => (isInputEvent(e) ? { from: `a${e.artifactId}`, to: `e${e.executionId}` } : { from: `e${e.executionId}`, to: `a${e.artifactId}` }));
  const steps = flows.map((f) => (direction === 'up' ? { near: f.to, far: f.from } : { near: f.from, far: f.to }));
  const depth = new Map<string, number>([[`a${artifactId}`, 0]]);
  // longest distance by relaxation: at most one pass per node on an acyclic graph
  for (let pass = 0, changed = true; changed && pass <= graph.artifacts.length + graph.executions.length; pass++) {
    changed = false;
    for (const s of steps) {
      const d = depth.get(s.near);
      if (d !== undefined && (depth.get(s.far) ?? -1) < d + 1) {
        depth.set(s.far, d + 1);
        changed = true;
      }
    }
  }
  const maxDepth = Math.max(0, ...depth.values());
  const column = (d: number) => (direction === 'up' ? maxDepth - d : d);
  const raw: Omit<LineageNode, 'x' | 'y'>[] = [
    ...graph.artifacts.map((a) => ({ key: `a${a.id}`, kind: 'artifact' as const, type: a.type ?? '', name: nameOf(a), version: propertyOf(a, 'version'), uri: a.uri ?? '', depth: depth.get(`a${a.id}`) ?? 0 })),
    ...graph.executions.map((e) => ({ key: `e${e.id}`, kind: 'execution' as const, type: e.type ?? '', name: String(valueOf(e.properties?.component_id) ?? ''), version: '', uri: '', depth: depth.get(`e${e.id}`) ?? 0 })),
  ];
  const rows = new Map<number, number>();
  const nodes: LineageNode[] = raw.map((n) => {
    const col = column(n.depth);
    const row = rows.get(col) ?? 0;
    rows.set(col, row + 1);
    return { ...n, x: MARGIN + col * (NODE_WIDTH + COLUMN_GAP), y: MARGIN + row * (NODE_HEIGHT + ROW_GAP) };
  });
  const at = new Map(nodes.map((n) => [n.key, n]));
  const edges = flows.map((f) => {
    const [a, b] = [at.get(f.from)!, at.get(f.to)!];
    return { ...f, x1: a.x + NODE_WIDTH, y1: a.y + NODE_HEIGHT / 2, x2: b.x, y2: b.y + NODE_HEIGHT / 2 };
  });
  const columns = maxDepth + 1;
  const height = Math.max(1, ...rows.values());
  return { width: 2 * MARGIN + columns * NODE_WIDTH + (columns - 1) * COLUMN_GAP, height: 2 * MARGIN + height * NODE_HEIGHT + (height - 1) * ROW_GAP, nodes, edges };
}

/** An artifact's name without its version: the dataset, model or transform name, else its MLMD name. */
function nameOf(a: Artifact): string {
  return propertyOf(a, 'dataset') || propertyOf(a, 'name') || propertyOf(a, 'alias') || a.name || '';
}

/** "Which data trained the production model?": the model aliased production and the Examples upstream of it. */
export function productionData(store: MlmdStore, productionModelId: string | null): { model: Artifact; examples: Artifact[] } | null {
  const model = productionModelId ? artifactByUri(store, uris.model(productionModelId), 'Model') : undefined;
  if (!model) return null;
  // the training data: the Examples a Trainer (or an optimizer's teacher's Trainer) read, not the evaluation's
  const graph = upstream(store, model.id);
  const trainers = new Set(graph.executions.filter((e) => e.type === 'Trainer').map((e) => e.id));
  const read = new Set(graph.events.filter((e) => trainers.has(e.executionId) && isInputEvent(e)).map((e) => e.artifactId));
  return { model, examples: graph.artifacts.filter((a) => a.type === 'Examples' && read.has(a.id)) };
}

/**
 * "Which models used this dataset version?": the Model artifacts downstream of its Examples, not counting
 * versions derived from it (an Import with it as parent): those models used the other version.
 */
export function modelsUsing(store: MlmdStore, versionId: string): Artifact[] {
  const examples = artifactByUri(store, uris.version(versionId), 'Examples');
  if (!examples) return [];
  const imports = new Set(store.executions.filter((e) => e.type === 'Import').map((e) => e.id));
  const withoutImports = { ...store, events: store.events.filter((e) => !imports.has(e.executionId)) };
  return downstream(withoutImports, examples.id).artifacts.filter((a) => a.type === 'Model');
}

/** The pipeline runs recorded in the store (their contexts), in the order they were made. */
export function runContexts(store: MlmdStore): Context[] {
  const type = store.contextTypes.find((t) => t.name === RUN_CONTEXT_TYPE);
  return type ? store.contexts.filter((c) => c.typeId === type.id) : [];
}
