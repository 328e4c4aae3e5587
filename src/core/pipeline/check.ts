/**
 * A pipeline's wiring checked against the component contracts, and its DAG: the components in a
 * topological order and in levels (a component's inputs all come from earlier levels, so the components of
 * one level can run side by side). Every refusal is a PipelineError naming the component and the port,
 * e.g. "trainer.transform_graph expects TransformGraph but statistics_gen.statistics gives Statistics".
 */
import { CONTRACTS, type ArtifactKind, type ComponentContract } from './components';
import { PipelineError } from './errors';
import { checkSettings } from './settings';
import { isComponentType, type ComponentSpec, type InputRef, type PipelineSpec } from './spec';

/** One wire: `to`'s input port `input` reads `from`'s output port `output`. */
export interface Edge {
  from: string;
  output: string;
  to: string;
  input: string;
  kind: ArtifactKind;
}

export interface CheckedComponent {
  spec: ComponentSpec;
  contract: ComponentContract;
  /** The components it waits for: the producers of its inputs and those it runs after (in pipeline order). */
  dependsOn: string[];
  level: number;
}

export interface CheckedPipeline {
  spec: PipelineSpec;
  components: Record<string, CheckedComponent>;
  /** Every component once, each after all it depends on (levels, one after the other). */
  order: string[];
  /** levels[0] needs nothing; a component of level k depends on some of level k - 1 and none of k or later. */
  levels: string[][];
  edges: Edge[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The checked DAG of a pipeline, or a PipelineError naming the component and port that is wrong. */
export function checkPipeline(spec: PipelineSpec): CheckedPipeline {
  if (spec.components.length === 0) throw new PipelineError('no-components', {}, 'the pipeline has no components');
  const byId = new Map<string, ComponentSpec>();
  spec.components.forEach((c, i) => checkIdentity(c, i, byId));

  const edges = spec.components.flatMap((c) => wiresOf(c, byId));
  const dependsOn = new Map(spec.components.map((c) => [c.id, dependenciesOf(c, edges, byId)]));
  const levels = levelsOf(spec.components, dependsOn);
  for (const c of spec.components) checkSettings(c);

  const components: Record<string, CheckedComponent> = {};
  levels.forEach((ids, level) => {
    for (const id of ids) components[id] = { spec: byId.get(id)!, contract: CONTRACTS[byId.get(id)!.type], dependsOn: dependsOn.get(id)!, level };
  });
  return { spec, components, order: levels.flat(), levels, edges };
}

/** A component's wires, each checked: a port its type has, from a component and output that exist, of its kind. */
function wiresOf(c: ComponentSpec, byId: ReadonlyMap<string, ComponentSpec>): Edge[] {
  const edges = Object.entries(c.inputs).map(([input, ref]) => checkWire(c, input, ref, byId));
  const missing = missingInputs(c)[0];
  if (missing) throw missing;
  return edges;
}

/** One wire checked: `c`'s type has the input port, `ref` names a component and an output of it, of the port's kind. */
export function checkWire(c: ComponentSpec, input: string, ref: InputRef, byId: ReadonlyMap<string, ComponentSpec>): Edge {
  const port = CONTRACTS[c.type].inputs[input];
  if (!port) throw new PipelineError('unknown-port', { component: c.id, port: input, params: { type: c.type } }, `${c.id}: ${c.type} has no input ${input}`);
  const source = byId.get(ref.from);
  if (!source || !isComponentType(source.type)) throw new PipelineError('unknown-source', { component: c.id, port: input, params: { from: ref.from } }, `${c.id}.${input} reads from ${ref.from}, which is not a component of the pipeline`);
  const given = CONTRACTS[source.type].outputs[ref.port];
  if (!given) {
    throw new PipelineError('unknown-output', { component: c.id, port: input, params: { from: ref.from, output: ref.port, type: source.type } }, `${c.id}.${input} reads ${ref.from}.${ref.port}, but ${source.type} gives no ${ref.port}`);
  }
  if (given !== port.kind) {
    throw new PipelineError(
      'kind-mismatch',
      { component: c.id, port: input, params: { expected: port.kind, from: ref.from, output: ref.port, actual: given } },
      `${c.id}.${input} expects ${port.kind} but ${ref.from}.${ref.port} gives ${given}`,
    );
  }
  return { from: ref.from, output: ref.port, to: c.id, input, kind: given };
}

/** A missing-input refusal for each required port of `c` that is not wired. */
function missingInputs(c: ComponentSpec): PipelineError[] {
  return Object.entries(CONTRACTS[c.type].inputs)
    .filter(([input, port]) => !port.optional && !c.inputs[input])
    .map(([input, port]) => new PipelineError('missing-input', { component: c.id, port: input, params: { kind: port.kind } }, `${c.id}: the input ${input} (${port.kind}) is not wired`));
}

/** A draft pipeline looked at whole: every refusal checkPipeline could give (not only the first), and its DAG as far as it holds. */
export interface PipelineInspection {
  problems: PipelineError[];
  /** The wires that are valid. */
  edges: Edge[];
  /** Levels of the components over the valid wires and `after`s; components on a cycle come last, one level. */
  levels: string[][];
}

/**
 * Every problem of a draft, each naming its component and port or field, so an editor shows each next to
 * what it is about: ids, types, each wire, each missing input, each `after`, a cycle, each component's settings.
 */
export function inspectPipeline(spec: PipelineSpec): PipelineInspection {
  const problems: PipelineError[] = [];
  const attempt = <T>(check: () => T): T | undefined => {
    try {
      return check();
    } catch (e) {
      if (!(e instanceof PipelineError)) throw e;
      problems.push(e);
      return undefined;
    }
  };
  if (spec.components.length === 0) problems.push(new PipelineError('no-components', {}, 'the pipeline has no components'));
  const byId = new Map<string, ComponentSpec>();
  spec.components.forEach((c, i) => attempt(() => checkIdentity(c, i, byId)));
  const known = spec.components.filter((c) => byId.get(c.id) === c && isComponentType(c.type));
  const edges: Edge[] = [];
  for (const c of known) {
    for (const [input, ref] of Object.entries(c.inputs)) {
      const edge = attempt(() => checkWire(c, input, ref, byId));
      if (edge) edges.push(edge);
    }
    problems.push(...missingInputs(c));
  }
  const dependsOn = new Map<string, string[]>();
  for (const c of known) {
    const after = (c.after ?? []).filter((a) => byId.has(a) || !problems.push(unknownAfter(c, a)));
    dependsOn.set(c.id, inPipelineOrder(c, edges, after, byId));
  }
  let levels = attempt(() => levelsOf(known, dependsOn));
  if (!levels) levels = levelsUpToCycle(known, dependsOn);
  for (const c of known) attempt(() => checkSettings(c));
  return { problems, edges, levels };
}

/** A valid id, not taken by an earlier component, of a known type; records it in byId. */
function checkIdentity(c: ComponentSpec, i: number, byId: Map<string, ComponentSpec>): void {
  if (!IDENTIFIER.test(c.id)) throw new PipelineError('bad-field', { component: c.id, field: `components[${i}].id`, params: { expected: 'identifier' } }, `components[${i}].id "${c.id}" is not a name of letters, digits and _`);
  if (byId.has(c.id)) throw new PipelineError('duplicate-id', { component: c.id }, `two components are named ${c.id}`);
  byId.set(c.id, c);
  if (!isComponentType(c.type)) throw new PipelineError('unknown-type', { component: c.id, params: { type: String(c.type) } }, `${c.id}: there is no component type ${String(c.type)}`);
}

/** Levels of what does not depend on a cycle, then everything else in one last level. */
function levelsUpToCycle(components: readonly ComponentSpec[], dependsOn: ReadonlyMap<string, string[]>): string[][] {
  const { levels, placed } = placeLevels(components, dependsOn);
  const rest = components.filter((c) => !placed.has(c.id)).map((c) => c.id);
  return rest.length > 0 ? [...levels, rest] : levels;
}

function unknownAfter(c: ComponentSpec, after: string): PipelineError {
  return new PipelineError('unknown-after', { component: c.id, params: { after } }, `${c.id} runs after ${after}, which is not a component of the pipeline`);
}

function dependenciesOf(c: ComponentSpec, edges: readonly Edge[], byId: ReadonlyMap<string, ComponentSpec>): string[] {
  for (const after of c.after ?? []) if (!byId.has(after)) throw unknownAfter(c, after);
  return inPipelineOrder(c, edges, c.after ?? [], byId);
}

/** What `c` waits for, in pipeline order, so the result does not depend on how the inputs were listed. */
function inPipelineOrder(c: ComponentSpec, edges: readonly Edge[], after: readonly string[], byId: ReadonlyMap<string, ComponentSpec>): string[] {
  const deps = new Set([...edges.filter((e) => e.to === c.id).map((e) => e.from), ...after]);
  return [...byId.keys()].filter((id) => deps.has(id));
}

/** Longest-path levels (Kahn's algorithm, one level per round); a cycle is refused naming its components. */
function levelsOf(components: readonly ComponentSpec[], dependsOn: ReadonlyMap<string, string[]>): string[][] {
  const { levels, placed } = placeLevels(components, dependsOn);
  if (placed.size < components.length) throw cycleError(components.filter((c) => !placed.has(c.id)).map((c) => c.id), dependsOn, placed);
  return levels;
}

/** The levels of every component that does not wait on a cycle, and the set of them. */
function placeLevels(components: readonly ComponentSpec[], dependsOn: ReadonlyMap<string, string[]>): { levels: string[][]; placed: Set<string> } {
  const placed = new Set<string>();
  const levels: string[][] = [];
  for (;;) {
    const ready = components.filter((c) => !placed.has(c.id) && dependsOn.get(c.id)!.every((d) => placed.has(d))).map((c) => c.id);
    if (ready.length === 0) return { levels, placed };
    for (const id of ready) placed.add(id);
    levels.push(ready);
  }
}

/** Walk from the first unplaced component to an unplaced dependency until one repeats: that loop is a cycle. */
function cycleError(unplaced: string[], dependsOn: ReadonlyMap<string, string[]>, placed: ReadonlySet<string>): PipelineError {
  const walk: string[] = [];
  let at = unplaced[0]!;
  while (!walk.includes(at)) {
    walk.push(at);
    at = dependsOn.get(at)!.find((d) => !placed.has(d))!;
  }
  // the walk goes from consumer to producer; say it in the direction the data flows
  const loop = walk.slice(walk.indexOf(at)).reverse();
  // start at the component that comes first in the pipeline
  const start = loop.indexOf(unplaced.find((id) => loop.includes(id))!);
  const cycle = [...loop.slice(start), ...loop.slice(0, start)];
  const text = [...cycle, cycle[0]].join(' → ');
  return new PipelineError('cycle', { component: cycle[0], params: { components: text } }, `the components ${text} depend on each other`);
}
