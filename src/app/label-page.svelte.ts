/**
 * Page state of the Label stage around the queue: the version being labeled and the project's label
 * schema, the schema editor, agreement between two labelers, and a version's label sets. Create these
 * while a component initializes (they hold live queries); `props` functions are read reactively.
 */
import { cohenKappa } from '../core/label/agreement';
import { labelsByLabeler, listLabelSchemas, listLabelSets, saveLabelSchema, versionEvents } from '../services/label-store';
import { db, type DatasetVersion } from '../store/db';
import type { LabelEventRecord, LabelSchemaRecord, LabelSetRecord } from '../store/label-records';
import { errorMessage } from './format';
import { t } from './i18n.svelte';
import { live, type Live } from './live.svelte';
import { StageVersions } from './stage-versions.svelte';

export class LabelPageState {
  readonly versions: StageVersions;
  readonly #schemas: Live<LabelSchemaRecord[]>;
  /** The version the person picked ('' or a vanished one: the default). */
  chosenId = $state('');

  /** Default: the newest version of the first dataset with text columns (something to read and label). */
  readonly #defaultId = $derived.by(() => {
    const ordered = this.versions.ordered;
    const texty = ordered.filter((v) => v.columns.some((c) => c.type === 'text'));
    const pick = texty[texty.length - 1] ?? ordered[ordered.length - 1];
    return pick?.id ?? '';
  });
  readonly selectedId = $derived.by(() => (this.versions.ordered.some((v) => v.id === this.chosenId) ? this.chosenId : this.#defaultId));
  readonly selected = $derived.by(() => this.versions.find(this.selectedId));
  /** The project's latest label schema. */
  readonly schema = $derived.by(() => this.#schemas.value[this.#schemas.value.length - 1]);

  constructor(projectId: () => string) {
    this.versions = new StageVersions(projectId);
    this.#schemas = live(() => listLabelSchemas(db(), projectId()), [] as LabelSchemaRecord[]);
  }
}

/** The classes and instructions editor; each save is a new schema version. */
export class LabelSchemaForm {
  classesText = $state('');
  instructions = $state('');
  message = $state('');
  error = $state('');
  #loadedId = '';

  constructor(private readonly props: () => { projectId: string; schema: LabelSchemaRecord | undefined }) {
    // Fill the editor from the latest version when it changes (not while the person types).
    $effect(() => {
      const schema = props().schema;
      if (schema && schema.id !== this.#loadedId) {
        this.#loadedId = schema.id;
        this.classesText = schema.classes.join('\n');
        this.instructions = schema.instructions;
      }
    });
  }

  async save(): Promise<void> {
    this.message = '';
    this.error = '';
    const classes = this.classesText.split('\n').map((c) => c.trim()).filter((c) => c !== '');
    const seen = new Set<string>();
    for (const c of classes) {
      if (seen.has(c.toLowerCase())) {
        this.error = t('label.schema.duplicate', { name: c });
        return;
      }
      seen.add(c.toLowerCase());
    }
    if (classes.length < 2) {
      this.error = t('label.schema.needTwo');
      return;
    }
    try {
      const record = await saveLabelSchema(db(), this.props().projectId, classes, this.instructions);
      this.#loadedId = record.id;
      this.message = t('label.schema.saved', { n: record.version });
    } catch (e) {
      this.error = errorMessage(e);
    }
  }
}

/** Cohen's kappa between two labelers of a version, and the rows they disagree on. */
export class Agreement {
  readonly #events: Live<LabelEventRecord[]>;
  readonly #byLabeler = $derived.by(() => labelsByLabeler(this.#events.value));
  /** Everyone who labeled at least one row, by name. */
  readonly labelers = $derived.by(() => [...this.#byLabeler.entries()].filter(([, m]) => m.size > 0).map(([who]) => who).sort());
  chosenA = $state('');
  chosenB = $state('');
  readonly a = $derived.by(() => (this.labelers.includes(this.chosenA) ? this.chosenA : (this.labelers[0] ?? '')));
  readonly b = $derived.by(() => (this.labelers.includes(this.chosenB) && this.chosenB !== this.a ? this.chosenB : (this.labelers.find((x) => x !== this.a) ?? '')));

  // Only the rows either labeled, as compact arrays: the cost follows the labels, not the dataset.
  readonly result = $derived.by(() => {
    const { a, b } = this;
    const classes = this.props().classes;
    if (!a || !b || classes.length === 0) return null;
    const la = this.#byLabeler.get(a)!;
    const lb = this.#byLabeler.get(b)!;
    const rows = [...new Set([...la.keys(), ...lb.keys()])].sort((x, y) => x - y);
    const k = Math.max(classes.length, ...rows.map((r) => Math.max(la.get(r)?.label ?? 0, lb.get(r)?.label ?? 0) + 1));
    const va = rows.map((r) => la.get(r)?.label ?? -1);
    const vb = rows.map((r) => lb.get(r)?.label ?? -1);
    const res = cohenKappa(va, vb, k);
    return { ...res, disagreements: res.disagreements.map((i) => ({ row: rows[i]!, a: va[i]!, b: vb[i]! })) };
  });

  constructor(private readonly props: () => { version: DatasetVersion; classes: string[] }) {
    this.#events = live(() => versionEvents(db(), props().version.id), [] as LabelEventRecord[]);
  }
}

/** The label-set versions of one dataset version, oldest first. */
export function liveLabelSets(versionId: () => string): Live<LabelSetRecord[]> {
  return live(() => listLabelSets(db(), versionId()), [] as LabelSetRecord[]);
}
