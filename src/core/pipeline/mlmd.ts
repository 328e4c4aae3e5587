/**
 * ML Metadata's model (google/ml-metadata, ml_metadata/proto/metadata_store.proto) as TypeScript, with
 * the proto's JSON names (typeId, lastKnownState, artifactId) and its enums by name, and pure queries over
 * an in-memory store of it: the lineage of an artifact back to its data and forward to everything made
 * from it, the differences between two pipeline runs, and the store as MLMD-shaped JSON.
 *
 * Ids are MLMD's int64 ids as numbers (the store hands them out); a Pipette record's own id goes in
 * `externalId`. Pipette's conventions on top of MLMD: an execution's component id and settings are its
 * properties `component_id` (string) and `settings` (struct), an execution's ports are its events' path
 * keys (as TFX writes them), and a pipeline run is a context of type `pipeline_run`.
 */

/** A JSON value (a struct property, settings). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue | undefined };

/** A property value (MLMD's Value; PROTO values are not used). */
export type MlmdValue = { intValue: number } | { doubleValue: number } | { stringValue: string } | { boolValue: boolean } | { structValue: JsonValue };
export type PropertyType = 'UNKNOWN' | 'INT' | 'DOUBLE' | 'STRING' | 'STRUCT' | 'PROTO' | 'BOOLEAN';
export type Properties = Record<string, MlmdValue>;

export type ArtifactState = 'UNKNOWN' | 'PENDING' | 'LIVE' | 'MARKED_FOR_DELETION' | 'DELETED' | 'ABANDONED' | 'REFERENCE';
export type ExecutionState = 'UNKNOWN' | 'NEW' | 'RUNNING' | 'COMPLETE' | 'FAILED' | 'CACHED' | 'CANCELED';
export type EventType = 'UNKNOWN' | 'DECLARED_OUTPUT' | 'DECLARED_INPUT' | 'INPUT' | 'OUTPUT' | 'INTERNAL_INPUT' | 'INTERNAL_OUTPUT' | 'PENDING_OUTPUT';
export type ExecutionBaseTypeName = 'UNSET' | 'TRAIN' | 'TRANSFORM' | 'PROCESS' | 'EVALUATE' | 'DEPLOY';

interface TypeFields {
  id: number;
  name: string;
  version?: string;
  description?: string;
  externalId?: string;
  properties?: Record<string, PropertyType>;
}

export type ArtifactType = TypeFields;
export interface ExecutionType extends TypeFields {
  baseType?: ExecutionBaseTypeName;
}
export type ContextType = TypeFields;

interface NodeFields {
  id: number;
  typeId: number;
  /** The type's name (output only in MLMD). */
  type?: string;
  name?: string;
  externalId?: string;
  properties?: Properties;
  customProperties?: Properties;
  createTimeSinceEpoch?: number;
  lastUpdateTimeSinceEpoch?: number;
}

export interface Artifact extends NodeFields {
  uri?: string;
  state?: ArtifactState;
}

export interface Execution extends NodeFields {
  lastKnownState?: ExecutionState;
}

export type Context = NodeFields;

export type PathStep = { index: number } | { key: string };

export interface Event {
  artifactId: number;
  executionId: number;
  path?: { steps: PathStep[] };
  type: EventType;
  millisecondsSinceEpoch?: number;
}

export interface Attribution {
  artifactId: number;
  contextId: number;
}

export interface Association {
  executionId: number;
  contextId: number;
}

export interface ParentContext {
  childId: number;
  parentId: number;
}

/** A store's content, or a part of it: MLMD's LineageGraph message. */
export interface MlmdStore {
  artifactTypes: ArtifactType[];
  executionTypes: ExecutionType[];
  contextTypes: ContextType[];
  artifacts: Artifact[];
  executions: Execution[];
  contexts: Context[];
  events: Event[];
  attributions: Attribution[];
  associations: Association[];
  parentContexts: ParentContext[];
}

export const COMPONENT_ID_PROPERTY = 'component_id';
export const SETTINGS_PROPERTY = 'settings';
export const RUN_CONTEXT_TYPE = 'pipeline_run';

const INPUT_EVENTS: ReadonlySet<EventType> = new Set(['INPUT', 'DECLARED_INPUT', 'INTERNAL_INPUT']);
// a PENDING_OUTPUT is not written yet: nothing is made from it
const OUTPUT_EVENTS: ReadonlySet<EventType> = new Set(['OUTPUT', 'DECLARED_OUTPUT', 'INTERNAL_OUTPUT']);

export const isInputEvent = (e: Event): boolean => INPUT_EVENTS.has(e.type);
export const isOutputEvent = (e: Event): boolean => OUTPUT_EVENTS.has(e.type);

/** The port an event names (the first step's key, as TFX writes it), or '' . */
export function portOf(e: Event): string {
  const step = e.path?.steps[0];
  return step && 'key' in step ? step.key : '';
}

/** A property's plain value. */
export function valueOf(v: MlmdValue | undefined): JsonValue | undefined {
  if (v === undefined) return undefined;
  if ('intValue' in v) return v.intValue;
  if ('doubleValue' in v) return v.doubleValue;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  return v.structValue;
}

/** Plain values as MLMD property values (the inverse of valueOf); none: undefined. */
export function toProperties(values: Record<string, JsonValue> | undefined): Properties | undefined {
  if (!values || Object.keys(values).length === 0) return undefined;
  const out: Properties = {};
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === 'string') out[k] = { stringValue: v };
    else if (typeof v === 'boolean') out[k] = { boolValue: v };
    else if (typeof v === 'number') out[k] = Number.isInteger(v) ? { intValue: v } : { doubleValue: v };
    else out[k] = { structValue: v };
  }
  return out;
}

/**
 * The lineage of an artifact back to its data: the artifact, the executions that made it, their inputs,
 * the executions that made those, and so on (MLMD's lineage subgraph towards the sources).
 */
export function upstream(store: MlmdStore, artifactId: number): MlmdStore {
  return lineage(store, artifactId, 'up');
}

/** Everything made from an artifact: the executions that read it, their outputs, what read those, and so on. */
export function downstream(store: MlmdStore, artifactId: number): MlmdStore {
  return lineage(store, artifactId, 'down');
}

function lineage(store: MlmdStore, start: number, direction: 'up' | 'down'): MlmdStore {
  // up: artifact <- output event <- execution <- input event <- artifact; down: the other way round
  const towardExecution = direction === 'up' ? isOutputEvent : isInputEvent;
  const towardArtifact = direction === 'up' ? isInputEvent : isOutputEvent;
  const byArtifact = groupBy(store.events, (e) => e.artifactId);
  const byExecution = groupBy(store.events, (e) => e.executionId);
  const artifacts = new Set<number>([start]);
  const executions = new Set<number>();
  const queue = [start];
  while (queue.length > 0) {
    for (const e of byArtifact.get(queue.shift()!) ?? []) {
      if (!towardExecution(e) || executions.has(e.executionId)) continue;
      executions.add(e.executionId);
      for (const next of byExecution.get(e.executionId) ?? []) {
        if (!towardArtifact(next) || artifacts.has(next.artifactId)) continue;
        artifacts.add(next.artifactId);
        queue.push(next.artifactId);
      }
    }
  }
  const events = store.events.filter((e) => artifacts.has(e.artifactId) && executions.has(e.executionId));
  return subgraph(store, artifacts, executions, events);
}

function groupBy<T>(items: readonly T[], key: (item: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** The nodes given, the edges among them, their types and the contexts they belong to. */
function subgraph(store: MlmdStore, artifactIds: ReadonlySet<number>, executionIds: ReadonlySet<number>, events: Event[]): MlmdStore {
  const byId = <T extends { id: number }>(a: T, b: T) => a.id - b.id;
  const artifacts = store.artifacts.filter((a) => artifactIds.has(a.id)).sort(byId);
  const executions = store.executions.filter((e) => executionIds.has(e.id)).sort(byId);
  const attributions = store.attributions.filter((a) => artifactIds.has(a.artifactId));
  const associations = store.associations.filter((a) => executionIds.has(a.executionId));
  const contextIds = new Set([...attributions.map((a) => a.contextId), ...associations.map((a) => a.contextId)]);
  const contexts = store.contexts.filter((c) => contextIds.has(c.id)).sort(byId);
  const used = (nodes: readonly { typeId: number }[]) => new Set(nodes.map((n) => n.typeId));
  const [at, et, ct] = [used(artifacts), used(executions), used(contexts)];
  return {
    artifactTypes: store.artifactTypes.filter((t) => at.has(t.id)),
    executionTypes: store.executionTypes.filter((t) => et.has(t.id)),
    contextTypes: store.contextTypes.filter((t) => ct.has(t.id)),
    artifacts,
    executions,
    contexts,
    events,
    attributions,
    associations,
    parentContexts: store.parentContexts.filter((p) => contextIds.has(p.childId) && contextIds.has(p.parentId)),
  };
}

// ---- MLMD-shaped JSON ----

/**
 * The store as the JSON of MLMD's LineageGraph message (protobuf's JSON mapping): lowerCamelCase field
 * names, enums by name, int64 fields (ids, times, intValue, a path step's index) as decimal strings, absent
 * fields and empty maps left out. Checked once against the proto itself: protobuf's json_format parses the
 * output of the tests' stores into a LineageGraph and writes it back the same.
 */
export function toMlmdJson(store: MlmdStore): Record<string, unknown> {
  const INT64 = new Set(['id', 'typeId', 'artifactId', 'executionId', 'contextId', 'childId', 'parentId', 'createTimeSinceEpoch', 'lastUpdateTimeSinceEpoch', 'millisecondsSinceEpoch']);
  const node = (o: object): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      if (v === undefined) continue;
      if (INT64.has(k)) out[k] = String(v);
      else if (k === 'properties' || k === 'customProperties') {
        // protobuf's JSON leaves out an empty map
        if (Object.keys(v as object).length > 0) out[k] = isTypeProperties(v) ? v : propertiesJson(v as Properties);
      } else if (k === 'path') out[k] = { steps: (v as Event['path'])!.steps.map((step) => ('index' in step ? { index: String(step.index) } : step)) };
      else out[k] = v;
    }
    return out;
  };
  const list = (key: keyof MlmdStore) => (store[key] as object[]).map(node);
  const keys: (keyof MlmdStore)[] = ['artifactTypes', 'executionTypes', 'contextTypes', 'artifacts', 'executions', 'contexts', 'events', 'attributions', 'associations', 'parentContexts'];
  return Object.fromEntries(keys.filter((k) => store[k].length > 0).map((k) => [k, list(k)]));
}

/** A type's properties map to PropertyType names (strings); a node's to Values (objects). */
function isTypeProperties(v: unknown): boolean {
  return Object.values(v as object).every((x) => typeof x === 'string');
}

function propertiesJson(props: Properties): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(props)) {
    if ('intValue' in v) out[name] = { intValue: String(v.intValue) };
    // protobuf's JSON writes non-finite doubles as the strings "NaN", "Infinity", "-Infinity"
    else if ('doubleValue' in v) out[name] = { doubleValue: Number.isFinite(v.doubleValue) ? v.doubleValue : String(v.doubleValue) };
    else out[name] = v;
  }
  return out;
}
