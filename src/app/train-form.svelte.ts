/**
 * The new-run form while it is open: the choices it offers (models to train further, the version's label
 * sets), the training worker's preparation of the chosen data (on every change of the data side,
 * debounced; an older answer is dropped), the layers made from the preset for the prepared input, what
 * is wrong, and starting the run. What was typed lives in `draft` (train.svelte.ts), the rules in
 * train-draft.ts. Create it while a component initializes.
 */
import { untrack } from 'svelte';
import type { ColumnInfo } from '../core/data/types';
import type { ShapeReport } from '../core/model/model-spec';
import type { Task } from '../core/train/presets';
import type { PrepareResult } from '../protocol/train';
import { listLabelSets } from '../services/label-store';
import { db, type DatasetVersion } from '../store/db';
import type { LabelSetRecord } from '../store/label-records';
import type { TransformRecord } from '../store/transform-records';
import type { ModelVersionRecord } from '../store/training-records';
import { t } from './i18n.svelte';
import { live, type Live } from './live.svelte';
import { liveModels } from './registry.svelte';
import { draft, training } from './train.svelte';
import * as rules from './train-draft';
import { findPreset, usableColumns } from './train-presets';
import type { ProjectVersions } from './versions.svelte';
import { trainWorker } from './workers';

export interface NewRunProps {
  readonly projectId: string;
  /** The scope's target column: the default label. */
  readonly target: string;
  readonly runCount: number;
  readonly versions: ProjectVersions;
}

export class NewRunForm {
  readonly models: Live<ModelVersionRecord[]>;
  readonly labelSets: Live<LabelSetRecord[]>;
  /** The project's transform versions (the chosen version's are offered as features). */
  readonly transforms: Live<TransformRecord[]>;
  /** The run's name as typed ('' = the default name). */
  name = $state('');
  prepared = $state.raw<PrepareResult | null>(null);
  prepareError = $state.raw<unknown>(null);
  preparing = $state(false);
  /** The layer editor's shapes and issues. */
  report = $state.raw<ShapeReport | null>(null);

  readonly version = $derived.by(() => this.props().versions.find(draft.datasetVersionId));
  readonly columns: ColumnInfo[] = $derived.by(() => this.version?.columns ?? []);
  readonly base = $derived.by(() => this.models.value.find((m) => m.id === draft.baseModelId));
  readonly preset = $derived(findPreset(draft.presetId));
  readonly fromSet = $derived.by(() => rules.fromLabelSet(draft, this.base));
  readonly labelSet = $derived.by(() => {
    const source = draft.labelSource;
    return this.fromSet && source.kind === 'labelSet' ? this.labelSets.value.find((s) => s.id === source.labelSetId) : undefined;
  });
  readonly labelTask = $derived.by(() => rules.labelTaskOf(draft, this.base));
  readonly head = $derived.by(() => rules.headOf(this.prepared, this.labelTask));
  readonly baseLayers = $derived(this.prepared?.baseSpec?.layers ?? []);
  /** Transform versions analyzed on the chosen dataset version, newest first. */
  readonly versionTransforms = $derived.by(() => rules.transformsOf(this.transforms.value, draft.datasetVersionId));
  /** The transform the features come from (none when training a base model further). */
  readonly transform = $derived.by(() => (this.base ? undefined : this.transforms.value.find((t) => t.id === draft.transformId)));
  /** The transform's output steps (its layout's order), each with its slots and whether the model reads it. */
  readonly transformOutputs = $derived.by(() => (this.transform?.fitted.features.layout ?? []).map((o) => ({ name: o.name, size: o.size, chosen: rules.outputChosen(draft, o.name) })));
  /** The model's input width from the chosen output steps. */
  readonly transformSlots = $derived.by(() => this.transformOutputs.reduce((sum, o) => sum + (o.chosen ? o.size : 0), 0));
  readonly issues = $derived.by(() => [...rules.draftIssues(draft), ...rules.transformIssues(draft, this.transform)]);
  readonly usable = $derived.by(() => usableColumns(draft.task, this.columns, draft.label));
  /**
   * A preset was chosen (or the data changed) and its layers wait for the prepared input: the editor is
   * not offered until they come, as edits made now would be replaced by them.
   */
  readonly layersPending = $derived.by(() => {
    if (this.base || !this.preset) return false;
    if (draft.layersFor === '') return true;
    return this.prepared !== null && draft.layersFor !== rules.layersKey(this.preset, this.prepared.input);
  });
  readonly canStart = $derived.by(() => {
    const specOk = this.base ? true : !this.layersPending && this.report !== null && this.report.issues.length === 0;
    return !!this.prepared && !this.prepareError && !this.preparing && specOk && this.issues.length === 0;
  });

  constructor(private readonly props: () => NewRunProps) {
    untrack(() => draft.forProject(props().projectId));
    this.models = liveModels(() => props().projectId);
    this.labelSets = live(() => (draft.datasetVersionId ? listLabelSets(db(), draft.datasetVersionId) : []), [] as LabelSetRecord[]);
    this.transforms = live(() => db().transforms.where('projectId').equals(props().projectId).toArray(), [] as TransformRecord[]);

    // By default the newest version that has the scope's target column (else the newest), or the one
    // picked before if it still exists.
    $effect(() => {
      const { versions } = props();
      const list = versions.list;
      if (versions.loading || list.length === 0) return;
      untrack(() => {
        if (!list.some((v) => v.id === draft.datasetVersionId)) this.pickVersion(list.find((v) => v.columns.some((c) => c.name === props().target)) ?? list[0]!);
      });
    });

    // Prepare in the worker whenever the data side changes (debounced; stale answers are dropped).
    let ticket = 0;
    $effect(() => {
      const req = rules.prepareRequest(draft, this.columns, this.preset, this.base);
      if (!req) {
        this.prepared = null;
        this.prepareError = null;
        return;
      }
      const mine = ++ticket;
      this.preparing = true;
      const timer = setTimeout(() => {
        trainWorker.api
          .prepareRun(req)
          .then((result) => {
            if (mine !== ticket) return;
            this.prepared = result;
            this.prepareError = null;
          })
          .catch((e: unknown) => {
            if (mine !== ticket) return;
            this.prepared = null;
            this.prepareError = e;
          })
          .finally(() => {
            if (mine === ticket) this.preparing = false;
          });
      }, 250);
      return () => clearTimeout(timer);
    });

    // Layers come from the preset when the preset or the kind of input changes, or when a preset is
    // chosen again (it clears layersFor); edits are kept otherwise. Reading layersFor here applies a
    // chosen preset at once: otherwise choosing the same preset again reset nothing until the next
    // prepare landed, and that undid the edits made in between.
    $effect(() => {
      const p = this.prepared;
      const preset = this.preset;
      const applied = draft.layersFor;
      if (!p || this.base || !preset) return;
      const key = rules.layersKey(preset, p.input);
      if (applied === key) return;
      untrack(() => {
        draft.layers = preset.make({ input: p.input, classes: p.classes?.length }).layers;
        draft.layersFor = key;
      });
    });
  }

  pickVersion(v: DatasetVersion): void {
    rules.pickVersion(draft, v, this.props().target);
  }

  pickTask(task: Task): void {
    rules.pickTask(draft, task, this.columns);
  }

  applyPreset(id: string): void {
    rules.applyPreset(draft, id);
  }

  pickSource(value: string): void {
    rules.pickSource(draft, value, this.columns, this.props().target);
  }

  pickGold(column: string): void {
    rules.pickGold(draft, column, this.columns);
  }

  pickLabel(label: string): void {
    rules.pickLabel(draft, label, this.columns);
  }

  /** Features from a transform version (its id), or from the chosen columns (''). */
  pickTransform(id: string): void {
    rules.pickTransform(draft, this.versionTransforms.find((t) => t.id === id) ?? null);
  }

  toggleOutput(step: string, on: boolean): void {
    rules.toggleOutput(draft, step, on, this.transformOutputs.map((o) => o.name));
  }

  toggleFeature(column: string, on: boolean): void {
    rules.toggleFeature(draft, column, on);
  }

  defaultName(): string {
    return t('train.form.defaultName', { n: this.props().runCount + 1 });
  }

  start(): void {
    const prepared = this.prepared;
    const version = this.version;
    if (!this.canStart || !prepared || !version) return;
    const config = rules.runConfig(draft.fields(), { name: this.name, defaultName: this.defaultName(), columns: this.columns, prepared, base: this.base });
    training.start(this.props().projectId, version.id, config);
    this.name = '';
    draft.open = false;
  }
}
