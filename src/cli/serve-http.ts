/**
 * The HTTP side of `pipette serve`: node:http, each request read up to the body limit (a larger one is
 * answered 413 without reading it all, and the connection closed) and answered by the serving core's
 * `handle`. Whatever happens, the client gets TF Serving's JSON error shape, never a stack trace.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { handle, tooLarge, type HandlerOptions } from '../core/serving/handler';
import type { ServedModels } from '../core/serving/models';
import { errorResponse } from '../core/serving/response';

export interface ServerFigures {
  requests: number;
  errors: number;
}

function reply(res: ServerResponse, status: number, body: string, close = false): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...(close ? { Connection: 'close' } : {}) });
  res.end(body);
}

/** The body as text, or null when it went over the limit (then answered here). */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<string | null> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    const refuse = (bytes: number) => {
      const e = tooLarge(bytes, limit);
      reply(res, e.status, errorResponse(e.message), true);
      // stop reading the rest; the response above has been queued, then the socket goes
      res.on('finish', () => req.destroy());
      resolve(null);
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

export function createServingServer(models: ServedModels, options: HandlerOptions & { maxBodyBytes: number }, figures: ServerFigures): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    void readBody(req, res, options.maxBodyBytes)
      .then(async (body) => {
        if (body === null) {
          figures.requests++;
          figures.errors++;
          return;
        }
        const answer = await handle({ method: req.method ?? 'GET', path, body, bodyBytes: Buffer.byteLength(body) }, models, options);
        figures.requests++;
        if (answer.status !== 200) figures.errors++;
        reply(res, answer.status, answer.body);
      })
      .catch((e: unknown) => reply(res, 500, errorResponse(e instanceof Error ? e.message : String(e))));
  });
}
