/**
 * The Lessons page's state (issue 18): one live query reads the project's records the lessons check
 * (cut down to small fields), another its lesson progress and workshop. Each lesson's status is computed
 * from both with core/lessons; a check that passes is recorded the first time it is seen, so a step turns
 * done while the learner works on another page or in another tab, and stays done after a reload.
 * Lessons whose stage is not built (or whose capability no stage declares) are listed as not offered.
 */
import {
  builtAppOf,
  checkAnswer,
  EMPTY_SNAPSHOT,
  LESSONS,
  lessonStatus,
  lessonsInOrder,
  newlyDone,
  NO_PROGRESS,
  unavailable,
  type BuiltApp,
  type LessonDef,
  type LessonId,
  type LessonSnapshot,
  type LessonStatus,
  type Unavailable,
} from '../core/lessons';
import { db } from '../store/db';
import { getWorkshop, listLessonProgress, markStep, recordAnswer, recordStepsDone, setWorkshop, type LessonProgressRecord } from '../store/lesson-records';
import { live, type Live } from './live.svelte';
import { STAGE_REGISTRY } from './stages';

/**
 * What the app has built, read from the stage registry: a stage with a page, and the capabilities entries
 * declare (`capabilities: ['automl']` on the Tune entry offers the AutoML lesson).
 */
export function builtApp(): BuiltApp {
  return builtAppOf(STAGE_REGISTRY);
}

/** The project's records the checks read, each cut down to what they use (label sets without their rows). */
export async function loadSnapshot(projectId: string): Promise<LessonSnapshot> {
  const d = db();
  const [project, datasets, versions, schemas, labelSchemas, labelEvents, labelSets, labelingFunctions, transforms, runs, models, aliases, evaluations, pipelines, pipelineRuns, pipelineTriggers, servedResponses] =
    await Promise.all([
      d.projects.get(projectId),
      d.datasets.where('projectId').equals(projectId).toArray(),
      d.versions.where('projectId').equals(projectId).filter((v) => v.status === 'ready').toArray(),
      d.schemas.where('projectId').equals(projectId).toArray(),
      d.labelSchemas.where('projectId').equals(projectId).toArray(),
      d.labelEvents.where('projectId').equals(projectId).toArray(),
      d.labelSets.where('projectId').equals(projectId).toArray(),
      d.labelingFunctions.where('projectId').equals(projectId).toArray(),
      d.transforms.where('projectId').equals(projectId).toArray(),
      d.runs.where('projectId').equals(projectId).toArray(),
      d.models.where('projectId').equals(projectId).toArray(),
      d.aliases.where('projectId').equals(projectId).toArray(),
      d.evaluations.where('projectId').equals(projectId).toArray(),
      d.pipelines.where('projectId').equals(projectId).toArray(),
      d.pipelineRuns.where('projectId').equals(projectId).toArray(),
      d.pipelineTriggers.where('projectId').equals(projectId).toArray(),
      d.servedResponses.where('projectId').equals(projectId).toArray(),
    ]);
  const statistics = versions.length ? await d.statistics.where('versionId').anyOf(versions.map((v) => v.id)).toArray() : [];
  return {
    scope: project?.scope ?? null,
    datasets,
    versions,
    statistics,
    schemas,
    labelSchemas,
    labelEvents,
    labelSets: labelSets.map(({ id, datasetVersionId, kind, version, createdAt }) => ({ id, datasetVersionId, kind, version, createdAt })),
    labelingFunctions,
    transforms,
    runs,
    models,
    aliases,
    evaluations,
    pipelines,
    pipelineRuns,
    pipelineTriggers,
    servedResponses,
  };
}

export interface LessonRow {
  lesson: LessonDef;
  status: LessonStatus;
  /** Why it is not offered; null when it is. */
  missing: Unavailable;
}

export type AnswerOutcome = 'correct' | 'wrong' | 'unknown';

export class LessonsState {
  readonly #snapshot: Live<LessonSnapshot>;
  readonly #progress: Live<LessonProgressRecord[]>;
  readonly #workshop: Live<string[] | null>;
  readonly #app = builtApp();
  /** The outcome of the last answer checked per question, for the message beside it. */
  outcomes = $state<Record<string, AnswerOutcome>>({});

  readonly rows = $derived.by((): LessonRow[] =>
    lessonsInOrder(this.#workshop.value).map((lesson) => ({
      lesson,
      status: lessonStatus(lesson, this.#snapshot.value, this.#progressOf(lesson.id)),
      missing: unavailable(lesson, this.#app),
    })),
  );
  readonly workshop = $derived.by(() => this.#workshop.value);
  readonly loading = $derived.by(() => this.#snapshot.loading || this.#progress.loading || this.#workshop.loading);
  readonly snapshot = $derived.by(() => this.#snapshot.value);

  readonly #projectId: () => string;

  constructor(projectId: () => string) {
    this.#projectId = projectId;
    this.#snapshot = live(() => loadSnapshot(projectId()), EMPTY_SNAPSHOT);
    this.#progress = live(() => listLessonProgress(db(), projectId()), []);
    this.#workshop = live(async () => (await getWorkshop(db(), projectId()))?.lessonIds ?? null, null);
    // a check seen passing is kept: the step stays done even if its record is deleted later
    $effect(() => {
      if (this.loading) return;
      const snapshot = this.#snapshot.value;
      for (const { lesson, missing } of this.rows) {
        if (missing) continue;
        const steps = newlyDone(lesson, snapshot, this.#progressOf(lesson.id));
        if (steps.length) void recordStepsDone(db(), this.#projectId(), lesson.id, steps);
      }
    });
  }

  #progressOf(id: LessonId) {
    return this.#progress.value.find((p) => p.lessonId === id) ?? NO_PROGRESS;
  }

  /** The lesson to open first: the first offered one that is not complete (a workshop's lesson one on a fresh project). */
  get firstOpen(): LessonId | null {
    const offered = this.rows.filter((r) => !r.missing);
    return (offered.find((r) => !r.status.complete) ?? offered[0])?.lesson.id ?? null;
  }

  row(id: LessonId): LessonRow | undefined {
    return this.rows.find((r) => r.lesson.id === id);
  }

  /** Every lesson the app offers, in course order: what a teacher chooses a workshop from. */
  get offered(): LessonDef[] {
    return LESSONS.filter((lesson) => unavailable(lesson, this.#app) === null);
  }

  /** A teacher's workshop: these lessons, in course order (none: every lesson again). */
  async saveWorkshop(lessonIds: readonly string[]): Promise<void> {
    const chosen = new Set(lessonIds);
    await setWorkshop(db(), this.#projectId(), LESSONS.filter((l) => chosen.has(l.id)).map((l) => l.id));
  }

  async mark(lessonId: LessonId, stepId: string, done: boolean): Promise<void> {
    await markStep(db(), this.#projectId(), lessonId, stepId, done);
  }

  /** Check an answer against the records now; a right or wrong one is kept, an unknown one is not. */
  async answer(lesson: LessonDef, questionId: string, value: string): Promise<AnswerOutcome> {
    const question = lesson.questions.find((q) => q.id === questionId);
    if (!question) return 'unknown';
    const outcome = checkAnswer(question, this.#snapshot.value, value.trim());
    this.outcomes[`${lesson.id}/${questionId}`] = outcome;
    if (outcome !== 'unknown') await recordAnswer(db(), this.#projectId(), lesson.id, questionId, value.trim(), outcome === 'correct');
    return outcome;
  }
}
