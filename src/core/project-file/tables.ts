/**
 * Which tables of the database (store/db.ts) a project file carries, how a project's records are found in
 * each, and what the import must renumber. Parents come before their children: a child record is checked
 * against the parent keys already read. tests/unit/project-file/tables.test.ts fails when a table of db.ts
 * is neither here nor in LEFT_OUT, so a new table cannot be forgotten.
 */

/** How the records of one project are found in a table. */
export type Selection =
  /** The table's primary key is the project id (projects: id; mlmd: projectId). */
  | { kind: 'project-key'; field: string }
  /** The table has a projectId index. */
  | { kind: 'project-index' }
  /** The records of the exported records of `parent`: `field` holds the parent's primary key. */
  | { kind: 'child'; parent: string; field: string };

export interface TableSpec {
  name: string;
  /** The primary key's fields as db.ts declares them ('++seq' is ['seq'], auto-incremented). */
  key: string[];
  select: Selection;
  /** Records holding large binary (Arrow batches, weights): read a few at a time. */
  heavy?: boolean;
  /**
   * An auto-incremented key: the import shifts every key past the destination's largest, and the
   * numbers in `refs` (table and field path) that point at this table's keys with it.
   */
  autoKey?: { refs: { table: string; path: string[] }[] };
  /** Statuses meaning a worker was on it (`from`): such a record arrives with status `to` (resumable where that exists). */
  settle?: { from: string[]; to: string };
  /** Records not exported: half-written ones. */
  skipStatuses?: string[];
  /** The learner's own progress: a workshop file leaves it out, so every student starts at lesson one. */
  learnerProgress?: boolean;
}

const byProject: Selection = { kind: 'project-index' };

export const PROJECT_TABLES: readonly TableSpec[] = [
  { name: 'projects', key: ['id'], select: { kind: 'project-key', field: 'id' } },
  { name: 'datasets', key: ['id'], select: byProject },
  // a version still 'writing' is half an import: the start-up sweep removes it, the file leaves it out
  { name: 'versions', key: ['id'], select: byProject, skipStatuses: ['writing'] },
  { name: 'batches', key: ['versionId', 'index'], select: { kind: 'child', parent: 'versions', field: 'versionId' }, heavy: true },
  { name: 'statistics', key: ['versionId', 'labelColumn'], select: { kind: 'child', parent: 'versions', field: 'versionId' } },
  { name: 'jobs', key: ['id'], select: byProject, settle: { from: ['running', 'queued'], to: 'interrupted' } },
  { name: 'schemas', key: ['id'], select: byProject },
  { name: 'anomalyDecisions', key: ['id'], select: byProject },
  { name: 'servingRequests', key: ['seq'], select: byProject, autoKey: { refs: [{ table: 'pipelineRuns', path: ['trigger', 'throughSeq'] }] } },
  { name: 'labelSchemas', key: ['id'], select: byProject },
  { name: 'labelEvents', key: ['seq'], select: byProject, autoKey: { refs: [{ table: 'labelEvents', path: ['undoes'] }] } },
  { name: 'labelSets', key: ['id'], select: byProject },
  { name: 'labelingFunctions', key: ['id'], select: byProject },
  { name: 'transforms', key: ['id'], select: byProject },
  { name: 'runs', key: ['id'], select: byProject, settle: { from: ['queued', 'running', 'paused'], to: 'interrupted' } },
  { name: 'checkpoints', key: ['runId'], select: { kind: 'child', parent: 'runs', field: 'runId' }, heavy: true },
  { name: 'models', key: ['id'], select: byProject },
  { name: 'modelArtifacts', key: ['modelId'], select: { kind: 'child', parent: 'models', field: 'modelId' }, heavy: true },
  { name: 'aliases', key: ['projectId', 'alias'], select: byProject },
  { name: 'evaluations', key: ['id'], select: byProject },
  { name: 'pipelines', key: ['id'], select: byProject },
  { name: 'pipelineRuns', key: ['id'], select: byProject, settle: { from: ['running'], to: 'interrupted' } },
  { name: 'mlmd', key: ['projectId'], select: { kind: 'project-key', field: 'projectId' } },
  { name: 'pipelineTriggers', key: ['projectId', 'pipelineName'], select: byProject },
  { name: 'servedResponses', key: ['seq'], select: byProject, autoKey: { refs: [] } },
  // a search that was running arrives paused: the Tune page resumes it (its trials are runs, above)
  { name: 'tuneSearches', key: ['id'], select: byProject, settle: { from: ['running'], to: 'paused' } },
  { name: 'tuneTrials', key: ['searchId', 'id'], select: { kind: 'child', parent: 'tuneSearches', field: 'searchId' } },
  { name: 'lessonProgress', key: ['projectId', 'lessonId'], select: byProject, learnerProgress: true },
  // the workshop's chosen lessons (the Lessons page starts at the first)
  { name: 'lessonWorkshops', key: ['projectId'], select: { kind: 'project-key', field: 'projectId' } },
];

/** Tables of db.ts deliberately not in a project file, each with the reason. */
export const LEFT_OUT: Readonly<Record<string, string>> = {};

/** The tables of PROJECT_TABLES that a database has (one of an older version lacks the newer ones). */
export function tablesIn(names: readonly string[]): readonly TableSpec[] {
  return PROJECT_TABLES.filter((t) => names.includes(t.name));
}

export function tableSpec(name: string): TableSpec | undefined {
  return PROJECT_TABLES.find((t) => t.name === name);
}
