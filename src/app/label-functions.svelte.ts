/**
 * Page state of the labeling functions of one dataset version: the stored functions and the editor's form,
 * a run in the data worker (code functions in the sandboxed LF worker it starts) with its analysis, saving
 * its labels as a label set, and the newest end model trained on such a set.
 */
import * as Comlink from 'comlink';
import type { LfRunOutcome } from '../protocol/label';
import { addSpamDemoFunctions, deleteLabelingFunction, hasSpamColumns, listLabelingFunctions, saveLabelingFunction } from '../services/label-store';
import { db, type DatasetVersion } from '../store/db';
import type { LabelingFunctionRecord } from '../store/label-records';
import type { RunRecord } from '../store/training-records';
import { n, t } from './i18n.svelte';
import { blankDraft, draftFromSpec, draftToSpec, goldSource, isProblem, lfColumns, type LfDraft } from './lf-draft';
import { live, type Live } from './live.svelte';
import { router } from './router.svelte';
import { draft as trainDraft } from './train.svelte';
import { dataWorker } from './workers';
import { Job } from './workers/job.svelte';

export interface FunctionsProps {
  projectId: string;
  version: DatasetVersion;
}

/** Create while a component initializes (it holds live queries); `props` is read reactively. */
export class LabelFunctions {
  readonly records: Live<LabelingFunctionRecord[]>;
  readonly #runs: Live<RunRecord[]>;
  readonly cols = $derived.by(() => lfColumns(this.props().version.columns));
  readonly spamReady = $derived.by(() => hasSpamColumns(this.props().version.columns.map((c) => c.name)));

  // ---- the editor
  draft = $state<LfDraft | null>(null);
  draftError = $state('');
  notice = $state('');

  // ---- running
  goldKey = $state('manual');
  timeoutSeconds = $state(5);
  readonly job = new Job<LfRunOutcome, { done: number; total: number }>(dataWorker);
  /** The last finished run stays on screen while a new one runs (and after a cancel), with its stamp. */
  result = $state.raw<LfRunOutcome | null>(null);
  runStamp = $state('');
  /** Changes whenever a function is added, edited or deleted: a result with another stamp is stale. */
  readonly stamp = $derived.by(() => this.records.value.map((r) => `${r.id}:${r.updatedAt}`).join('|'));

  // ---- saving a label set
  saved = $state('');
  saveError = $state.raw<unknown>(null);
  /** The set just saved and the gold column of its run, for "Train an end model on these labels". */
  savedSet = $state.raw<{ id: string; gold: string | null } | null>(null);

  /**
   * End-model runs trained on a label set of this version and scored with a gold column: the newest one
   * joins the table (scored on its own test rows, which the note says).
   */
  readonly endRun = $derived.by(() => {
    const versionId = this.props().version.id;
    return this.#runs.value.filter((r) => r.datasetVersionId === versionId && r.status === 'done' && r.weakSupervision).sort((a, b) => b.createdAt - a.createdAt)[0];
  });

  constructor(private readonly props: () => FunctionsProps) {
    this.records = live(() => listLabelingFunctions(db(), props().projectId), [] as LabelingFunctionRecord[]);
    this.#runs = live(() => db().runs.where('projectId').equals(props().projectId).toArray(), [] as RunRecord[]);
  }

  add(): void {
    this.draft = blankDraft(this.cols);
    this.draftError = '';
  }

  edit(r: LabelingFunctionRecord): void {
    this.draft = draftFromSpec({ ...r.spec, id: r.id, name: r.name }, this.cols);
    this.draftError = '';
  }

  closeEditor(): void {
    this.draft = null;
  }

  async saveDraft(): Promise<void> {
    if (!this.draft) return;
    const spec = draftToSpec(this.draft, this.records.value.length);
    if (isProblem(spec)) {
      this.draftError = t(spec.key, spec.params);
      return;
    }
    this.draftError = '';
    await saveLabelingFunction(db(), this.props().projectId, spec);
    this.draft = null;
  }

  remove(id: string): Promise<void> {
    return deleteLabelingFunction(db(), id);
  }

  async loadSpam(): Promise<void> {
    const { added } = await addSpamDemoFunctions(db(), this.props().projectId);
    this.notice = t('label.lf.loadedSpam', { count: added });
  }

  async run(): Promise<void> {
    this.saved = '';
    const at = this.stamp;
    const { projectId, version } = this.props();
    const req = { projectId, versionId: version.id, gold: goldSource(this.goldKey), timeoutMs: Math.max(0.1, this.timeoutSeconds) * 1000 };
    const out = await this.job.start((jobId, onProgress) =>
      dataWorker.api.runLabelingFunctions({ ...req, jobId }, Comlink.proxy((done: number, total: number) => onProgress({ done, total }))),
    );
    if (out) {
      this.result = out;
      this.runStamp = at;
    }
  }

  /** Keep the last run's labels (majority vote or the label model's) as a new label-set version. */
  async save(kind: 'majority-vote' | 'label-model'): Promise<void> {
    const result = this.result;
    if (!result) return;
    this.saved = '';
    this.saveError = null;
    this.savedSet = null;
    try {
      const set = await dataWorker.api.saveWeakLabels(result.runId, kind);
      this.saved = t('label.lm.saved', { n: set.version, rows: n(set.data.rows.length) });
      this.savedSet = { id: set.id, gold: result.gold.kind === 'column' ? result.gold.column : null };
    } catch (e) {
      this.saveError = e;
    }
  }

  /** Open the Train stage with a new run on the set just saved. */
  trainEndModel(): void {
    if (!this.savedSet) return;
    const { projectId, version } = this.props();
    trainDraft.useLabelSet(projectId, version, this.savedSet.id, this.savedSet.gold);
    router.go({ page: 'project', projectId, stage: 'train' });
  }
}
