/**
 * The model registry's store operations: immutable model versions, aliases, deletion. Dexie only (no
 * TF.js), so the page calls these directly; making a version from a run, exporting and importing need
 * TF.js and live in registry-model.ts (training worker).
 */
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

/** A model version's most recent evaluation, if any. */
export async function latestEvaluation(db: PipetteDB, modelId: string): Promise<EvaluationRecord | undefined> {
  const all = await db.evaluations.where('modelId').equals(modelId).toArray();
  return all.sort((a, b) => b.createdAt - a.createdAt)[0];
}

/**
 * Point an alias at a model version (moving it from wherever it pointed). "production" is gated: the
 * version's latest evaluation must be blessed, or an override reason must be written; the override is
 * recorded on the alias and on that evaluation. Other aliases are not gated.
 */
export async function setAlias(db: PipetteDB, projectId: string, alias: string, modelId: string, options: SetAliasOptions = {}): Promise<void> {
  const name = alias.trim().toLowerCase();
  if (!isValidAlias(name)) throw new Error(`"${alias}" is not a valid alias: use up to 40 lower-case letters, digits, '.', '_' or '-'`);
  const reason = options.overrideReason?.trim() ?? '';
  await db.transaction('rw', [db.models, db.aliases, db.evaluations], async () => {
    const model = await db.models.get(modelId);
    if (!model || model.projectId !== projectId) throw new Error(`Model version ${modelId} does not exist`);
    if (name !== GATED_ALIAS) {
      await db.aliases.put({ projectId, alias: name, modelId, updatedAt: Date.now() });
      return;
    }
    const latest = await latestEvaluation(db, modelId);
    if (latest?.blessing.blessed) {
      await db.aliases.put({ projectId, alias: name, modelId, updatedAt: Date.now() });
      return;
    }
    if (!reason) {
      const details = { params: { version: model.version } };
      if (!latest) throw new EvalError('not-evaluated', details, `Model version v${model.version} has not been evaluated: evaluate it and get a blessing, or write why it goes to production anyway`);
      throw new EvalError('not-blessed', details, `The latest evaluation of model version v${model.version} did not bless it: fix what failed, or write why it goes to production anyway`);
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
