/** Projects and their scope cards. Each change is one transaction. */
import { RecordError } from '../core/record-error';
import { newId, type PipetteDB, type Project, type Scope } from './db';
import { removeProjectRecords } from './project-file-records';

export const EMPTY_SCOPE: Scope = {
  problem: '',
  target: '',
  metric: '',
  baseline: null,
  baselineSource: '',
  notes: '',
};

export async function createProject(db: PipetteDB, name: string, init: Partial<Project> = {}): Promise<Project> {
  const trimmed = name.trim();
  if (!trimmed) throw new RecordError('name-required', { what: 'project' }, 'A project needs a name.');
  const now = Date.now();
  const project: Project = { id: newId(), createdAt: now, updatedAt: now, scope: { ...EMPTY_SCOPE }, ...init, name: trimmed };
  await db.projects.add(project);
  return project;
}

export async function renameProject(db: PipetteDB, id: string, name: string): Promise<void> {
  const trimmed = name.trim();
  if (!trimmed) throw new RecordError('name-required', { what: 'project' }, 'A project needs a name.');
  await db.projects.update(id, { name: trimmed, updatedAt: Date.now() });
}

export async function saveScope(db: PipetteDB, id: string, scope: Scope): Promise<void> {
  await db.projects.update(id, { scope: { ...scope }, updatedAt: Date.now() });
}

/**
 * Delete a project and everything in it, in one transaction: nothing is left half deleted. Every table a
 * project file carries (core/project-file/tables.ts, which a test keeps complete) is cleared of it.
 */
export async function deleteProject(db: PipetteDB, id: string): Promise<void> {
  await removeProjectRecords(db, id);
}

export function listProjects(db: PipetteDB): Promise<Project[]> {
  return db.projects.orderBy('updatedAt').reverse().toArray();
}
