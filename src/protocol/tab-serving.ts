/**
 * The tab's TF Serving routes, between the service worker and an app window (issue 15). The service
 * worker runs no model: it posts each request under `<app base>/v1/models` to a window of the app over a
 * MessageChannel, and the window's training worker answers it with core/serving's handler on the models
 * of the project open there. The types here are what crosses those two boundaries.
 */

import type { ServingErrorCode } from '../core/serving/errors';

/** The `type` of the service worker's message to a window. */
export const SERVE_MESSAGE = 'pipette-serve';

/** What the service worker posts to a window (the reply comes back on the transferred port). */
export interface ServeMessage {
  type: typeof SERVE_MESSAGE;
  method: string;
  /** The path from the app's base on: /v1/models/... */
  path: string;
  body: string;
}

/** The window's reply: the response's status and its JSON text. */
export interface ServeReply {
  status: number;
  body: string;
}

/** A request the training worker is asked to answer for a project. */
export interface TabServeRequest {
  projectId: string;
  method: string;
  path: string;
  body: string;
}

/** The worker's answer and what the request reached (for the Deploy page's log). */
export interface TabServeResult extends ServeReply {
  model?: string;
  version?: number;
  api?: string;
  /** The error's code when the status is not 200 (the Deploy page says it in the person's language). */
  code?: ServingErrorCode;
  /** The predicted class of each row of a classification answer. */
  classes?: string[];
}

/** One answered request as the Deploy page lists it. */
export interface ServedLogEntry {
  at: number;
  projectId: string;
  method: string;
  path: string;
  model: string | null;
  version: number | null;
  status: number;
  latencyMs: number;
  /** The error's code, for an answer that is not 200 (null for one made before the handler ran without one). */
  code: ServingErrorCode | null;
}

/** TF Serving's error body, for the answers given before the handler runs (no window, no project). */
export { errorResponse as errorBody } from '../core/serving/response';
