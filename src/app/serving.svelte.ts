/**
 * This window's part of the tab's TF Serving routes (issue 15). The service worker posts each request
 * under `<app base>/v1/models` to a window of the app; this window answers it in the training worker on
 * the models of the project open here (none open: 503), replies on the message's port, and logs the
 * request: a compact record in IndexedDB for the Monitoring view (store/served-responses.ts), and the
 * Deploy page's log, this session's (time, model, version, status, latency), shared with the app's other
 * windows over a BroadcastChannel so a Deploy page shows the requests whichever window answered them.
 */
import { SERVE_MESSAGE, errorBody, type ServeMessage, type ServeReply, type ServedLogEntry, type TabServeResult } from '../protocol/tab-serving';
import { codeOfStatus } from '../core/serving/errors';
import { db } from '../store/db';
import { logServedResponse } from '../store/served-responses';
import { router } from './router.svelte';
import { trainWorker } from './workers';

const LOG_CHANNEL = 'pipette-served-requests';
/** The newest requests kept for the Deploy page. */
const LOG_SIZE = 200;

class TabServer {
  /** Answered requests, newest first. */
  log = $state.raw<ServedLogEntry[]>([]);
  #channel: BroadcastChannel | undefined;

  start(): void {
    const container = globalThis.navigator?.serviceWorker;
    if (!container) return;
    container.addEventListener('message', (e: MessageEvent) => {
      const data = e.data as Partial<ServeMessage> | null;
      if (data?.type === SERVE_MESSAGE && e.ports[0]) void this.#answer(data as ServeMessage, e.ports[0]);
    });
    // messages from the service worker wait until the page says it listens
    container.startMessages();
    this.#channel = new BroadcastChannel(LOG_CHANNEL);
    this.#channel.onmessage = (e: MessageEvent<ServedLogEntry>) => this.#add(e.data);
  }

  /** The project this window serves, or null on a page outside a project. */
  get projectId(): string | null {
    const route = router.route;
    return route.page === 'project' ? route.projectId : null;
  }

  async #answer(message: ServeMessage, port: MessagePort): Promise<void> {
    const started = performance.now();
    const projectId = this.projectId;
    if (!projectId) {
      port.postMessage({ status: 503, body: errorBody('The Pipette window that received this request has no project open: open a project in Pipette, then send the request again') } satisfies ServeReply);
      return;
    }
    const result = await trainWorker.api
      .serve({ projectId, method: message.method, path: message.path, body: message.body })
      .catch((e: unknown): TabServeResult => ({ status: 500, body: errorBody(e instanceof Error ? e.message : String(e)), code: 'internal' }));
    port.postMessage({ status: result.status, body: result.body } satisfies ServeReply);
    const entry: ServedLogEntry = {
      at: Date.now(),
      projectId,
      method: message.method,
      path: message.path,
      model: result.model ?? null,
      version: result.version ?? null,
      status: result.status,
      latencyMs: performance.now() - started,
      code: result.status === 200 ? null : (result.code ?? codeOfStatus(result.status)),
    };
    this.#add(entry);
    this.#channel?.postMessage(entry);
    // the Monitoring view's lasting record (the log above is this session's)
    await logServedResponse(db(), { projectId, at: entry.at, model: entry.model ?? '', version: entry.version, status: entry.status, latencyMs: entry.latencyMs, classes: result.classes ?? [] }).catch((e: unknown) =>
      console.warn('The answered request could not be recorded for monitoring', e),
    );
  }

  #add(entry: ServedLogEntry): void {
    this.log = [entry, ...this.log].slice(0, LOG_SIZE);
  }
}

export const tabServer = new TabServer();
