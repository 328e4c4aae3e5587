/**
 * Hash routing: works from any static host and offline, and a reload lands on the same page.
 *   #/                                  projects
 *   #/settings                          settings
 *   #/p/<projectId>/<stage>             a stage of a project
 *   #/p/<projectId>/data/<versionId>    a dataset version in the data stage
 *   #/p/<projectId>/<stage>?key=value   a stage opened with a choice made (train?transform=<id>)
 */
import { STAGES, type Stage } from './stages';
export { STAGES, type Stage };

export type Route =
  | { page: 'home' }
  | { page: 'settings' }
  | { page: 'project'; projectId: string; stage: Stage; versionId?: string; query?: Record<string, string> };

export function parseHash(hash: string): Route {
  const [path = '', search] = hash.replace(/^#\/?/, '').split('?', 2);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'settings') return { page: 'settings' };
  if (parts[0] === 'p' && parts[1]) {
    const stage = (STAGES as readonly string[]).includes(parts[2] ?? '') ? (parts[2] as Stage) : 'scope';
    const query = search ? Object.fromEntries(new URLSearchParams(search)) : undefined;
    return { page: 'project', projectId: parts[1], stage, versionId: stage === 'data' ? parts[3] : undefined, ...(query ? { query } : {}) };
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
      const search = route.query && Object.keys(route.query).length > 0 ? `?${new URLSearchParams(route.query)}` : '';
      return `#/p/${encodeURIComponent(route.projectId)}/${route.stage}${tail}${search}`;
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
