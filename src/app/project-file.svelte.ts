/**
 * A project in one file (issue 18), as the home page uses it: export a project (or a workshop file) with
 * progress and cancel, and open a project file, or a workshop link on this site (#/open?file=<path>), as a
 * new project. The work runs in the data worker (services/project-file-*.ts); the file never passes
 * through the page whole: Blobs go to the worker by reference.
 */
import type { ProjectExport, ProjectFileProgress, ProjectImportOutcome } from '../protocol/project-file';
import { downloadBlob } from './download';
import { router, STAGES, type Route, type Stage } from './router.svelte';
import { dataWorker } from './workers';
import { Job } from './workers/job.svelte';

export class ProjectExporter {
  readonly job = new Job<ProjectExport, ProjectFileProgress>(dataWorker);
  /** A workshop file: the chosen lessons, without the teacher's progress. */
  workshop = $state(false);
  /** The size of the file last made. */
  size = $state(0);

  async start(projectId: string): Promise<void> {
    const workshop = this.workshop;
    const out = await this.job.start((jobId, onProgress) => dataWorker.api.exportProject({ jobId, projectId, workshop }, onProgress));
    if (!out) return;
    this.size = out.file.size;
    downloadBlob(out.fileName, out.file);
  }
}

/** Where an imported project opens: a workshop at its first lesson (the Lessons stage), else its scope. */
export function landingRoute(out: ProjectImportOutcome): Route {
  const lessons = (STAGES as readonly string[]).includes('lessons');
  // until the Lessons stage is registered, a workshop opens at its scope like any project
  const stage = (out.workshop && lessons ? 'lessons' : 'scope') as Stage;
  return { page: 'project', projectId: out.projectId, stage };
}

/** The file a workshop link names (#/open?file=<path>), or null when the address is no such link. */
export function linkedFile(hash: string): string | null {
  const [path, search = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  if (path !== 'open') return null;
  return new URLSearchParams(search).get('file');
}

export class ProjectImporter {
  readonly job = new Job<ProjectImportOutcome, ProjectFileProgress>(dataWorker);
  /** The file being (or last) imported. */
  fileName = $state('');
  /** A workshop link being fetched, and why it could not be. */
  fetching = $state(false);
  linkProblem = $state<{ key: 'otherSite' | 'failed'; status?: number } | null>(null);

  async open(file: Blob, fileName: string): Promise<void> {
    this.fileName = fileName;
    this.linkProblem = null;
    const out = await this.job.start((jobId, onProgress) => dataWorker.api.importProject({ jobId, file, fileName }, onProgress));
    if (out) router.go(landingRoute(out));
  }

  /** Open the file a workshop link names: only a file of this site (same origin), fetched whole as a Blob. */
  async openLink(file: string): Promise<void> {
    this.fileName = file;
    this.linkProblem = null;
    const url = new URL(file, globalThis.location.href);
    if (url.origin !== globalThis.location.origin) {
      this.linkProblem = { key: 'otherSite' };
      return;
    }
    this.fetching = true;
    try {
      const response = await fetch(url);
      if (!response.ok) {
        this.linkProblem = { key: 'failed', status: response.status };
        return;
      }
      const blob = await response.blob();
      this.fetching = false;
      await this.open(blob, url.pathname.split('/').pop() || file);
    } catch {
      this.linkProblem = { key: 'failed', status: 0 };
    } finally {
      this.fetching = false;
    }
  }
}
