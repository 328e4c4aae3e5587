/**
 * The first visit's one reload into cross-origin isolation (src/protocol/isolation.ts). A page loaded
 * before the service worker existed has only the host's headers; once the worker is active, a reload comes
 * through it with COOP and COEP and the training worker can use every core. Reloads at most once per tab
 * (sessionStorage), never when the service worker already served this page (a reload would change
 * nothing: an older worker, or a browser that refuses isolation), and never once the person has started
 * doing something (the next visit is isolated anyway). Without a service worker nothing happens and wasm
 * runs single-threaded.
 */
export const RELOADED_KEY = 'pipette.isolation-reload';

export interface IsolationEnv {
  crossOriginIsolated: boolean;
  /** The service worker container, or undefined where there is none. */
  serviceWorker?: Pick<ServiceWorkerContainer, 'controller' | 'ready'>;
  sessionStorage: Pick<Storage, 'getItem' | 'setItem'>;
  /** Resolves when the person first clicks or types (the reload is then given up). */
  interacted: Promise<void>;
  reload: () => void;
}

/** Reload once when that makes the page isolated; resolves with whether it reloaded. */
export async function reloadIntoIsolation(env: IsolationEnv): Promise<boolean> {
  const sw = env.serviceWorker;
  if (env.crossOriginIsolated || !sw || sw.controller || env.sessionStorage.getItem(RELOADED_KEY)) return false;
  const ready = await Promise.race([sw.ready.then(() => true), env.interacted.then(() => false)]);
  if (!ready) return false;
  env.sessionStorage.setItem(RELOADED_KEY, String(Date.now()));
  env.reload();
  return true;
}

/** The page's own environment for reloadIntoIsolation. */
export function pageIsolationEnv(): IsolationEnv {
  const interacted = new Promise<void>((resolve) => {
    for (const type of ['pointerdown', 'keydown'] as const) addEventListener(type, () => resolve(), { once: true, capture: true });
  });
  return {
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    serviceWorker: 'serviceWorker' in navigator ? navigator.serviceWorker : undefined,
    sessionStorage,
    interacted,
    reload: () => location.reload(),
  };
}
