/**
 * Writing lineage into an in-memory MLMD store the way TFX's orchestrator does: types registered once by
 * name, an execution with its INPUT and OUTPUT events keyed by port (path [{key: port}, {index: i}]), and
 * contexts (pipeline, run, project, cache key) with their attributions and associations. Ids are handed
 * out in order, 1, 2, 3 ... per kind of node, as MLMD's store does.
 */
import type { JsonValue } from './mlmd';
import {
  COMPONENT_ID_PROPERTY,
  SETTINGS_PROPERTY,
  type Artifact,
  type ArtifactState,
  type ExecutionBaseTypeName,
  type ExecutionState,
  type MlmdStore,
  type Properties,
} from './mlmd';

export function emptyStore(): MlmdStore {
  return { artifactTypes: [], executionTypes: [], contextTypes: [], artifacts: [], executions: [], contexts: [], events: [], attributions: [], associations: [], parentContexts: [] };
}

export interface ArtifactInit {
  uri?: string;
  externalId?: string;
  properties?: Properties;
  customProperties?: Properties;
  state?: ArtifactState;
  time?: number;
}

export interface ExecutionInit {
  componentId: string;
  settings: JsonValue;
  state: ExecutionState;
  /** Port -> artifact ids read. */
  inputs?: Record<string, number[]>;
  /** Port -> artifact ids written. */
  outputs?: Record<string, number[]>;
  baseType?: ExecutionBaseTypeName;
  externalId?: string;
  customProperties?: Properties;
  time?: number;
}

export class MlmdRecorder {
  constructor(readonly store: MlmdStore = emptyStore()) {}

  artifact(typeName: string, init: ArtifactInit = {}): Artifact {
    const typeId = this.typeId('artifactTypes', typeName);
    const { time, state = 'LIVE', ...rest } = init;
    const artifact: Artifact = { id: nextId(this.store.artifacts), typeId, type: typeName, state, ...rest, ...times(time) };
    this.store.artifacts.push(artifact);
    return artifact;
  }

  /** An execution of a component, with its input and output events. Returns its id. */
  execution(typeName: string, init: ExecutionInit): number {
    const typeId = this.typeId('executionTypes', typeName, init.baseType);
    const id = nextId(this.store.executions);
    const properties: Properties = { [COMPONENT_ID_PROPERTY]: { stringValue: init.componentId }, [SETTINGS_PROPERTY]: { structValue: init.settings } };
    this.store.executions.push({
      id,
      typeId,
      type: typeName,
      lastKnownState: init.state,
      properties,
      ...(init.externalId ? { externalId: init.externalId } : {}),
      ...(init.customProperties ? { customProperties: init.customProperties } : {}),
      ...times(init.time),
    });
    const events = (ports: Record<string, number[]> | undefined, type: 'INPUT' | 'OUTPUT') => {
      for (const [port, ids] of Object.entries(ports ?? {})) {
        ids.forEach((artifactId, index) => this.store.events.push({ artifactId, executionId: id, type, path: { steps: [{ key: port }, { index }] }, ...(init.time === undefined ? {} : { millisecondsSinceEpoch: init.time }) }));
      }
    };
    events(init.inputs, 'INPUT');
    events(init.outputs, 'OUTPUT');
    return id;
  }

  /** The context of this type and name, made if it does not exist yet. Returns its id. */
  context(typeName: string, name: string, properties?: Properties): number {
    const typeId = this.typeId('contextTypes', typeName);
    const existing = this.store.contexts.find((c) => c.typeId === typeId && c.name === name);
    if (existing) return existing.id;
    const id = nextId(this.store.contexts);
    this.store.contexts.push({ id, typeId, type: typeName, name, ...(properties ? { properties } : {}) });
    return id;
  }

  /** Put artifacts and executions into a context (Attribution and Association edges). */
  attach(contextId: number, nodes: { artifacts?: number[]; executions?: number[] }): void {
    for (const artifactId of nodes.artifacts ?? []) this.store.attributions.push({ artifactId, contextId });
    for (const executionId of nodes.executions ?? []) this.store.associations.push({ executionId, contextId });
  }

  private typeId(kind: 'artifactTypes' | 'executionTypes' | 'contextTypes', name: string, baseType?: ExecutionBaseTypeName): number {
    const types = this.store[kind];
    const found = types.find((t) => t.name === name);
    if (found) return found.id;
    const id = nextId(types);
    types.push({ id, name, ...(baseType ? { baseType } : {}) });
    return id;
  }
}

function nextId(nodes: readonly { id: number }[]): number {
  return nodes.reduce((max, n) => Math.max(max, n.id), 0) + 1;
}

function times(time: number | undefined): { createTimeSinceEpoch?: number; lastUpdateTimeSinceEpoch?: number } {
  return time === undefined ? {} : { createTimeSinceEpoch: time, lastUpdateTimeSinceEpoch: time };
}
