/**
 * The served models: each name has versions (positive integers) and labels (a label names one version;
 * the registry's aliases, e.g. production, are labels). A request names the latest version, a version or
 * a label; what it names is found here or refused with TF Serving's NOT_FOUND text. TF Serving answers an
 * unknown label with INVALID_ARGUMENT (400, "Unrecognized servable version label"); here it is 404, as
 * issue 15 asks, with the same words.
 */
import { notFound } from './errors';
import type { VersionChoice } from './route';
import type { ServableModel } from './types';

export interface ModelEntry {
  versions: Map<number, ServableModel>;
  labels: Map<string, number>;
}

export interface Resolved {
  name: string;
  version: number;
  model: ServableModel;
}

function describe(name: string, choice: VersionChoice): string {
  return choice.kind === 'version' ? `Specific(${name}, ${choice.version})` : `Latest(${name})`;
}

export class ServedModels {
  private readonly entries = new Map<string, ModelEntry>();

  /** Add (or replace) a version; the replaced model is returned so its owner can dispose of it. */
  setVersion(name: string, version: number, model: ServableModel): ServableModel | undefined {
    let entry = this.entries.get(name);
    if (!entry) {
      entry = { versions: new Map(), labels: new Map() };
      this.entries.set(name, entry);
    }
    const old = entry.versions.get(version);
    entry.versions.set(version, model);
    return old;
  }

  /** Remove a version (its labels go with it); the removed model is returned. */
  removeVersion(name: string, version: number): ServableModel | undefined {
    const entry = this.entries.get(name);
    const old = entry?.versions.get(version);
    if (!entry || !old) return undefined;
    entry.versions.delete(version);
    for (const [label, v] of entry.labels) if (v === version) entry.labels.delete(label);
    if (entry.versions.size === 0) this.entries.delete(name);
    return old;
  }

  setLabel(name: string, label: string, version: number): void {
    const entry = this.entries.get(name);
    if (!entry?.versions.has(version)) throw new Error(`model ${name} has no version ${version} to label "${label}"`);
    entry.labels.set(label, version);
  }

  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** A model's versions, oldest first ([] for an unknown name). */
  versions(name: string): number[] {
    return [...(this.entries.get(name)?.versions.keys() ?? [])].sort((a, b) => a - b);
  }

  labels(name: string): Record<string, number> {
    return Object.fromEntries(this.entries.get(name)?.labels ?? []);
  }

  /** The version a request names, or TF Serving's "Servable not found for request: ..." (404). */
  resolve(name: string, choice: VersionChoice): Resolved {
    const entry = this.entries.get(name);
    if (choice.kind === 'label') {
      const version = entry?.labels.get(choice.label);
      if (version === undefined) throw notFound(`Unrecognized servable version label: ${choice.label}`);
      return { name, version, model: entry!.versions.get(version)! };
    }
    const version = choice.kind === 'version' ? choice.version : Math.max(...(entry?.versions.keys() ?? []));
    const model = entry?.versions.get(version);
    if (!model) throw notFound(`Servable not found for request: ${describe(name, choice)}`);
    return { name, version, model };
  }

  /** The versions a status request lists, or TF Serving's NOT_FOUND text. */
  statusVersions(name: string, choice: VersionChoice): number[] {
    const versions = this.versions(name);
    if (choice.kind === 'latest') {
      if (versions.length === 0) throw notFound(`Could not find any versions of model ${name}`);
      return versions;
    }
    if (choice.kind === 'version') {
      if (!versions.includes(choice.version)) throw notFound(`Could not find version ${choice.version} of model ${name}`);
      return [choice.version];
    }
    return [this.resolve(name, choice).version];
  }
}
