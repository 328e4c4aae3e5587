/**
 * The model registry's store operations: immutable model versions, aliases, deletion. Dexie only (no
 * TF.js), so the page calls these directly; making a version from a run, exporting and importing need
 * TF.js and live in registry-model.ts (training worker).
 */
import { missing, RecordError } from '../core/record-error';
import { EvalError } from '../core/evaluate/errors';
import type { PipetteDB } from '../store/db';
import type { EvaluationRecord } from '../store/evaluation-records';
import type { AliasRecord, ModelArtifacts, ModelVersionRecord } from '../store/training-records';

/** Aliases are short names a serving setup refers to; "staging" and "production" are suggested. */
export const SUGGESTED_ALIASES = ['staging', 'production'] as const;
const ALIAS_RE = /^[a-z0-9][a-z0-9._-]{0,39}$/;

export function isValidAlias(alias: string): boolean {
  return ALIAS_RE.test(alias);
}

export async function listModels(db: PipetteDB, projectId: string): Promise<ModelVersionRecord[]> {
  const all = await db.models.where('projectId').equals(projectId).toArray();
  return all.sort((a, b) => b.version - a.version);
}

export async function listAliases(db: PipetteDB, projectId: string): Promise<AliasRecord[]> {
  return db.aliases.where('projectId').equals(projectId).toArray();
}

/**
 * Add a model version and its artifacts in one transaction, numbered after the project's versions. When
 * it comes from a run, the run remembers it (a run is saved at most once).
 */
export async function addModelVersion(
  db: PipetteDB,
  record: Omit<ModelVersionRecord, 'version' | 'createdAt' | 'weightBytes'>,
  artifacts: ModelArtifacts,
): Promise<ModelVersionRecord> {
  return db.transaction('rw', [db.models, db.modelArtifacts, db.runs], async () => {
    if (record.runId) {
      const run = await db.runs.get(record.runId);
      if (run?.modelId && (await db.models.get(run.modelId))) return (await db.models.get(run.modelId))!;
    }
    const siblings = await db.models.where('projectId').equals(record.projectId).toArray();
    const version = 1 + Math.max(0, ...siblings.map((m) => m.version));
    const full: ModelVersionRecord = { ...record, version, weightBytes: artifacts.weightData.byteLength, createdAt: Date.now() };
    await db.models.add(full);
    await db.modelArtifacts.add({ modelId: full.id, artifacts });
    if (record.runId) await db.runs.update(record.runId, { modelId: full.id, updatedAt: Date.now() });
    return full;
  });
}

/** The alias whose moves need a blessing (or a written override). */
export const GATED_ALIAS = 'production';

export interface SetAliasOptions {
  /** Promote to production without a blessing: the person's written reason (recorded). */
  overrideReason?: string;
}

/**
 * The dataset version a model learned from: its own lineage, else its nearest ancestor's (an optimized
 * variant or a copy inherits its parent's). null when there is none, e.g. an imported model.
 */
export async function trainingVersionOf(db: PipetteDB, record: ModelVersionRecord): Promise<string | null> {
  const seen = new Set<string>();
  for (let m: ModelVersionRecord | undefined = record; m && !seen.has(m.id); m = m.parentModelId ? await db.models.get(m.parentModelId) : undefined) {
    seen.add(m.id);
    const id = m.datasetVersionId ?? m.metadata.lineage.datasetVersionId;
    if (id && (await db.versions.get(id))) return id;
  }
  return null;
}

/**
 * Where a model version stands at the production gate:
 * - 'blessed': its evaluation blessed it and still holds;
 * - 'stale': it blessed it, but had relative thresholds and production has moved since: they compared
 *   with another version (or with none) than the one now aliased production;
 * - 'not-blessed', 'not-evaluated';
 * - 'other-data': it was evaluated, but only on other data than its own.
 */
export type PromotionState = 'blessed' | 'stale' | 'not-blessed' | 'not-evaluated' | 'other-data';

export interface Promotion {
  state: PromotionState;
  /**
   * The evaluation the gate reads: the latest one on the model's own dataset version (the one it or its
   * ancestor trained on, whose test rows the Evaluate stage uses by default). A model without one (an
   * import) has no data of its own, so its latest evaluation on any data counts.
   */
  evaluation?: EvaluationRecord;
  /** Stale: the production version the relative thresholds compared with, and production now (null: none). */
  comparedWith?: string | null;
  production?: string | null;
}

/** Whether a blessing no longer holds with `productionId` aliased production. Absolute-only blessings never go stale. */
export function isStaleBlessing(evaluation: EvaluationRecord, productionId: string | null): boolean {
  return evaluation.thresholds.some((t) => t.kind === 'relative') && evaluation.baselineModelId !== productionId;
}

/**
 * The gate's reading of a model version (pure, so the registry page shows exactly what the gate decides).
 * `evaluations` may hold other versions' too. The version production already points at is not stale:
 * its blessing is the one that put it there.
 */
export function promotionOf(modelId: string, evaluations: readonly EvaluationRecord[], ownVersionId: string | null, productionId: string | null): Promotion {
  const mine = evaluations.filter((e) => e.modelId === modelId);
  const counted = ownVersionId ? mine.filter((e) => e.datasetVersionId === ownVersionId) : mine;
  const evaluation = counted.sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!evaluation) return { state: mine.length ? 'other-data' : 'not-evaluated' };
  if (!evaluation.blessing.blessed) return { state: 'not-blessed', evaluation };
  if (productionId !== modelId && isStaleBlessing(evaluation, productionId)) {
    return { state: 'stale', evaluation, comparedWith: evaluation.baselineModelId, production: productionId };
  }
  return { state: 'blessed', evaluation };
}

/** Every model version's standing at the gate (the registry page's live query). */
export async function listPromotions(db: PipetteDB, projectId: string): Promise<Map<string, Promotion>> {
  const [models, evaluations, production] = await Promise.all([
    db.models.where('projectId').equals(projectId).toArray(),
    db.evaluations.where('projectId').equals(projectId).toArray(),
    db.aliases.get([projectId, GATED_ALIAS]),
  ]);
  const out = new Map<string, Promotion>();
  for (const m of models) out.set(m.id, promotionOf(m.id, evaluations, await trainingVersionOf(db, m), production?.modelId ?? null));
  return out;
}

/** "v3" for a model version id (null: none; a deleted version: "?"), for the gate's messages. */
async function versionParam(db: PipetteDB, id: string | null | undefined): Promise<number | string> {
  if (!id) return '';
  return (await db.models.get(id))?.version ?? '?';
}

/**
 * Point an alias at a model version (moving it from wherever it pointed). "production" is gated: the
 * evaluation the gate reads (see `Promotion`) must bless the version and, when it had relative
 * thresholds, must have compared them with the version production points at now; otherwise an override
 * reason must be written, which is recorded on the alias and on that evaluation. Other aliases are not
 * gated.
 */
export async function setAlias(db: PipetteDB, projectId: string, alias: string, modelId: string, options: SetAliasOptions = {}): Promise<void> {
  const name = alias.trim().toLowerCase();
  if (!isValidAlias(name)) throw new RecordError('bad-alias', { id: alias }, `"${alias}" is not a valid alias: use up to 40 lower-case letters, digits, '.', '_' or '-'`);
  const reason = options.overrideReason?.trim() ?? '';
  await db.transaction('rw', [db.models, db.aliases, db.evaluations, db.versions], async () => {
    const model = await db.models.get(modelId);
    if (!model || model.projectId !== projectId) throw missing('model-version', modelId);
    if (name !== GATED_ALIAS) {
      await db.aliases.put({ projectId, alias: name, modelId, updatedAt: Date.now() });
      return;
    }
    const production = (await db.aliases.get([projectId, GATED_ALIAS]))?.modelId ?? null;
    const evaluations = await db.evaluations.where('modelId').equals(modelId).toArray();
    const gate = promotionOf(modelId, evaluations, await trainingVersionOf(db, model), production);
    if (gate.state === 'blessed') {
      await db.aliases.put({ projectId, alias: name, modelId, updatedAt: Date.now() });
      return;
    }
    const latest = gate.evaluation;
    if (!reason) {
      const v = `Model version v${model.version}`;
      const params = { version: model.version };
      switch (gate.state) {
        case 'not-evaluated':
          throw new EvalError('not-evaluated', { params }, `${v} has not been evaluated: evaluate it and get a blessing, or write why it goes to production anyway`);
        case 'other-data':
          throw new EvalError('other-data', { params }, `${v} was evaluated only on other data than its own: a blessing counts for the data it was computed on, so evaluate it on its own test rows, or write why it goes to production anyway`);
        case 'not-blessed':
          throw new EvalError('not-blessed', { params }, `The latest evaluation of ${v} did not bless it: fix what failed, or write why it goes to production anyway`);
        case 'stale': {
          const compared = await versionParam(db, gate.comparedWith);
          const now = await versionParam(db, gate.production);
          const label = (x: number | string) => (x === '' ? 'none' : `v${x}`);
          throw new EvalError('stale-blessing', { params: { ...params, compared, production: now } }, `The blessing of ${v} is stale: its relative thresholds compared with production ${label(compared)}; production is now ${label(now)}. Evaluate it again, or write why it goes to production anyway`);
        }
      }
    }
    const at = Date.now();
    await db.aliases.put({ projectId, alias: name, modelId, updatedAt: at, override: { reason, evaluationId: latest?.id ?? null } });
    if (latest) await db.evaluations.update(latest.id, { override: { reason, at } });
  });
}

export async function removeAlias(db: PipetteDB, projectId: string, alias: string): Promise<void> {
  await db.aliases.delete([projectId, alias]);
}

/** The model version an alias points at, if any. */
export async function resolveAlias(db: PipetteDB, projectId: string, alias: string): Promise<ModelVersionRecord | undefined> {
  const a = await db.aliases.get([projectId, alias]);
  return a ? db.models.get(a.modelId) : undefined;
}

/** Delete a model version, its artifacts, its evaluations and the aliases pointing at it, in one transaction. */
export async function deleteModelVersion(db: PipetteDB, modelId: string): Promise<void> {
  await db.transaction('rw', [db.models, db.modelArtifacts, db.aliases, db.runs, db.evaluations], async () => {
    const model = await db.models.get(modelId);
    if (!model) return;
    await db.aliases.where('modelId').equals(modelId).delete();
    await db.evaluations.where('modelId').equals(modelId).delete();
    await db.modelArtifacts.delete(modelId);
    await db.models.delete(modelId);
    if (model.runId) {
      const run = await db.runs.get(model.runId);
      if (run?.modelId === modelId) await db.runs.update(model.runId, { modelId: undefined, updatedAt: Date.now() });
    }
  });
}
