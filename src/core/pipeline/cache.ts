/**
 * Caching as TFX does it (tfx/orchestration/portable/cache_utils.py): an execution is reused when the same
 * component type, at the same contract version, runs with the same settings on the same input artifacts.
 * The key is a SHA-256 over a canonical JSON of exactly those (keys sorted, undefined left out), so the
 * order settings are written in does not matter and any change of a setting or an input artifact gives
 * another key. What a component reads at run time (ExampleGen's "latest" version, the Evaluator's
 * production baseline) is resolved first and goes into the key as `resolved`.
 *
 * A hit is an earlier execution with that key that completed (or was itself a cache hit) and whose outputs
 * are all still LIVE, the newest first, as TFX's get_cached_outputs picks it.
 */
import { sha256Hex } from '../math/sha256';
import { cacheable, CONTRACTS } from './components';
import type { ComponentSpec } from './spec';
import { portOf, type Artifact, type Execution, type JsonValue, type MlmdStore } from './mlmd';

/** MLMD context type of the cache key contexts (TFX's CONTEXT_TYPE_EXECUTION_CACHE). */
export const CACHE_CONTEXT_TYPE = 'execution_cache';

/**
 * JSON with object keys in code-unit order and undefined fields left out: equal values give equal text.
 * A non-finite number is refused (JSON would write null, and a NaN setting must not hit a null one's cache).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`canonicalJson: ${value} is not a JSON number`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  throw new TypeError(`canonicalJson: a ${typeof value} is not JSON`);
}

export interface CacheInputs {
  /** Input port -> the ids of the artifacts it reads (their order within a port counts, as in TFX). */
  inputs: Readonly<Record<string, readonly (string | number)[]>>;
  /** What the component resolved at run time (e.g. { datasetVersionId }); required for 'resolved' components. */
  resolved?: Readonly<Record<string, JsonValue>>;
}

export type CacheDecision = { cacheable: true; key: string } | { cacheable: false; why: 'opted-out' | 'random' | 'side-effect' };

/** The cache key of a component's execution, or why it never reuses one. */
export function cacheKey(component: Pick<ComponentSpec, 'type' | 'settings' | 'cache'>, at: CacheInputs): CacheDecision {
  const contract = CONTRACTS[component.type];
  if (!cacheable(component.type)) return { cacheable: false, why: contract.determinism === 'random' ? 'random' : 'side-effect' };
  if (component.cache === false) return { cacheable: false, why: 'opted-out' };
  if (contract.determinism === 'resolved' && at.resolved === undefined) throw new Error(`cacheKey: ${component.type} needs what it resolved at run time`);
  const inputs = Object.fromEntries(Object.entries(at.inputs).map(([port, ids]) => [port, ids.map(String)]));
  const key = sha256Hex(canonicalJson({ type: component.type, contract: contract.version, settings: component.settings, inputs, resolved: at.resolved }));
  return { cacheable: true, key };
}

export interface CacheHit {
  execution: Execution;
  /** Output port -> its artifacts, as the execution's OUTPUT events name them. */
  outputs: Record<string, Artifact[]>;
}

/** The newest completed execution under `key` whose outputs are all LIVE, or null (cache_utils' rule). */
export function findCached(store: MlmdStore, key: string): CacheHit | null {
  const context = store.contexts.find((c) => c.type === CACHE_CONTEXT_TYPE && c.name === key);
  if (!context) return null;
  const ids = new Set(store.associations.filter((a) => a.contextId === context.id).map((a) => a.executionId));
  const candidates = store.executions
    .filter((e) => ids.has(e.id) && (e.lastKnownState === 'COMPLETE' || e.lastKnownState === 'CACHED'))
    .sort((x, y) => (y.createTimeSinceEpoch ?? 0) - (x.createTimeSinceEpoch ?? 0) || y.id - x.id);
  const artifacts = new Map(store.artifacts.map((a) => [a.id, a]));
  for (const execution of candidates) {
    const outputs: Record<string, Artifact[]> = {};
    const events = store.events.filter((e) => e.executionId === execution.id && e.type === 'OUTPUT');
    const live = events.every((e) => artifacts.get(e.artifactId)?.state === 'LIVE');
    if (!live || events.length === 0) continue;
    for (const e of events) (outputs[portOf(e)] ??= []).push(artifacts.get(e.artifactId)!);
    return { execution, outputs };
  }
  return null;
}
