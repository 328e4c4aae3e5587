/**
 * The stage registry: one entry per lifecycle stage, in the order the navigation shows them. It drives the
 * navigation and the router, loads each built stage's page as its own chunk on first visit, and shows the
 * not-built page for the rest. Adding a stage is one entry here, its page, and its messages:
 * `stage.<id>` (its name) and, while `load` is null, `notBuilt.<id>` (what it will do).
 */
import type { Component } from 'svelte';
import type { Project } from '../store/db';

/** What every stage page is given; each declares the part it uses. */
export interface StageProps {
  project: Project;
  projectId: string;
  /** The dataset version in the URL (#/p/<id>/data/<versionId>). */
  versionId?: string;
  /** Choices made by a link from another stage (#/p/<id>/train?transform=<id>). */
  query?: Record<string, string>;
}

type StagePage = Component<StageProps>;

export const STAGE_REGISTRY = [
  { id: 'scope', load: () => import('../ui/scope/ScopePage.svelte') },
  { id: 'data', load: () => import('../ui/data/DataPage.svelte') },
  { id: 'label', load: () => import('../ui/label/LabelPage.svelte') },
  { id: 'validate', load: () => import('../ui/validate/ValidatePage.svelte') },
  { id: 'transform', load: () => import('../ui/transform/TransformPage.svelte') },
  { id: 'train', load: () => import('../ui/train/TrainPage.svelte') },
  { id: 'tune', load: () => import('../ui/tune/TunePage.svelte'), capabilities: ['automl'] },
  { id: 'optimize', load: () => import('../ui/optimize/OptimizePage.svelte') },
  { id: 'evaluate', load: () => import('../ui/evaluate/EvaluatePage.svelte') },
  { id: 'registry', load: () => import('../ui/registry/RegistryPage.svelte') },
  { id: 'serving', load: () => import('../ui/serving/ServingPage.svelte') },
  { id: 'pipelines', load: () => import('../ui/pipelines/PipelinesPage.svelte') },
  // not a lifecycle stage: the course's lessons on this project, offered as their stages are built
  { id: 'lessons', load: () => import('../ui/lessons/LessonsPage.svelte') },
] as const satisfies readonly {
  id: string;
  load: (() => Promise<{ default: StagePage }>) | null;
  /** What a built stage offers beyond its page, for the lessons that need it (e.g. 'automl' on Tune). */
  capabilities?: readonly string[];
}[];

export type Stage = (typeof STAGE_REGISTRY)[number]['id'];
/** The stages whose page is not built yet: they say so and show no results. */
export type UnbuiltStage = Extract<(typeof STAGE_REGISTRY)[number], { load: null }>['id'];

export const STAGES: readonly Stage[] = STAGE_REGISTRY.map((s) => s.id);

const pages = new Map<Stage, Promise<StagePage>>();

/** The stage's page component, loaded once; null for a stage that is not built. */
export function stagePage(id: Stage): Promise<StagePage> | null {
  const entry = STAGE_REGISTRY.find((s) => s.id === id)!;
  if (!entry.load) return null;
  let page = pages.get(id);
  if (!page) pages.set(id, (page = entry.load().then((m) => m.default)));
  return page;
}
