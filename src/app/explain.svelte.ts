/**
 * Page state of the Evaluate stage's Fairness and Explain tabs; everything is computed in the training
 * worker. Each tab asks for the model's explain setup (rows, features, sensitive columns) only once it was
 * first opened: the Evaluate page keeps hidden tabs mounted. Create these while a component initializes,
 * with a getter of the component's props (read property by property, so each effect follows only what it
 * reads).
 */
import type {
  CounterfactualResult,
  ExplainProgress,
  ExplainSetup,
  FairnessResult,
  ImportanceResult,
  IntegratedGradientsResult,
  RowDetail,
  RowPrediction,
  ShapResult,
} from '../protocol/explain';
import { trainWorker } from './workers';
import { Job } from './workers/job.svelte';

/** What a tab explains, and whether it is the tab on screen. */
export interface ExplainTab {
  readonly modelId: string;
  readonly datasetVersionId: string | null;
  readonly active: boolean;
}

/** A row's stored values as the form's text. */
const asText = (values: RowDetail['values']): Record<string, string> =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === null ? '' : String(v)]));

/**
 * The explain setup of the tab's model and data, asked for once the tab was first opened and again when
 * either changes (`reset` clears what belonged to the previous one; an older answer is dropped).
 */
class SetupLoader {
  setup = $state.raw<ExplainSetup | null>(null);
  error = $state.raw<unknown>(null);
  #opened = $state(false);

  constructor(tab: () => ExplainTab, reset: () => void, loaded: (s: ExplainSetup) => void = () => {}) {
    $effect(() => {
      if (tab().active) this.#opened = true;
    });
    $effect(() => {
      if (!this.#opened) return;
      const { modelId, datasetVersionId } = tab();
      const target = { modelId, datasetVersionId };
      let current = true;
      this.setup = null;
      this.error = null;
      reset();
      trainWorker.api.explainSetup(target).then(
        (s) => {
          if (!current) return;
          this.setup = s;
          loaded(s);
        },
        (e) => current && (this.error = e),
      );
      return () => (current = false);
    });
  }
}

/** Fairness indicators: a sensitive column and a positive class; rates per group at thresholds 0.1 to 0.9. */
export class FairnessState {
  readonly #loader: SetupLoader;
  column = $state('');
  positive = $state('');
  result = $state.raw<FairnessResult | null>(null);
  error = $state.raw<unknown>(null);
  busy = $state(false);
  thresholdIndex = $state(4);
  readonly at = $derived(this.result?.report.thresholds[this.thresholdIndex] ?? null);

  constructor(private readonly tab: () => ExplainTab) {
    this.#loader = new SetupLoader(
      tab,
      () => {
        this.result = null;
        this.error = null;
      },
      (s) => {
        // a column named like "sex" or "gender" first: the usual question; else the first candidate
        this.column = (s.sensitiveColumns.find((c) => /sex|gender/i.test(c.column)) ?? s.sensitiveColumns[0])?.column ?? '';
        this.positive = s.classes?.[0] ?? '';
      },
    );
  }

  get setup(): ExplainSetup | null {
    return this.#loader.setup;
  }

  get setupError(): unknown {
    return this.#loader.error;
  }

  async run(): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      const { modelId, datasetVersionId } = this.tab();
      const result = await trainWorker.api.fairness({ modelId, datasetVersionId, sensitiveColumn: this.column, positiveClass: this.positive });
      this.result = result;
      const middle = result.report.thresholds.findIndex((x) => Math.abs(x.threshold - 0.5) < 1e-9);
      this.thresholdIndex = middle >= 0 ? middle : 0;
    } catch (e) {
      this.result = null;
      this.error = e;
    } finally {
      this.busy = false;
    }
  }
}

/**
 * Explanations: global permutation importance; for one evaluation row, integrated gradients (with the
 * completeness check), KernelSHAP (tabular models) and the What-If form's values.
 */
export class ExplainState {
  readonly #loader: SetupLoader;
  onlyWrong = $state(false);
  readonly importance = new Job<ImportanceResult, ExplainProgress>(trainWorker);

  /** The row explained. */
  selected = $state<number | null>(null);
  detail = $state.raw<RowDetail | null>(null);
  detailError = $state.raw<unknown>(null);
  /** The What-If form's values as text, by column. */
  values = $state<Record<string, string>>({});
  ig = $state.raw<IntegratedGradientsResult | null>(null);
  /** Whether the shown attributions are of edited values rather than the stored row. */
  igOfEdited = $state(false);
  shapOfEdited = $state(false);
  igError = $state.raw<unknown>(null);
  igBusy = $state(false);
  readonly shap = new Job<ShapResult, ExplainProgress>(trainWorker);

  readonly tabular = $derived(this.setup?.inputKind === 'tabular');
  readonly rows = $derived.by(() => {
    const s = this.setup;
    if (!s) return [];
    return this.onlyWrong ? s.rows.filter((r) => r.actual !== null && r.actual !== r.predicted) : s.rows;
  });
  readonly #stored = $derived(this.detail ? asText(this.detail.values) : {});
  /** Whether any What-If value differs from the stored row. */
  readonly edited = $derived(Object.keys(this.#stored).some((k) => this.values[k] !== this.#stored[k]));
  /** Integrated gradients' attributions add up to f(x) - f(baseline) within 5 %. */
  readonly igWithin = $derived(this.ig ? this.ig.relativeError <= 0.05 : false);

  constructor(private readonly tab: () => ExplainTab) {
    this.#loader = new SetupLoader(tab, () => {
      this.importance.clear();
      this.selected = null;
      this.detail = null;
    });
  }

  get setup(): ExplainSetup | null {
    return this.#loader.setup;
  }

  get setupError(): unknown {
    return this.#loader.error;
  }

  runImportance(): void {
    const { modelId, datasetVersionId } = this.tab();
    void this.importance.start((jobId, onProgress) => trainWorker.api.featureImportance({ modelId, datasetVersionId, jobId }, onProgress));
  }

  /** Explain another row: its details, then (not for token models) its integrated gradients. */
  async pick(row: number): Promise<void> {
    this.selected = row;
    this.detail = null;
    this.detailError = null;
    this.ig = null;
    this.igError = null;
    this.shap.clear();
    try {
      const { modelId, datasetVersionId } = this.tab();
      const d = await trainWorker.api.rowDetail({ modelId, datasetVersionId, row });
      if (this.selected !== row) return;
      this.detail = d;
      this.resetValues();
      if (this.setup?.inputKind !== 'tokens') void this.runIg();
    } catch (e) {
      this.detailError = e;
    }
  }

  /** The What-If form back to the stored row. */
  resetValues(): void {
    if (this.detail) this.values = asText(this.detail.values);
  }

  /** The values explained: the edited ones, or the stored row. */
  request() {
    const { modelId, datasetVersionId } = this.tab();
    return { modelId, datasetVersionId, row: this.detail!.row, values: this.edited ? $state.snapshot(this.values) : null };
  }

  async runIg(): Promise<void> {
    this.igBusy = true;
    this.igError = null;
    try {
      const req = this.request();
      this.ig = await trainWorker.api.integratedGradients(req);
      this.igOfEdited = req.values !== null;
    } catch (e) {
      this.ig = null;
      this.igError = e;
    } finally {
      this.igBusy = false;
    }
  }

  async runShap(): Promise<void> {
    const req = this.request();
    if (await this.shap.start((jobId, onProgress) => trainWorker.api.kernelShap({ ...req, jobId }, onProgress))) this.shapOfEdited = req.values !== null;
  }
}

/**
 * What-If of the explained row: every edit asks for a new prediction (answers to older edits are
 * dropped), and "nearest example" finds the closest evaluation row the model predicts differently.
 */
export class WhatIfState {
  prediction = $state.raw<RowPrediction | null>(null);
  error = $state.raw<unknown>(null);
  counterfactual = $state.raw<CounterfactualResult | null>(null);
  cfError = $state.raw<unknown>(null);
  cfBusy = $state(false);
  #asked = 0;

  constructor(
    private readonly explain: () => ExplainState,
    detail: () => RowDetail,
  ) {
    // a new row: its stored prediction, no counterfactual yet
    $effect(() => {
      this.prediction = detail().prediction;
      this.counterfactual = null;
      this.cfError = null;
    });
  }

  async predict(): Promise<void> {
    const ticket = ++this.#asked;
    this.counterfactual = null;
    try {
      const p = await trainWorker.api.whatIf({ ...this.explain().request(), values: $state.snapshot(this.explain().values) });
      if (ticket !== this.#asked) return;
      this.prediction = p;
      this.error = null;
    } catch (e) {
      if (ticket === this.#asked) this.error = e;
    }
  }

  reset(): void {
    this.explain().resetValues();
    void this.predict();
  }

  async findCounterfactual(): Promise<void> {
    this.cfBusy = true;
    this.cfError = null;
    try {
      this.counterfactual = await trainWorker.api.nearestCounterfactual(this.explain().request());
    } catch (e) {
      this.counterfactual = null;
      this.cfError = e;
    } finally {
      this.cfBusy = false;
    }
  }
}
