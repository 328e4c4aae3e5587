import { describe, expect, it } from 'vitest';
import { RELOADED_KEY, reloadIntoIsolation, type IsolationEnv } from '../../../src/app/isolation';
import { withIsolationHeaders } from '../../../src/protocol/isolation';

/** A page's environment: not isolated, a service worker that is ready, never touched, nothing stored. */
function env(overrides: Partial<IsolationEnv> & { controller?: object | null } = {}) {
  const stored = new Map<string, string>();
  let reloads = 0;
  const { controller = null, ...rest } = overrides;
  const e: IsolationEnv = {
    crossOriginIsolated: false,
    serviceWorker: { controller: controller as ServiceWorker | null, ready: Promise.resolve({} as ServiceWorkerRegistration) },
    sessionStorage: { getItem: (k) => stored.get(k) ?? null, setItem: (k, v) => void stored.set(k, v) },
    interacted: new Promise(() => {}),
    reload: () => void reloads++,
    ...rest,
  };
  return { e, stored, reloads: () => reloads };
}

describe('the first visit reloads once into cross-origin isolation', () => {
  it('reloads an uncontrolled, unisolated page once the service worker is ready, and only once per tab', async () => {
    const page = env();
    expect(await reloadIntoIsolation(page.e)).toBe(true);
    expect(page.reloads()).toBe(1);
    expect(page.stored.has(RELOADED_KEY)).toBe(true);
    // the reloaded page is still not isolated (the browser refused): no second reload, no loop
    expect(await reloadIntoIsolation(page.e)).toBe(false);
    expect(page.reloads()).toBe(1);
  });

  it('leaves an isolated page, a page the service worker served, and a page without one alone', async () => {
    for (const page of [env({ crossOriginIsolated: true }), env({ controller: {} }), env({ serviceWorker: undefined })]) {
      expect(await reloadIntoIsolation(page.e)).toBe(false);
      expect(page.reloads()).toBe(0);
    }
  });

  it('gives up once the person has started doing something', async () => {
    const page = env({ serviceWorker: { controller: null, ready: new Promise(() => {}) }, interacted: Promise.resolve() });
    expect(await reloadIntoIsolation(page.e)).toBe(false);
    expect(page.reloads()).toBe(0);
    expect(page.stored.has(RELOADED_KEY)).toBe(false);
  });
});

describe('the service worker adds COOP and COEP', () => {
  it('keeps the body, status and other headers', async () => {
    const response = withIsolationHeaders(new Response('<p>hi</p>', { status: 200, headers: { 'Content-Type': 'text/html' } }));
    expect(response.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    expect(response.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    expect(response.headers.get('Content-Type')).toBe('text/html');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('<p>hi</p>');
  });
});
