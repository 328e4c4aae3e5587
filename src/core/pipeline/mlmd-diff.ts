/**
 * "What changed between these two runs of the pipeline?": the two runs' executions paired by component,
 * and for each the settings that differ (by path) and the input and output artifacts that differ (by port,
 * with the properties of the artifacts at the same place that differ, e.g. the dataset version an
 * Examples artifact holds).
 */
import { COMPONENT_ID_PROPERTY, isInputEvent, isOutputEvent, portOf, SETTINGS_PROPERTY, valueOf, type Artifact, type Execution, type ExecutionState, type JsonValue, type MlmdStore } from './mlmd';

/** A leaf that differs: its path and the value on each side (undefined: absent there). */
export interface ValueChange {
  path: string;
  a: JsonValue | undefined;
  b: JsonValue | undefined;
}

export interface PortChange {
  port: string;
  direction: 'input' | 'output';
  /** The artifact ids on each side, in event order. */
  a: number[];
  b: number[];
  /** Properties (and custom properties) of the artifacts at the same position that differ. */
  properties: ValueChange[];
}

export interface ComponentDiff {
  component: string;
  /** Each run's execution of it, or null when that run has none. */
  a: { executionId: number; state: ExecutionState | undefined } | null;
  b: { executionId: number; state: ExecutionState | undefined } | null;
  settings: ValueChange[];
  ports: PortChange[];
  /** Anything at all differs (settings, an artifact, or one side missing). */
  changed: boolean;
}

/** The differences of two runs (contexts by id), one entry per component of either, in run A's order then B's. */
export function diffRuns(store: MlmdStore, runA: number, runB: number): ComponentDiff[] {
  const [a, b] = [executionsOf(store, runA), executionsOf(store, runB)];
  const components = [...new Set([...a.keys(), ...b.keys()])];
  const artifacts = new Map(store.artifacts.map((x) => [x.id, x]));
  return components.map((component) => {
    const [ea, eb] = [a.get(component), b.get(component)];
    const settings = ea && eb ? diffValues(settingsOf(ea), settingsOf(eb)) : [];
    const ports = ea && eb ? diffPorts(store, ea.id, eb.id, artifacts) : [];
    const side = (e: Execution | undefined) => (e ? { executionId: e.id, state: e.lastKnownState } : null);
    return { component, a: side(ea), b: side(eb), settings, ports, changed: !ea || !eb || settings.length > 0 || ports.length > 0 };
  });
}

/** A run's executions by component id (the newest execution when a component ran twice, e.g. resumed). */
function executionsOf(store: MlmdStore, contextId: number): Map<string, Execution> {
  const ids = new Set(store.associations.filter((x) => x.contextId === contextId).map((x) => x.executionId));
  const out = new Map<string, Execution>();
  for (const e of store.executions.filter((x) => ids.has(x.id)).sort((x, y) => x.id - y.id)) {
    const component = valueOf(e.properties?.[COMPONENT_ID_PROPERTY]);
    if (typeof component === 'string') out.set(component, e);
  }
  return out;
}

function settingsOf(e: Execution): JsonValue | undefined {
  return valueOf(e.properties?.[SETTINGS_PROPERTY]);
}

function diffPorts(store: MlmdStore, a: number, b: number, artifacts: ReadonlyMap<number, Artifact>): PortChange[] {
  const ports = (executionId: number) => {
    const out = new Map<string, number[]>();
    for (const e of store.events) {
      if (e.executionId !== executionId || !(isInputEvent(e) || isOutputEvent(e))) continue;
      const key = `${isInputEvent(e) ? 'input' : 'output'}:${portOf(e)}`;
      out.set(key, [...(out.get(key) ?? []), e.artifactId]);
    }
    return out;
  };
  const [pa, pb] = [ports(a), ports(b)];
  const changes: PortChange[] = [];
  for (const key of [...new Set([...pa.keys(), ...pb.keys()])]) {
    const [ida, idb] = [pa.get(key) ?? [], pb.get(key) ?? []];
    if (ida.length === idb.length && ida.every((id, i) => id === idb[i])) continue;
    const [direction, port] = [key.slice(0, key.indexOf(':')) as 'input' | 'output', key.slice(key.indexOf(':') + 1)];
    const properties = ida.flatMap((id, i) => (idb[i] === undefined ? [] : diffValues(propertiesOf(artifacts.get(id)), propertiesOf(artifacts.get(idb[i]!)), ida.length > 1 ? `[${i}]` : '')));
    changes.push({ port, direction, a: ida, b: idb, properties });
  }
  return changes;
}

function propertiesOf(a: Artifact | undefined): JsonValue {
  const plain = (p: Artifact['properties']) => Object.fromEntries(Object.entries(p ?? {}).map(([k, v]) => [k, valueOf(v)]));
  return { ...plain(a?.properties), ...plain(a?.customProperties) };
}

/** Leaves that differ between two JSON values, by path (a.b[2].c); objects by key, lists by position. */
export function diffValues(a: JsonValue | undefined, b: JsonValue | undefined, path = ''): ValueChange[] {
  const isObject = (v: unknown): v is Record<string, JsonValue | undefined> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffValues(a[k], b[k], path === '' ? k : `${path}.${k}`));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => diffValues(a[i], b[i], `${path}[${i}]`)).flat();
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path, a, b }];
}
