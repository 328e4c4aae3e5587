/**
 * The Scope stage's form: the problem card as typed (a copy taken once, so live updates of the stored card
 * do not overwrite typing), its check, and saving it. Create it while a component initializes.
 */
import { untrack } from 'svelte';
import { listVersions } from '../store/datasets';
import { db, type Project, type Scope } from '../store/db';
import { saveScope } from '../store/projects';
import { live, type Live } from './live.svelte';

export class ScopeForm {
  draft: Scope;
  /** The baseline as typed; a number, or empty for none. */
  baselineText: string;
  status = $state<'idle' | 'saved' | 'bad-baseline'>('idle');
  /** Column names of the project's datasets, for choosing the target. */
  readonly columns: Live<string[]>;

  constructor(private readonly project: () => Project) {
    const initial = untrack(() => $state.snapshot(project().scope));
    this.draft = $state(structuredClone(initial));
    this.baselineText = $state(initial.baseline === null ? '' : String(initial.baseline));
    this.columns = live(async () => {
      const versions = await listVersions(db(), project().id);
      return [...new Set(versions.flatMap((v) => v.columns.map((c) => c.name)))].sort();
    }, [] as string[]);
  }

  async save(): Promise<void> {
    const text = this.baselineText.trim();
    const baseline = text === '' ? null : Number(text);
    if (baseline !== null && !Number.isFinite(baseline)) {
      this.status = 'bad-baseline';
      return;
    }
    await saveScope(db(), this.project().id, { ...$state.snapshot(this.draft), baseline });
    this.status = 'saved';
  }
}
