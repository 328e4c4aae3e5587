/**
 * The Validate stage's schema editor: the project's schema versions, the one viewed and an editable copy
 * of it, inferring a version from statistics in the data worker, saving the copy as a new version (never
 * changing an old one), export and import of JSON. Create it while a component initializes.
 */
import { setRangesFromStats, type FeatureSchema, type Schema } from '../core/validate/schema';
import type { GroupStats } from '../core/validate/stats';
import type { StatsProgress } from '../protocol/validate';
import type { DatasetVersion } from '../store/db';
import type { SchemaVersionRecord } from '../store/validation-records';
import { downloadText } from './download';
import { errorMessage, schemaIssueText } from './format';
import { n, t } from './i18n.svelte';
import { addValue, changedDomains, fillThresholds, setBound, type ThresholdKey } from './validate-schema-edits';
import { dataWorker } from './workers';
import { Job } from './workers/job.svelte';

/** Largest schema file read into memory: schemas are small JSON, anything bigger is not one. */
const MAX_SCHEMA_BYTES = 20 * 1024 * 1024;

export interface SchemaEditorProps {
  projectId: string;
  /** The project's schema versions, oldest first. */
  schemas: SchemaVersionRecord[];
  /** The version a schema is inferred from (the page's selected version). */
  inferFrom: DatasetVersion | undefined;
  /** Statistics of `inferFrom` (all rows), for "set ranges from these statistics"; null while computing. */
  stats: GroupStats | null;
  versionName: (v: DatasetVersion) => string;
}

export class SchemaEditor {
  /** '' follows the latest version (new versions from accepts elsewhere show up); an id pins an older one. */
  viewedId = $state('');
  readonly latest = $derived.by(() => this.props().schemas[this.props().schemas.length - 1]);
  readonly viewed = $derived.by(() => this.props().schemas.find((s) => s.id === this.viewedId) ?? this.latest);
  /** The editable copy of the viewed version; reset whenever another version is viewed. */
  draft = $state<Schema | null>(null);
  #draftOf = '';
  readonly dirty = $derived.by(() => this.draft !== null && this.viewed !== undefined && JSON.stringify(this.draft) !== JSON.stringify(this.viewed.schema));

  readonly infer = new Job<SchemaVersionRecord, StatsProgress>(dataWorker);
  message = $state('');
  /** Why a save or an import was refused: a lead line and the issues, in the person's language. */
  issues = $state.raw<{ path: string; text: string }[]>([]);
  issuesLead = $state('');
  saving = $state(false);
  /** The value typed into each values column's "add" field. */
  newValues = $state<Record<string, string>>({});
  bulkValue = $state(0.1);
  bulkWhich = $state<ThresholdKey>('driftThreshold');
  /** Bounds whose text is not a number or date, by `${feature}\0${min|max}`: saving waits until they are fixed. */
  badBounds = $state<Record<string, boolean>>({});
  readonly hasBadBounds = $derived.by(() => Object.values(this.badBounds).some(Boolean));

  constructor(private readonly props: () => SchemaEditorProps) {
    $effect(() => {
      const v = this.viewed;
      if (!v) {
        this.draft = null;
        this.#draftOf = '';
      } else if (v.id !== this.#draftOf) {
        this.draft = structuredClone(v.schema);
        this.#draftOf = v.id;
      }
    });
  }

  get stats(): GroupStats | null {
    return this.props().stats;
  }

  /** View a version (the latest: follow whatever becomes the latest). */
  view(id: string): void {
    this.viewedId = id === this.latest?.id ? '' : id;
  }

  #clearMessages(): void {
    this.message = '';
    this.issues = [];
    this.issuesLead = '';
  }

  async runInfer(): Promise<void> {
    const { projectId, inferFrom } = this.props();
    if (!inferFrom) return;
    this.#clearMessages();
    const versionId = inferFrom.id;
    const record = await this.infer.start((jobId, onProgress) => dataWorker.api.inferSchema({ jobId, projectId, versionId }, onProgress));
    if (record) this.viewedId = '';
  }

  /** Save the edited copy as the project's next schema version (checked in the worker first). */
  async save(): Promise<void> {
    const { draft, viewed } = this;
    if (!draft || !viewed) return;
    this.#clearMessages();
    this.saving = true;
    try {
      const out = await dataWorker.api.saveSchema(this.props().projectId, $state.snapshot(draft) as Schema, viewed.id);
      if (out.ok) {
        this.viewedId = '';
        this.message = t('validate.schema.saved', { n: out.record.version });
      } else {
        this.issuesLead = t('validate.schema.saveFailed');
        this.issues = out.issues.map((i) => ({ path: i.path, text: schemaIssueText(i) }));
      }
    } catch (e) {
      this.message = errorMessage(e);
    } finally {
      this.saving = false;
    }
  }

  discard(): void {
    if (this.viewed) this.draft = structuredClone(this.viewed.schema);
    this.badBounds = {};
    this.#clearMessages();
  }

  async exportJson(): Promise<void> {
    if (!this.viewed) return;
    const file = await dataWorker.api.exportSchema(this.viewed.id);
    downloadText(file.fileName, file.text);
  }

  /** Import a schema file as the next version, or say why it is not one. */
  async importJson(file: File): Promise<void> {
    this.#clearMessages();
    if (file.size > MAX_SCHEMA_BYTES) {
      this.issuesLead = t('validate.schema.importFailed', { file: file.name });
      this.issues = [{ path: '', text: t('validate.schema.tooLarge', { size: n(Math.round(file.size / 1024 / 1024)) }) }];
      return;
    }
    try {
      const out = await dataWorker.api.importSchema(this.props().projectId, file.name, await file.text());
      if (out.ok) {
        this.viewedId = '';
        this.message = t('validate.schema.imported', { file: file.name, n: out.record.version });
      } else {
        this.issuesLead = t('validate.schema.importFailed', { file: file.name });
        this.issues = out.issues.map((i) => ({ path: i.path, text: schemaIssueText(i) }));
      }
    } catch (err) {
      this.message = errorMessage(err);
    }
  }

  /** Allow the value typed into the feature's "add" field, and empty the field. */
  addValue(f: FeatureSchema): void {
    const v = this.newValues[f.name] ?? '';
    if (v === '') return;
    addValue(f, v);
    this.newValues[f.name] = '';
  }

  /** Set a range bound from its text, remembering text that is not a number or date. */
  setBound(f: FeatureSchema, key: 'min' | 'max', text: string): void {
    this.badBounds[`${f.name}\u0000${key}`] = !setBound(f, key, text);
  }

  isBadBound(f: FeatureSchema): boolean {
    return !!(this.badBounds[`${f.name}\u0000min`] || this.badBounds[`${f.name}\u0000max`]);
  }

  /** The explicit action: pin ranges to the statistics of `inferFrom` (one column, or every number and integer column). */
  setRanges(columns?: string[]): void {
    const { stats, inferFrom, versionName } = this.props();
    const draft = this.draft;
    if (!draft || !stats) return;
    this.#clearMessages();
    const next = setRangesFromStats($state.snapshot(draft) as Schema, stats, columns);
    const changed = changedDomains(draft, next);
    this.draft = next;
    for (const name of changed) {
      this.badBounds[`${name}\u0000min`] = false;
      this.badBounds[`${name}\u0000max`] = false;
    }
    if (!columns) this.message = changed.length > 0 ? t('validate.schema.rangesSet', { list: changed.join(', '), version: inferFrom ? versionName(inferFrom) : '' }) : t('validate.schema.rangesNone');
  }

  /** Give every column with a comparator and no threshold of the chosen kind the bulk value. */
  applyBulk(): void {
    if (this.draft) fillThresholds(this.draft, this.bulkWhich, this.bulkValue);
  }
}
