/**
 * The registry as the tab's TF Serving routes see it (issue 15): a model name is served with every
 * version of that name in the project (the registry's version numbers) and the project's aliases of
 * those versions as its labels. Dexie records only, no TF.js: the Deploy page lists the same thing the
 * training worker serves.
 */
import type { AliasRecord, ModelVersionRecord } from '../store/training-records';

export interface ServedVersion {
  version: number;
  modelId: string;
  record: ModelVersionRecord;
}

export interface ServedName {
  name: string;
  /** Oldest first. */
  versions: ServedVersion[];
  /** Label (alias) -> version number. */
  labels: Record<string, number>;
}

/** The served names of a project's model versions, by name. */
export function servedNames(models: readonly ModelVersionRecord[], aliases: readonly AliasRecord[]): ServedName[] {
  const byName = new Map<string, ServedName>();
  for (const record of [...models].sort((a, b) => a.version - b.version)) {
    let entry = byName.get(record.name);
    if (!entry) byName.set(record.name, (entry = { name: record.name, versions: [], labels: {} }));
    entry.versions.push({ version: record.version, modelId: record.id, record });
  }
  const byId = new Map(models.map((m) => [m.id, m]));
  for (const alias of [...aliases].sort((a, b) => a.alias.localeCompare(b.alias))) {
    const record = byId.get(alias.modelId);
    if (record) byName.get(record.name)!.labels[alias.alias] = record.version;
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The file name a version's bundle zip is exported under (the Deploy page's curl example names it). */
export function bundleFileName(name: string, version: number): string {
  const slug = name.normalize('NFKD').replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'model';
  return `${slug}-v${version}.zip`;
}
