/**
 * Page state of the home page (the project list: create, rename, delete, open the demo) and the project a
 * project page shows. Create these while a component initializes (they hold live queries).
 */
import { db, type Project } from '../store/db';
import { createProject, deleteProject, listProjects, renameProject } from '../store/projects';
import { openDemoProject } from './demo.svelte';
import { errorMessage } from './format';
import { t } from './i18n.svelte';
import { live, type Live } from './live.svelte';
import { router } from './router.svelte';

/** One project and how many datasets it has. */
export interface ProjectItem {
  project: Project;
  datasets: number;
}

export class ProjectList {
  readonly projects: Live<ProjectItem[]>;
  /** The new project's name as typed. */
  newName = $state('');
  error = $state('');
  /** The project whose name is being edited, and the name as typed. */
  renaming = $state<string | null>(null);
  renameValue = $state('');
  /** The project the person asked to delete (a dialog confirms). */
  deleting = $state<Project | null>(null);

  constructor() {
    this.projects = live(async () => {
      const list = await listProjects(db());
      const counts = await Promise.all(list.map((p) => db().datasets.where('projectId').equals(p.id).count()));
      return list.map((p, i) => ({ project: p, datasets: counts[i]! }));
    }, [] as ProjectItem[]);
  }

  /** Create a project from the typed name and open its scope. */
  async create(): Promise<void> {
    if (!this.newName.trim()) {
      this.error = t('projects.nameRequired');
      return;
    }
    const project = await createProject(db(), this.newName);
    this.newName = '';
    this.error = '';
    router.go({ page: 'project', projectId: project.id, stage: 'scope' });
  }

  startRename(project: Project): void {
    this.renaming = project.id;
    this.renameValue = project.name;
  }

  async saveRename(id: string): Promise<void> {
    if (!this.renameValue.trim()) return;
    await renameProject(db(), id, this.renameValue);
    this.renaming = null;
  }

  async confirmDelete(): Promise<void> {
    if (!this.deleting) return;
    await deleteProject(db(), this.deleting.id);
    this.deleting = null;
  }

  /** Open (or build) the demo project, its texts in the person's language, and go to its data. */
  async openDemo(): Promise<void> {
    this.error = '';
    try {
      const id = await openDemoProject({
        name: t('projects.demoName'),
        problem: t('demo.problem'),
        baselineSource: t('demo.baselineSource'),
        notes: t('demo.notes'),
      });
      router.go({ page: 'project', projectId: id, stage: 'data' });
    } catch (e) {
      this.error = errorMessage(e);
    }
  }
}

/** The project a page shows, as a live query (undefined once it was deleted). */
export function liveProject(projectId: () => string): Live<Project | undefined> {
  return live(() => db().projects.get(projectId()), undefined);
}
