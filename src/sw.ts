/**
 * The service worker (vite-plugin-pwa injectManifest). It precaches the build as workbox's generateSW
 * did (the same files, index.html for every navigation, outdated caches removed, SKIP_WAITING for the
 * "a new version is ready" prompt), and answers TF Serving's REST routes under `<app base>/v1/models`
 * (issue 15) without running a model itself: each request goes over a MessageChannel to a window of the
 * app, whose training worker answers it (app/serving.svelte.ts). No window open: 503.
 * Every response it serves from the precache carries COOP and COEP (protocol/isolation.ts), so the app is
 * cross-origin isolated on any static host and wasm trains on every core (issue 16).
 */
import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { SERVE_MESSAGE, errorBody, type ServeMessage, type ServeReply } from './protocol/tab-serving';
import { withIsolationHeaders } from './protocol/isolation';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | PrecacheEntry)[] };

/** How long a window may take to answer (a first request starts TF.js and loads the model). */
const ANSWER_TIMEOUT_MS = 120_000;

self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

const scopePath = new URL(self.registration.scope).pathname;
const servingPath = `${scopePath}v1/models`;

function json(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'Content-Type': 'application/json' } });
}

/** A window running the app: the one that sent the request if it is one, else the most recently focused. */
async function appWindow(clientId: string): Promise<WindowClient | undefined> {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  // the app's page itself (any #/ route), not e.g. a tab showing one of these JSON answers
  const apps = windows.filter((w) => {
    const path = new URL(w.url).pathname;
    return path === scopePath || path === `${scopePath}index.html`;
  });
  return apps.find((w) => w.id === clientId) ?? apps.find((w) => w.focused) ?? apps[0];
}

async function serve({ request, event }: { request: Request; event: ExtendableEvent }): Promise<Response> {
  const url = new URL(request.url);
  const body = request.method === 'GET' ? '' : await request.text();
  const client = await appWindow((event as FetchEvent).clientId);
  if (!client) return json(503, errorBody('No Pipette window is open to answer this request: open Pipette (this address without /v1/models...) in a tab, open the project whose models to serve, then send the request again'));
  const channel = new MessageChannel();
  const reply = new Promise<ServeReply>((resolve) => {
    channel.port1.onmessage = (e: MessageEvent<ServeReply>) => resolve(e.data);
    setTimeout(() => resolve({ status: 503, body: errorBody(`The Pipette window did not answer within ${ANSWER_TIMEOUT_MS / 1000} s: reload it and send the request again`) }), ANSWER_TIMEOUT_MS);
  });
  const message: ServeMessage = { type: SERVE_MESSAGE, method: request.method, path: url.pathname.slice(scopePath.length - 1), body };
  client.postMessage(message, [channel.port2]);
  const { status, body: text } = await reply;
  channel.port1.close();
  return json(status, text);
}

const isServing = ({ url }: { url: URL }) => url.origin === self.location.origin && (url.pathname === servingPath || url.pathname.startsWith(`${servingPath}/`));
// before the navigation route: a tab opened on a status URL gets the JSON, not the app
registerRoute(isServing, serve, 'GET');
registerRoute(isServing, serve, 'POST');

// the app's documents and scripts, and index.html for navigations: all with the isolation headers
addPlugins([{ handlerWillRespond: async ({ response }) => withIsolationHeaders(response) }]);
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));
