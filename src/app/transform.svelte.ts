/**
 * Page state of the Transform stage: the data a transform is analyzed on (dataset version, label column,
 * seed: the Train stage's split), the step list being edited with its JSON view and its check
 * (`TransformDraftState`), analyzing and importing as `Job`s in the data worker, the project's transform
 * versions (a live query), and one version's view: its preview and export (`TransformVersionView`).
 * Create these while a component initializes; `props` functions are read reactively.
 */
import { untrack } from 'svelte';
import { DEFAULT_FRACTIONS } from '../core/model/split';
import { TransformError } from '../core/transform/errors';
import type { TransformPreview, AnalyzeProgress } from '../protocol/transform';
import { db, type DatasetVersion } from '../store/db';
import type { TransformRecord } from '../store/transform-records';
import { downloadText } from './download';
import { errorMessage } from './format';
import { t } from './i18n.svelte';
import { isMessageKey } from './i18n/catalog';
import { live, type Live } from './live.svelte';
import { href } from './router.svelte';
import { StageVersions } from './stage-versions.svelte';
import { defaultLabel } from './train-presets';
import * as draft from './transform-draft';
import type { DraftStep } from './transform-draft';
import type { TransformOp } from '../core/transform/spec';
import { dataWorker } from './workers';
import { Job } from './workers/job.svelte';

/** Rows the preview shows. */
export const PREVIEW_ROWS = 20;

/** errorMessage, and for a file that is not a fitted transform, what is wrong with it. */
export function transformErrorText(e: unknown): string {
  const message = errorMessage(e);
  if (!(e instanceof TransformError) || e.code !== 'bad-fitted') return message;
  const key = `transform.why.bad-fitted.${String(e.details.params?.why)}`;
  return isMessageKey(key) ? t('transform.error.bad-fitted.why', { message, why: t(key) }) : message;
}

/** The step list, its JSON view and its check against the chosen version's columns. */
export class TransformDraftState {
  steps = $state<DraftStep[]>([]);
  /** The JSON view: open or not, its text while edited, what was wrong with the last text applied. */
  jsonOpen = $state(false);
  jsonText = $state('');
  jsonProblem = $state('');

  /** checkSpec on the steps: a refusal names the step and the column. */
  readonly check = $derived.by(() => draft.checkDraft($state.snapshot(this.steps), this.columns(), this.label()));
  readonly problem = $derived.by(() => (this.check.ok ? '' : errorMessage(this.check.error)));

  /** `label`: the split's label column (null: none), which no step may read. */
  constructor(
    private readonly columns: () => DatasetVersion['columns'],
    private readonly label: () => string | null = () => null,
  ) {}

  /** Plain steps (the $state proxies cannot be cloned to a worker). */
  snapshot(): DraftStep[] {
    return $state.snapshot(this.steps);
  }

  add(op: TransformOp): void {
    draft.addStep(this.steps, op, this.columns());
  }

  isOutput(index: number): boolean {
    return draft.isOutput(this.steps, index);
  }

  /** Flip the "model feature" toggle: from then on set by hand. */
  toggleOutput(index: number): void {
    this.steps[index]!.output = !this.isOutput(index);
  }

  inputOptions(index: number): draft.InputOption[] {
    return draft.inputOptions(this.snapshot(), index, this.columns());
  }

  openJson(): void {
    this.jsonText = draft.specText(this.snapshot());
    this.jsonProblem = '';
    this.jsonOpen = true;
  }

  /** Take the JSON view's text (a spec, or a whole transform.json) as the steps; true if it was one. */
  applyJson(text = this.jsonText): boolean {
    const parsed = draft.parseSpecText(text);
    if ('notJson' in parsed) {
      this.jsonProblem = t('transform.json.notJson', { detail: parsed.notJson });
      return false;
    }
    if ('error' in parsed) {
      this.jsonProblem = errorMessage(parsed.error);
      return false;
    }
    this.steps = parsed.steps;
    this.jsonText = draft.specText(parsed.steps);
    this.jsonProblem = '';
    return true;
  }

  async importFile(file: File): Promise<void> {
    const text = await file.text();
    this.jsonOpen = true;
    this.jsonText = text;
    this.applyJson(text);
  }

  exportFile(name: string): void {
    downloadText(`${name.trim() || 'transform'}.spec.json`, `${draft.specText(this.snapshot())}\n`);
  }
}

export class TransformPageState {
  readonly versions: StageVersions;
  /** The dataset version picked ('' or a vanished one: the default), the label column (null: the default), the seed. */
  chosenId = $state('');
  labelChoice = $state<string | null>(null);
  seed = $state<number | null>(42);
  /** The Train stage's default fractions (the split a model trained on this transform uses). */
  readonly fractions = DEFAULT_FRACTIONS;
  /** The transform's name and the version it was edited from. */
  name = $state('transform');
  parentId = $state<string | null>(null);
  /** The version shown ('' : the newest). */
  viewId = $state('');

  readonly draft: TransformDraftState;
  readonly analysis = new Job<TransformRecord, AnalyzeProgress>(dataWorker);
  readonly importing = new Job<TransformRecord, AnalyzeProgress>(dataWorker);
  readonly #transforms: Live<TransformRecord[]>;

  /** The version picked, or by default the newest version of the first dataset. */
  readonly selectedId = $derived.by(() => this.versions.chosenOrDefault(this.chosenId));
  readonly selected = $derived.by(() => this.versions.find(this.selectedId));
  readonly columns = $derived.by(() => this.selected?.columns ?? []);
  /** Columns the split can be stratified by (what the Train stage takes as a label). */
  readonly labelOptions = $derived.by(() => this.columns.filter((c) => c.type !== 'image' && c.type !== 'datetime'));
  readonly label = $derived.by(() => {
    if (this.labelChoice !== null) return this.labelOptions.some((c) => c.name === this.labelChoice) ? this.labelChoice : '';
    const guess = defaultLabel(this.columns, this.props().target);
    return this.labelOptions.some((c) => c.name === guess) ? guess : '';
  });
  readonly seedOk = $derived.by(() => this.seed !== null && Number.isInteger(this.seed) && this.seed >= 0 && this.seed <= 0xffffffff);
  /**
   * With no label chosen, a step reading the project's target column is said (not refused: the split has
   * no label), since a model trained on this transform could not take that column as its label.
   */
  readonly labelWarning = $derived.by(() => {
    const reading = draft.targetReading(this.draft.snapshot(), this.columns, this.label, this.props().target);
    return reading ? t('transform.labelWarning', reading) : '';
  });
  readonly canAnalyze = $derived.by(() => this.draft.check.ok && this.seedOk && this.selected !== undefined && this.name.trim() !== '');

  /** The project's transform versions, newest first. */
  readonly transforms = $derived.by(() => [...this.#transforms.value].sort((a, b) => b.createdAt - a.createdAt));
  readonly viewed = $derived.by(() => this.transforms.find((r) => r.id === this.viewId) ?? this.transforms[0]);
  /** The version the steps were edited from. */
  readonly parent = $derived.by(() => this.transforms.find((r) => r.id === this.parentId));

  constructor(private readonly props: () => { projectId: string; target: string }) {
    this.versions = new StageVersions(() => props().projectId);
    this.draft = new TransformDraftState(
      () => this.columns,
      () => this.label || null,
    );
    this.#transforms = live(() => db().transforms.where('projectId').equals(props().projectId).toArray(), [] as TransformRecord[]);
  }

  get loading(): boolean {
    return this.#transforms.loading;
  }

  /** "penguins v2" for a dataset version id, or '' once it is gone. */
  versionName(id: string): string {
    const v = this.versions.find(id);
    return v ? this.versions.versionName(v) : '';
  }

  #choice() {
    return { projectId: this.props().projectId, datasetVersionId: this.selectedId, labelColumn: this.label || null, seed: this.seed ?? 42, fractions: { ...this.fractions } };
  }

  /** Fit the steps on the training rows and store the version; it is shown, and later edits derive from it. */
  async analyze(): Promise<void> {
    if (!this.canAnalyze) return;
    const req = { ...this.#choice(), name: this.name.trim(), parentId: this.parentId, spec: draft.toSpec(this.draft.snapshot()) };
    const record = await this.analysis.start((jobId, onProgress) => dataWorker.api.analyzeTransform({ jobId, ...req }, onProgress));
    if (record) this.#show(record);
  }

  /** Store a transform.json as a version as it is, its statistics on the chosen version's training rows. */
  async importVersion(file: File): Promise<void> {
    if (!this.selected || !this.seedOk) return;
    const text = await file.text();
    const name = file.name.replace(/(-v\d+)?(\.transform)?\.json$/i, '') || 'transform';
    const req = { ...this.#choice(), name, fileName: file.name, text };
    const record = await this.importing.start((jobId, onProgress) => dataWorker.api.importTransform({ jobId, ...req }, onProgress));
    if (record) this.#show(record);
  }

  #show(record: TransformRecord): void {
    this.viewId = record.id;
    this.name = record.name;
    this.parentId = record.id;
  }

  /** Edit a version further: its steps, name, data and split come back into the form. */
  editFrom(record: TransformRecord): void {
    const steps = draft.fromSpec(record.fitted.spec);
    if (Array.isArray(steps)) this.draft.steps = steps;
    this.draft.jsonOpen = false;
    this.name = record.name;
    this.parentId = record.id;
    this.chosenId = record.source.datasetVersionId;
    this.labelChoice = record.source.labelColumn ?? '';
    this.seed = record.source.split.seed;
    this.analysis.clear();
  }
}

/** One version's view: the preview of its first rows (in the data worker) and its export. */
export class TransformVersionView {
  readonly preview = new Job<TransformPreview>(dataWorker);
  exportError = $state('');

  constructor(private readonly props: () => { record: TransformRecord | undefined }) {
    $effect(() => {
      const id = props().record?.id;
      untrack(() => {
        if (id) void this.preview.start(() => dataWorker.api.previewTransform(id, PREVIEW_ROWS));
        else this.preview.clear();
      });
    });
  }

  /** The Train stage, opened with this transform chosen. */
  trainHref(): string {
    const record = this.props().record;
    return record ? href({ page: 'project', projectId: record.projectId, stage: 'train', query: { transform: record.id } }) : '';
  }

  async exportJson(): Promise<void> {
    const record = this.props().record;
    if (!record) return;
    this.exportError = '';
    try {
      const { fileName, text } = await dataWorker.api.exportTransform(record.id);
      downloadText(fileName, text);
    } catch (e) {
      this.exportError = errorMessage(e);
    }
  }
}
