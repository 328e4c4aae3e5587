/**
 * The Optimize stage's forms: their fields, the first problem with them (a message naming the field, or
 * '' when they are fine), and starting the job they describe. The worker checks every setting again
 * (core/optimize throws OptimizeErrors naming the field); these checks only keep a bad form from starting.
 */
import type { DistillWarning } from '../core/optimize/distill';
import { parseHiddenSizes, specParams, studentSpec, type StudentChoice } from '../core/optimize/student';
import type { FineTuneSettings } from '../protocol/optimize';
import type { ModelVersionRecord } from '../store/training-records';
import { errorMessage } from './format';
import { n, t, tKnown } from './i18n.svelte';
import { optimizing } from './optimize.svelte';

const label = (field: string) => tKnown(`optimize.field.${field}`);

/** A finished distillation's warning (core/optimize/distill.ts, by code) in the person's language. */
export function distillWarningText(w: DistillWarning): string {
  return t('optimize.distill.warning', { message: t(`optimize.distill.warning.${w.code}`, { student: n(w.params.student), teacher: n(w.params.teacher) }) });
}

export function sparsityIssue(field: 'initialSparsity' | 'finalSparsity', v: number | null): string {
  return typeof v === 'number' && v >= 0 && v < 1 ? '' : t('optimize.form.sparsityRange', { field: label(field) });
}

export function wholeIssue(field: string, v: number | null, min: number): string {
  return typeof v === 'number' && Number.isInteger(v) && v >= min ? '' : t('optimize.form.wholeNumber', { field: label(field), min });
}

export function positiveIssue(field: string, v: number | null): string {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? '' : t('optimize.form.positive', { field: label(field) });
}

/** The fine-tuning fields of pruning and distillation (Adam). */
export interface TrainingDraft {
  epochs: number | null;
  learningRate: number | null;
  batchSize: number | null;
}

/** The first problem of the fields, or ''. */
export function trainingIssue(v: TrainingDraft): string {
  return wholeIssue('epochs', v.epochs, 1) || positiveIssue('learningRate', v.learningRate) || wholeIssue('batchSize', v.batchSize, 1);
}

export function trainingSettings(v: TrainingDraft): FineTuneSettings {
  return { optimizer: 'adam', epochs: v.epochs!, learningRate: v.learningRate!, batchSize: v.batchSize! };
}

/** Magnitude pruning with fine-tuning: the schedule, the training, and whether to quantize the result too. */
export class PruneForm {
  initial = $state<number | null>(0);
  final = $state<number | null>(0.5);
  begin = $state<number | null>(0);
  end = $state<number | null>(40);
  frequency = $state<number | null>(10);
  thenQuantize = $state(true);
  training = $state<TrainingDraft>({ epochs: 4, learningRate: 0.001, batchSize: 32 });

  readonly issue = $derived(
    sparsityIssue('initialSparsity', this.initial) ||
      sparsityIssue('finalSparsity', this.final) ||
      (this.final! < this.initial! ? t('optimize.form.finalBelowInitial') : '') ||
      wholeIssue('beginStep', this.begin, 0) ||
      wholeIssue('endStep', this.end, 1) ||
      (this.end! <= this.begin! ? t('optimize.form.endAfterBegin') : '') ||
      wholeIssue('frequency', this.frequency, 1) ||
      trainingIssue(this.training),
  );

  constructor(private readonly modelId: () => string) {}

  start(): void {
    if (this.issue) return;
    void optimizing.prune({
      modelId: this.modelId(),
      schedule: { initialSparsity: this.initial!, finalSparsity: this.final!, beginStep: this.begin!, endStep: this.end!, frequency: this.frequency! },
      training: trainingSettings(this.training),
      thenQuantize: this.thenQuantize,
    });
  }
}

/**
 * Distillation: a student made from the teacher (narrower layers or an MLP of given sizes), the
 * temperature and alpha, optionally another dataset version, and the share of the teacher's training
 * rows the students learn from.
 */
export class DistillForm {
  kind = $state<'narrower' | 'hidden'>('narrower');
  factor = $state(0.25);
  sizes = $state('16');
  // T 5, alpha 0.5: the most even setting across the MNIST sweep in README (Optimize, distillation)
  temperature = $state<number | null>(5);
  alpha = $state<number | null>(0.5);
  dataVersion = $state('');
  /** Percent of the teacher's training rows the students learn from (the service takes a share 0..1). */
  sharePercent = $state<number | null>(100);
  training = $state<TrainingDraft>({ epochs: 10, learningRate: 0.005, batchSize: 32 });

  readonly #classifier = $derived.by(() => {
    const m = this.model();
    return m.metadata.task === 'classification' && m.metadata.preprocessing.label.task === 'classification';
  });
  readonly teacherParams = $derived.by(() => {
    const spec = this.model().metadata.modelSpec;
    return spec ? specParams(spec) : null;
  });
  readonly #choice = $derived.by<StudentChoice | null>(() => {
    if (this.kind === 'narrower') return this.model().metadata.modelSpec ? { kind: 'narrower', factor: this.factor } : null;
    const parsed = parseHiddenSizes(this.sizes);
    return parsed ? { kind: 'hidden', sizes: parsed } : null;
  });
  /** The student's parameter count, or why it cannot be made. */
  readonly student = $derived.by(() => {
    const m = this.model();
    const stats = m.metadata.preprocessing;
    if (!this.#choice || !this.#classifier || stats.label.task !== 'classification') return { params: null as number | null, error: '' };
    try {
      const spec = studentSpec(m.metadata.modelSpec, stats.input, { kind: 'classification', classes: stats.label.classes.length }, this.#choice);
      return { params: specParams(spec), error: '' };
    } catch (e) {
      return { params: null, error: errorMessage(e) };
    }
  });
  readonly issue = $derived(
    (!this.#classifier ? t('optimize.error.not-classification') : '') ||
      (this.kind === 'hidden' && !parseHiddenSizes(this.sizes) ? t('optimize.form.sizes') : '') ||
      this.student.error ||
      positiveIssue('temperature', this.temperature) ||
      (typeof this.alpha === 'number' && this.alpha >= 0 && this.alpha <= 1 ? '' : t('optimize.form.alphaRange')) ||
      (typeof this.sharePercent === 'number' && this.sharePercent > 0 && this.sharePercent <= 100 ? '' : t('optimize.distill.shareRange')) ||
      trainingIssue(this.training),
  );
  /** A student larger than its teacher is allowed, with a warning. */
  readonly larger = $derived(this.student.params !== null && this.teacherParams !== null && this.student.params > this.teacherParams);

  constructor(private readonly model: () => ModelVersionRecord) {}

  start(): void {
    const choice = this.#choice;
    if (this.issue || !choice) return;
    void optimizing.distill({
      modelId: this.model().id,
      student: $state.snapshot(choice) as StudentChoice,
      temperature: this.temperature!,
      alpha: this.alpha!,
      training: trainingSettings(this.training),
      datasetVersionId: this.dataVersion || null,
      labeledShare: this.sharePercent! / 100,
    });
  }
}
