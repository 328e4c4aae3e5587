/**
 * Hash routing: works from any static host and offline, and a reload lands on the same page.
 *   #/                                  projects
 *   #/settings                          settings
 *   #/p/<projectId>/<stage>             a stage of a project
 *   #/p/<projectId>/data/<versionId>    a dataset version in the data stage
 */
import { STAGES, type Stage } from './stages';
export { STAGES, type Stage };

export type Route =
  | { page: 'home' }
  | { page: 'settings' }
  | { page: 'project'; projectId: string; stage: Stage; versionId?: string };

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'settings') return { page: 'settings' };
  if (parts[0] === 'p' && parts[1]) {
    const stage = (STAGES as readonly string[]).includes(parts[2] ?? '') ? (parts[2] as Stage) : 'scope';
    return { page: 'project', projectId: parts[1], stage, versionId: stage === 'data' ? parts[3] : undefined };
  }
  return { page: 'home' };
}

export function href(route: Route): string {
  switch (route.page) {
    case 'home':
      return '#/';
    case 'settings':
      return '#/settings';
    case 'project': {
      const tail = route.versionId ? `/${encodeURIComponent(route.versionId)}` : '';
      return `#/p/${encodeURIComponent(route.projectId)}/${route.stage}${tail}`;
    }
  }
}

class Router {
  route = $state<Route>(parseHash(globalThis.location?.hash ?? ''));

  constructor() {
    globalThis.addEventListener?.('hashchange', () => {
      this.route = parseHash(location.hash);
    });
  }

  go(route: Route) {
    location.hash = href(route);
  }
}

export const router = new Router();
