/**
 * Page state of the Validate stage: the versions compared and their statistics (`ValidatePageState`),
 * validating a version against the schema and deciding on its anomalies (`AnomaliesCheck`), and drift and
 * training/serving skew (`DriftCheck`). Every long call is a `Job` in the data worker. Create these while a
 * component initializes (they hold live queries and effects); `props` functions are read reactively.
 */
import { untrack } from 'svelte';
import type { Anomaly } from '../core/validate/anomalies';
import { compareColumn, isStale } from '../core/validate/drift';
import { withSuggestedThresholds, type Schema } from '../core/validate/schema';
import type { GroupStats } from '../core/validate/stats';
import type { CompareOutcome, SkewOutcome, StatsOutcome, StatsProgress, ValidationOutcome } from '../protocol/validate';
import { db, type DatasetVersion } from '../store/db';
import type { TransformRecord } from '../store/transform-records';
import type { AnomalyDecisionRecord, SchemaVersionRecord } from '../store/validation-records';
import { errorMessage, schemaIssueText } from './format';
import { live, type Live } from './live.svelte';
import { StageVersions } from './stage-versions.svelte';
import { dataWorker } from './workers';
import { Job } from './workers/job.svelte';

/** The statistics shown: all rows, or one label group (the same group of the compared version). */
function groupOf(stats: StatsOutcome | null, key: string, labelOf: StatsOutcome | null): GroupStats | null {
  if (!stats) return null;
  if (key === 'all' || !stats.stats.byLabel) return stats.stats;
  const want = labelOf?.stats.byLabel?.[Number(key)];
  if (!want) return stats.stats;
  return stats.stats.byLabel.find((g) => g.label === want.label && g.other === want.other) ?? null;
}

export class ValidatePageState {
  readonly versions: StageVersions;
  readonly #schemas: Live<SchemaVersionRecord[]>;
  /** The version picked ('' or a vanished one: the default), the one compared with it, the label column. */
  chosenId = $state('');
  compareId = $state('');
  labelColumn = $state('');
  /** 'all', or the index of a label group. */
  sliceKey = $state('all');

  /** By default the newest version of the first dataset (the demo's penguins, say). */
  readonly #defaultId = $derived.by(() => {
    const ordered = this.versions.ordered;
    const first = ordered[0];
    if (!first) return '';
    const same = ordered.filter((v) => v.datasetId === first.datasetId);
    return same[same.length - 1]!.id;
  });
  readonly selectedId = $derived.by(() => (this.versions.ordered.some((v) => v.id === this.chosenId) ? this.chosenId : this.#defaultId));
  readonly selected = $derived.by(() => this.versions.find(this.selectedId));
  readonly compared = $derived.by(() => this.versions.ordered.find((v) => v.id === this.compareId && v.id !== this.selectedId));
  readonly labelOptions = $derived.by(() => (this.selected?.columns ?? []).filter((c) => c.type !== 'image' && c.type !== 'datetime'));
  readonly label = $derived.by(() => (this.labelOptions.some((c) => c.name === this.labelColumn) ? this.labelColumn : ''));

  /** Statistics of the selected and of the compared version. */
  readonly primary = new Job<StatsOutcome, StatsProgress>(dataWorker);
  readonly secondary = new Job<StatsOutcome, StatsProgress>(dataWorker);
  readonly shownA = $derived.by(() => groupOf(this.primary.result, this.sliceKey, this.primary.result));
  readonly shownB = $derived.by(() => (this.compared ? groupOf(this.secondary.result, this.sliceKey, this.primary.result) : null));

  /** Per-column distance to the compared version (pure and cheap: histograms and top values only). */
  readonly drift = $derived.by(() => {
    const { shownA, shownB } = this;
    if (!shownA || !shownB) return null;
    const other = new Map(shownB.columns.map((c) => [c.name, c]));
    const out = new Map<string, number | null>();
    for (const c of shownA.columns) {
      const o = other.get(c.name);
      if (o) out.set(c.name, compareColumn(c, o).distance);
    }
    return out;
  });

  /** The project's schema versions, oldest first, and the latest. */
  get schemas(): SchemaVersionRecord[] {
    return this.#schemas.value;
  }
  readonly latest = $derived.by(() => this.#schemas.value[this.#schemas.value.length - 1]);

  constructor(projectId: () => string) {
    this.versions = new StageVersions(projectId);
    this.#schemas = live(() => db().schemas.where('projectId').equals(projectId()).sortBy('version'), [] as SchemaVersionRecord[]);
    $effect(() => {
      const id = this.selectedId;
      const l = this.label;
      untrack(() => {
        this.sliceKey = 'all';
        if (id) void this.primary.start(statsCall(id, l || null));
        else this.primary.clear();
      });
    });
    $effect(() => {
      const v = this.compared;
      const l = this.label;
      untrack(() => {
        // the compared version gets the same breakdown when it has the label column
        if (v) void this.secondary.start(statsCall(v.id, l && v.columns.some((c) => c.name === l) ? l : null));
        else this.secondary.clear();
      });
    });
  }

  /** Statistics of the selected version (all rows), once they are the selected version's. */
  get selectedStats(): GroupStats | null {
    const r = this.primary.result;
    return r?.versionId === this.selectedId ? r.stats : null;
  }
}

function statsCall(versionId: string, labelName: string | null) {
  return (jobId: string, onProgress: (p: StatsProgress) => void) => dataWorker.api.statistics({ jobId, versionId, labelColumn: labelName }, onProgress);
}

/** Validate a version against the current schema; accept each anomaly or mark it a data error. */
export class AnomaliesCheck {
  /** The version picked here ('' follows the page's selection). */
  chosen = $state('');
  readonly versionId = $derived.by(() => this.chosen || this.props().defaultVersionId);
  readonly task = new Job<ValidationOutcome, StatsProgress>(dataWorker);
  /** Accepted anomalies (by index in the result) and the schema version that took them. */
  accepted = $state<Record<number, { version: number; changed: boolean }>>({});
  actionError = $state('');
  readonly #decisions: Live<AnomalyDecisionRecord[]>;
  /** Decisions on the shown result's version and schema. */
  readonly #current = $derived.by(() => {
    const result = this.task.result;
    return result ? this.#decisions.value.filter((d) => d.versionId === result.versionId && d.schemaId === result.schemaId) : [];
  });
  /** Anomalies still waiting for a decision, by index. */
  readonly open = $derived.by(() => {
    const result = this.task.result;
    return result ? result.anomalies.map((_, i) => i).filter((i) => this.accepted[i] === undefined && !this.marked(result.anomalies[i]!)) : [];
  });

  constructor(private readonly props: () => { projectId: string; latest: SchemaVersionRecord | undefined; defaultVersionId: string }) {
    // the query depends only on the project (a live query does not follow page state); filtered above
    this.#decisions = live(() => db().anomalyDecisions.where('projectId').equals(props().projectId).toArray(), [] as AnomalyDecisionRecord[]);
  }

  /** Marked as a data error (for the shown result's version and schema). */
  marked(a: Anomaly): boolean {
    return this.#current.some((d) => d.column === a.column && d.kind === a.kind);
  }

  async run(): Promise<void> {
    const { projectId, latest } = this.props();
    const versionId = this.versionId;
    if (!versionId || !latest) return;
    this.accepted = {};
    this.actionError = '';
    const schemaId = latest.id;
    await this.task.start((jobId, onProgress) => dataWorker.api.validate({ jobId, projectId, versionId, schemaId }, onProgress));
  }

  /** Relax the schema so these anomalies (by index) are no longer anomalies: one new schema version. */
  async accept(indices: number[]): Promise<void> {
    const result = this.task.result;
    if (!result) return;
    this.actionError = '';
    try {
      const out = await dataWorker.api.acceptAnomalies(this.props().projectId, indices.map((i) => result.anomalies[i]!));
      for (const i of indices) this.accepted[i] = { version: out.record.version, changed: out.changed };
    } catch (e) {
      this.actionError = errorMessage(e);
    }
  }

  async markError(i: number): Promise<void> {
    const result = this.task.result;
    if (!result) return;
    const a = result.anomalies[i]!;
    this.actionError = '';
    try {
      await dataWorker.api.markDataError({ projectId: this.props().projectId, versionId: result.versionId, schemaId: result.schemaId, anomaly: { column: a.column, kind: a.kind, code: a.code, count: a.count } });
    } catch (e) {
      this.actionError = errorMessage(e);
    }
  }
}

export type ThresholdKind = 'driftThreshold' | 'skewThreshold';

/**
 * Drift between two versions and training/serving skew, each per column against the schema's thresholds.
 * Skew needs logged serving requests.
 */
export class DriftCheck {
  baselineChoice = $state('');
  currentChoice = $state('');
  trainingChoice = $state('');
  readonly currentId = $derived.by(() => this.currentChoice || this.props().selectedId);
  readonly baselineId = $derived.by(() => this.baselineChoice || this.props().compareId || this.#previousOf(this.currentId));
  readonly trainingId = $derived.by(() => this.trainingChoice || this.props().selectedId);
  /** Compare skew through this transform version ('' = the raw columns). */
  skewTransform = $state('');
  /** The project's transform versions; those analyzed on the training version are offered for skew. */
  readonly transforms: Live<TransformRecord[]>;
  readonly trainingTransforms = $derived.by(() => this.transforms.value.filter((t) => t.source.datasetVersionId === this.trainingId));

  readonly drift = new Job<CompareOutcome, StatsProgress>(dataWorker);
  readonly skew = new Job<SkewOutcome, StatsProgress>(dataWorker);
  /** Accepted anomalies: column -> the schema version that took them. */
  accepted = $state<Record<string, number>>({});
  skewAccepted = $state<Record<string, number>>({});
  actionError = $state('');
  suggesting = $state(false);

  /** How many serving requests the project logged. */
  readonly served: Live<number>;
  readonly thresholds = $derived.by(() => this.props().latest?.schema.features.some((f) => f.driftThreshold !== null) ?? false);
  readonly skewThresholds = $derived.by(() => this.props().latest?.schema.features.some((f) => f.skewThreshold !== null) ?? false);

  constructor(
    private readonly props: () => { projectId: string; versions: DatasetVersion[]; latest: SchemaVersionRecord | undefined; selectedId: string; compareId: string },
  ) {
    this.served = live(() => db().servingRequests.where('projectId').equals(props().projectId).count(), 0);
    this.transforms = live(() => db().transforms.where('projectId').equals(props().projectId).toArray(), [] as TransformRecord[]);
  }

  /** The version before `id` in its dataset, the natural baseline. */
  #previousOf(id: string): string {
    const versions = this.props().versions;
    const v = versions.find((x) => x.id === id);
    if (!v) return '';
    const earlier = versions.filter((x) => x.datasetId === v.datasetId && x.version < v.version).sort((a, b) => b.version - a.version);
    return earlier[0]?.id ?? '';
  }

  async runDrift(schemaId: string | null = this.props().latest?.id ?? null): Promise<void> {
    const { baselineId, currentId } = this;
    if (!baselineId || !currentId || baselineId === currentId) return;
    this.accepted = {};
    this.actionError = '';
    const req = { projectId: this.props().projectId, baselineId, currentId, schemaId };
    await this.drift.start((jobId, onProgress) => dataWorker.api.compareVersions({ jobId, ...req }, onProgress));
  }

  async runSkew(schemaId: string | null = this.props().latest?.id ?? null): Promise<void> {
    const trainingId = this.trainingId;
    if (!trainingId) return;
    this.skewAccepted = {};
    this.actionError = '';
    const transformId = this.trainingTransforms.some((t) => t.id === this.skewTransform) ? this.skewTransform : null;
    const req = { projectId: this.props().projectId, trainingVersionId: trainingId, schemaId, transformId };
    await this.skew.start((jobId, onProgress) => dataWorker.api.servingSkew({ jobId, ...req }, onProgress));
  }

  /** Save the schema with the suggested thresholds as a new version, then compare again with them. */
  async suggest(key: ThresholdKind): Promise<void> {
    const { projectId, latest } = this.props();
    if (!latest) return;
    this.actionError = '';
    this.suggesting = true;
    try {
      const out = await dataWorker.api.saveSchema(projectId, withSuggestedThresholds($state.snapshot(latest.schema) as Schema, key), latest.id);
      if (!out.ok) {
        this.actionError = out.issues.map((i) => (i.path ? `${i.path}: ${schemaIssueText(i)}` : schemaIssueText(i))).join('; ');
        return;
      }
      // the page's `latest` follows the live query; compare against the new version explicitly
      if (key === 'driftThreshold' && this.drift.result) await this.runDrift(out.record.id);
      if (key === 'skewThreshold' && this.skew.result) await this.runSkew(out.record.id);
    } catch (e) {
      this.actionError = errorMessage(e);
    } finally {
      this.suggesting = false;
    }
  }

  /** A result computed against another schema version than the current one (its thresholds are old). */
  stale(result: { schemaId: string | null; transformId?: string } | null): boolean {
    // a comparison through a transform uses no schema: its columns have no thresholds
    return result !== null && !result.transformId && isStale(result, this.props().latest?.id ?? null);
  }

  /** Accept one drift or skew anomaly into the schema (a new version). */
  async accept(a: Anomaly, which: 'drift' | 'skew'): Promise<void> {
    this.actionError = '';
    try {
      const out = await dataWorker.api.acceptAnomalies(this.props().projectId, [a]);
      (which === 'drift' ? this.accepted : this.skewAccepted)[a.column] = out.record.version;
    } catch (e) {
      this.actionError = errorMessage(e);
    }
  }
}
