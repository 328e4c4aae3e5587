/**
 * The HTTP side of `pipette serve`: node:http, each request read up to the body limit (a larger one is
 * answered 413 without reading it all, and the connection closed) and answered by the serving core's
 * `handle`. Whatever happens, the client gets TF Serving's JSON error shape, never a stack trace.
 * Every answer is counted in the metrics (GET /monitoring/prometheus/metrics, serve-metrics.ts) and,
 * when sampled, written to the request log (serve-log.ts) with the inputs the model ran on.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { handle, tooLarge, type HandlerOptions, type ServingResponse } from '../core/serving/handler';
import type { ServedModels } from '../core/serving/models';
import { recordingRun, requestLogLine, type ServedRun } from '../core/serving/request-log';
import { errorResponse } from '../core/serving/response';
import type { RequestLog } from './serve-log';
import { ServingMetrics } from './serve-metrics';

/** TF Serving's default path of the Prometheus page (MonitoringConfig's prometheus_config.path). */
export const METRICS_PATH = '/monitoring/prometheus/metrics';

export interface ServerFigures {
  requests: number;
  errors: number;
}

export interface ServerOptions extends HandlerOptions {
  maxBodyBytes: number;
  /** Counts every request; a new one when not given. */
  metrics?: ServingMetrics;
  /** The sampled request log, if asked for. */
  log?: RequestLog | null;
}

function reply(res: ServerResponse, status: number, body: string, close = false, type = 'application/json'): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...(close ? { Connection: 'close' } : {}) });
  res.end(body);
}

/** The body as text, or the 413 answer when it went over the limit (then answered here). */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<string | ServingResponse | null> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    const refuse = (bytes: number) => {
      const e = tooLarge(bytes, limit);
      const answer: ServingResponse = { status: e.status, body: errorResponse(e.message), code: e.code };
      reply(res, answer.status, answer.body, true);
      // stop reading the rest; the response above has been queued, then the socket goes
      res.on('finish', () => req.destroy());
      resolve(answer);
    };
    if (declared > limit) return refuse(declared);
    const chunks: Buffer[] = [];
    let bytes = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      bytes += chunk.length;
      if (bytes > limit) {
        done = true;
        refuse(bytes);
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', () => {
      if (!done) resolve(null);
      done = true;
    });
  });
}

export function createServingServer(models: ServedModels, options: ServerOptions, figures: ServerFigures): Server {
  const metrics = options.metrics ?? new ServingMetrics();
  const base = options.run ?? ((resolved, inputs) => resolved.model.predict(inputs));
  return createServer((req, res) => {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && path === METRICS_PATH) return reply(res, 200, metrics.page(), false, 'text/plain; version=0.0.4');
    const logged = options.log?.sample() ? recordingRun(base) : null;
    const done = (answer: ServingResponse, runs: ServedRun[]) => {
      const latencyMs = performance.now() - started;
      figures.requests++;
      if (answer.status !== 200) figures.errors++;
      metrics.record(answer, latencyMs);
      if (logged) options.log!.write(requestLogLine({ ...answer, at: Date.now(), latencyMs }, runs[0]));
    };
    void readBody(req, res, options.maxBodyBytes)
      .then(async (body) => {
        if (body === null) return;
        if (typeof body !== 'string') return done(body, []);
        const answer = await handle({ method: req.method ?? 'GET', path, body, bodyBytes: Buffer.byteLength(body) }, models, { ...options, run: logged?.run ?? base });
        reply(res, answer.status, answer.body);
        done(answer, logged?.runs ?? []);
      })
      .catch((e: unknown) => reply(res, 500, errorResponse(e instanceof Error ? e.message : String(e))));
  });
}
