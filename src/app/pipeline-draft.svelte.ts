/**
 * The pipeline editor's draft: one pipeline edited two ways, as a graph of components (core/pipeline/draft.ts's
 * operations) and as JSON text. The text is the document that is saved; a graph operation writes it anew,
 * and typed text that parses becomes the graph's draft (text that does not parse keeps the last draft that
 * did, and says why). Every problem of the draft (inspectPipeline) is kept at its component and port or
 * field, and an operation that is refused (a wire of the wrong kind, a cycle, a taken name) is shown at the
 * port or component it was tried on.
 */
import { inspectPipeline, type PipelineInspection } from '../core/pipeline/check';
import { addComponent, removeComponent, renameComponent, setSettings, unwireInput, wireInput } from '../core/pipeline/draft';
import { PipelineError, type PipelineErrorCode } from '../core/pipeline/errors';
import { parsePipeline, type ComponentSpec, type ComponentType, type PipelineSpec } from '../core/pipeline/spec';
import { listVersions } from '../store/datasets';
import { db } from '../store/db';
import { errorMessage } from './format';
import { live, type Live } from './live.svelte';
import { checkText, layoutDag } from './pipeline-view';

/** A refused operation, where it was tried. */
export interface Refusal {
  component: string;
  /** The input port, for a wire; absent for a rename. */
  port?: string;
  message: string;
}

export interface Issue {
  component: string;
  port?: string;
  /** A settings problem: the field's path under the settings ('' for the settings as a whole). */
  field?: string;
  message: string;
}

const SETTINGS_CODES: ReadonlySet<PipelineErrorCode> = new Set(['bad-settings', 'missing-setting', 'unknown-setting', 'bad-tune']);

/** What the forms offer: the project's datasets with their ready versions' columns, and its schema versions. */
export interface DraftChoices {
  datasets: { id: string; name: string; versions: { number: number; columns: string[] }[] }[];
  schemas: { id: string; version: number; note: string }[];
}

export class PipelineDraft {
  /** The JSON view's text: what is checked and saved. */
  text = $state('');
  /** The last text that parsed, as the graph shows it. */
  spec = $state.raw<PipelineSpec | null>(null);
  refusal = $state<Refusal | null>(null);
  /** The component whose panel is open (chosen in the graph or the list). */
  focused = $state<string | null>(null);
  readonly check = $derived(checkText(this.text));
  readonly problem = $derived(this.check.ok ? '' : errorMessage(this.check.error));
  readonly inspection: PipelineInspection | null = $derived(this.spec ? inspectPipeline(this.spec) : null);
  readonly layout = $derived(this.spec && this.inspection ? layoutDag({ spec: this.spec, levels: this.inspection.levels, edges: this.inspection.edges }) : null);
  /** Each problem where it is shown: a settings problem has the field's path, a wiring one its port. */
  readonly issues: Issue[] = $derived(
    (this.inspection?.problems ?? []).map((p) => ({
      component: p.details.component ?? '',
      port: p.details.port,
      field: SETTINGS_CODES.has(p.code) ? (p.details.field ?? '') : undefined,
      message: errorMessage(p),
    })),
  );
  /** Whether the text parses (else the graph shows the last draft that did). */
  parses = $state(true);
  readonly #choices: Live<DraftChoices>;

  constructor(projectId: () => string) {
    this.#choices = live(() => loadChoices(projectId()), { datasets: [], schemas: [] });
  }

  get choices(): DraftChoices {
    return this.#choices.value;
  }

  /** Start from a pipeline's JSON text. */
  open(text: string): void {
    this.refusal = null;
    this.focused = null;
    this.setText(text);
  }

  /** The JSON view typed: the graph follows when the text parses. */
  setText(text: string): void {
    this.text = text;
    try {
      this.spec = parsePipeline(text);
      this.parses = true;
    } catch {
      this.parses = false;
      // the graph keeps the last draft that parsed; `problem` says what is wrong with the text
    }
  }

  /** The messages of the draft's problems at a component's input port, or (no port) at the component itself, settings aside. */
  problemsAt(component: string, port?: string): string[] {
    return this.issues.filter((i) => i.component === component && i.port === port && i.field === undefined).map((i) => i.message);
  }

  /** The problems of a component's settings, by the field's path under them. */
  settingsIssues(component: string): { field: string; message: string }[] {
    return this.issues.flatMap((i) => (i.component === component && i.field !== undefined ? [{ field: i.field, message: i.message }] : []));
  }

  /** Whether anything is wrong at the component, its ports or its settings. */
  hasProblems(component: string): boolean {
    return this.issues.some((i) => i.component === component);
  }

  refusalAt(component: string, port?: string): string {
    return this.refusal && this.refusal.component === component && this.refusal.port === port ? this.refusal.message : '';
  }

  setName(name: string): void {
    this.apply((s) => ({ ...s, name }), { component: '' });
  }

  add(type: ComponentType): void {
    let id = '';
    this.apply((s) => {
      const added = addComponent(s, type);
      id = added.id;
      return added.spec;
    }, { component: '' });
    if (id) this.focused = id;
  }

  remove(id: string): void {
    this.apply((s) => removeComponent(s, id), { component: id });
    if (this.focused === id) this.focused = null;
  }

  /** Rename; refused (shown at the component) when the name is not an identifier or is taken. */
  rename(id: string, to: string): boolean {
    const done = this.apply((s) => renameComponent(s, id, to), { component: id });
    if (done && this.focused === id) this.focused = to;
    return done;
  }

  /** Wire `to`.`input` to "<from>.<port>", or unwire it (''). */
  wire(to: string, input: string, source: string): void {
    const dot = source.indexOf('.');
    this.apply((s) => (source === '' ? unwireInput(s, to, input) : wireInput(s, to, input, { from: source.slice(0, dot), port: source.slice(dot + 1) })), { component: to, port: input });
  }

  setSettings(id: string, settings: ComponentSpec['settings']): void {
    this.apply((s) => setSettings(s, id, settings), { component: id });
  }

  /** Run an operation on the draft; a PipelineError refuses it at `where` and leaves the draft as it was. */
  private apply(op: (spec: PipelineSpec) => PipelineSpec, where: Omit<Refusal, 'message'>): boolean {
    if (!this.spec) return false;
    try {
      const next = op(this.spec);
      this.spec = next;
      this.text = JSON.stringify(next, null, 2);
      this.parses = true;
      this.refusal = null;
      return true;
    } catch (e) {
      if (!(e instanceof PipelineError)) throw e;
      this.refusal = { ...where, message: errorMessage(e) };
      return false;
    }
  }
}

async function loadChoices(projectId: string): Promise<DraftChoices> {
  const [datasets, versions, schemas] = await Promise.all([db().datasets.where('projectId').equals(projectId).toArray(), listVersions(db(), projectId), db().schemas.where('projectId').equals(projectId).toArray()]);
  return {
    datasets: datasets
      .map((d) => ({
        id: d.id,
        name: d.name,
        versions: versions
          .filter((v) => v.datasetId === d.id)
          .map((v) => ({ number: v.version, columns: v.columns.map((c) => c.name) }))
          .sort((a, b) => b.number - a.number),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    schemas: schemas.sort((a, b) => b.version - a.version).map((s) => ({ id: s.id, version: s.version, note: s.note })),
  };
}
