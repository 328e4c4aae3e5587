/**
 * `pipette serve <bundle.zip | dir> [--port 8501]`: TF Serving's REST API in Node (issue 15) over the
 * serving core (core/serving): status, metadata, predict, classify and regress for exported bundles or a
 * models directory (serve-models.ts), polled for new versions; predict calls batched when asked
 * (TF Serving's batching parameters). Runs until SIGINT or SIGTERM, then prints its figures; exit code 0,
 * or 2 for bad arguments or nothing to serve.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Batcher } from '../core/serving/batcher';
import { DEFAULT_MAX_BODY_BYTES } from '../core/serving/handler';
import { errorText, type Output } from './report';
import { ModelSource } from './serve-models';
import { createServingServer, METRICS_PATH, type ServerFigures } from './serve-http';
import { DEFAULT_LOG_MAX_BYTES, RequestLog, type RequestLogOptions } from './serve-log';
import { loadTf, type BackendName } from './tf';

export const SERVE_USAGE = `Usage:
  pipette serve <bundle.zip | dir> [--port 8501] [--host 127.0.0.1] [--model_name <name>]
                [--enable_batching] [--max_batch_size 64] [--batch_timeout_micros 1000]
                [--max_body_bytes ${DEFAULT_MAX_BODY_BYTES}] [--poll_seconds 1] [--backend cpu|wasm]
                [--request-log <file.jsonl> [--request-log-sampling 1] [--request-log-max-bytes ${DEFAULT_LOG_MAX_BYTES}]]

Serves models with TensorFlow Serving's REST API (GET /v1/models/<name>[/versions/<v>|/labels/<l>][/metadata],
POST /v1/models/<name>[...]:predict|classify|regress), and its metrics for Prometheus
(GET /monitoring/prometheus/metrics: :tensorflow:serving:request_count and :tensorflow:serving:request_latency).

  <bundle.zip>           a model bundle as Pipette's registry exports it, served as version 1
  <dir>                  a bundle's files (model.json, metadata.json, ...), served as version 1; or
                         <dir>/<version>/ (one model, named after dir), or <dir>/<name>/<version>/ (several;
                         <dir>/<name>/labels.json may map labels to versions, e.g. {"production": 2});
                         polled for new and removed versions
  --port <n>             HTTP port (default 8501, TF Serving's REST port; 0 picks a free one)
  --host <address>       address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
  --model_name <name>    the model's name, for a single bundle or model directory
  --enable_batching      join concurrent predict calls to one model version into one batch
  --max_batch_size <n>   examples per batch at most (default 64)
  --batch_timeout_micros <n>  how long a batch waits for more calls (default 1000)
  --max_body_bytes <n>   a request body over this is refused with 413 (default ${DEFAULT_MAX_BODY_BYTES})
  --poll_seconds <s>     how often a directory is checked for new versions (default 1; 0 = never)
  --backend cpu|wasm     TF.js backend (default cpu)
  --request-log <file>   append one JSON line per sampled request (time, model, version, status, latency,
                         the inputs as feature rows, the predicted classes and outputs); the Deploy page's
                         Monitoring view imports it
  --request-log-sampling <rate>  the share of requests logged, 0 to 1 (default 1: every request; 0.1: every 10th)
  --request-log-max-bytes <n>    a line that would take the log over this first moves it to <file>.1
                         (replacing an older one) and starts a new file (default ${DEFAULT_LOG_MAX_BYTES})
`;

export interface ServeOptions {
  path: string;
  port: number;
  host: string;
  modelName?: string;
  batching: { maxBatchSize: number; batchTimeoutMicros: number } | null;
  maxBodyBytes: number;
  pollSeconds: number;
  backend: BackendName;
  requestLog: RequestLogOptions | null;
}

export class ServeUsageError extends Error {}

const FLAGS = ['--port', '--host', '--model_name', '--max_batch_size', '--batch_timeout_micros', '--max_body_bytes', '--poll_seconds', '--backend', '--rest_api_port', '--request-log', '--request-log-sampling', '--request-log-max-bytes'];

export function parseServeArgs(argv: readonly string[]): ServeOptions {
  const values: Record<string, string> = {};
  const positional: string[] = [];
  let batching = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--enable_batching') batching = inline === undefined || inline === 'true';
    else if (FLAGS.includes(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new ServeUsageError(`${flag} needs a value`);
      values[flag === '--rest_api_port' ? 'port' : flag.slice(2)] = value;
    } else if (arg.startsWith('-')) throw new ServeUsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  if (positional.length !== 1) throw new ServeUsageError(positional.length === 0 ? 'the bundle or models directory is missing' : `one bundle or directory, not ${positional.length}: ${positional.join(' ')}`);
  const integer = (name: string, fallback: number, min: number) => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new ServeUsageError(`--${name} must be a whole number of at least ${min}, not ${raw}`);
    return n;
  };
  const backend = values.backend ?? 'cpu';
  if (backend !== 'cpu' && backend !== 'wasm') throw new ServeUsageError(`--backend must be cpu or wasm, not ${backend}`);
  const port = integer('port', 8501, 0);
  const sampling = Number(values['request-log-sampling'] ?? 1);
  if (!(sampling >= 0 && sampling <= 1)) throw new ServeUsageError(`--request-log-sampling must be a number from 0 to 1, not ${values['request-log-sampling']}`);
  const logPath = values['request-log'];
  if (!logPath && (values['request-log-sampling'] !== undefined || values['request-log-max-bytes'] !== undefined)) throw new ServeUsageError('--request-log-sampling and --request-log-max-bytes need --request-log <file>');
  if (port > 65535) throw new ServeUsageError(`--port must be at most 65535, not ${port}`);
  return {
    path: positional[0]!,
    port,
    host: values.host ?? '127.0.0.1',
    modelName: values.model_name,
    batching: batching ? { maxBatchSize: integer('max_batch_size', 64, 1), batchTimeoutMicros: integer('batch_timeout_micros', 1000, 0) } : null,
    maxBodyBytes: integer('max_body_bytes', DEFAULT_MAX_BODY_BYTES, 1),
    pollSeconds: Number(values.poll_seconds ?? 1),
    backend,
    requestLog: logPath ? { path: logPath, samplingRate: sampling, maxBytes: integer('request-log-max-bytes', DEFAULT_LOG_MAX_BYTES, 1) } : null,
  };
}

/** `pipette serve ...`; resolves with the exit code once the server has stopped. */
export async function serveMain(argv: readonly string[], output: Output, stop?: AbortSignal): Promise<number> {
  let options: ServeOptions;
  try {
    options = parseServeArgs(argv);
    if (!existsSync(options.path)) throw new ServeUsageError(`${options.path}: no such file or directory`);
    if (!Number.isFinite(options.pollSeconds) || options.pollSeconds < 0) throw new ServeUsageError('--poll_seconds must be a number of seconds, 0 or more');
  } catch (e) {
    if (!(e instanceof ServeUsageError)) throw e;
    output.err(`pipette serve: ${e.message}\nRun "pipette serve --help" for the usage.`);
    return 2;
  }
  const tf = await loadTf(options.backend);
  const source = new ModelSource(tf, options.path, output, options.modelName);
  await source.sync();
  if (source.models.names().length === 0) {
    output.err(`pipette serve: ${options.path} holds no model that could be loaded`);
    return 2;
  }
  const batcher = options.batching ? new Batcher(options.batching) : null;
  const figures: ServerFigures = { requests: 0, errors: 0 };
  const log = options.requestLog ? new RequestLog(options.requestLog, (e) => output.err(`pipette serve: cannot write the request log ${options.requestLog!.path}: ${errorText(e)}`)) : null;
  const server = createServingServer(source.models, { maxBodyBytes: options.maxBodyBytes, run: batcher?.run, log }, figures);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
  } catch (e) {
    output.err(`pipette serve: cannot listen on ${options.host}:${options.port}: ${errorText(e)}`);
    return 2;
  }
  const { port } = server.address() as AddressInfo;
  for (const name of source.models.names()) output.out(`pipette serve: ${name} versions ${source.models.versions(name).join(', ')}`);
  output.out(`pipette serve: listening on http://${options.host}:${port}${batcher ? ` (batching: at most ${options.batching!.maxBatchSize} examples, ${options.batching!.batchTimeoutMicros} µs)` : ''}`);
  output.out(`pipette serve: metrics at http://${options.host}:${port}${METRICS_PATH}`);
  if (options.requestLog) output.out(`pipette serve: logging ${options.requestLog.samplingRate * 100} % of requests to ${options.requestLog.path}`);

  let polling = false;
  const timer =
    options.pollSeconds > 0
      ? setInterval(() => {
          if (polling) return;
          polling = true;
          source
            .sync()
            .catch((e: unknown) => output.err(`pipette serve: cannot read ${options.path}: ${errorText(e)}`))
            .finally(() => (polling = false));
        }, options.pollSeconds * 1000)
      : null;

  await new Promise<void>((resolve) => {
    const finish = () => resolve();
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    stop?.addEventListener('abort', finish, { once: true });
  });
  if (timer) clearInterval(timer);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await log?.close();
  const batches = batcher ? `, ${batcher.stats.batches} batches for ${batcher.stats.calls} predict calls` : '';
  output.out(`pipette serve: stopped after ${figures.requests} requests (${figures.errors} answered with an error${batches})${log ? `; ${log.stats.logged} logged to ${options.requestLog!.path}${log.stats.rotations ? ` (${log.stats.rotations} rotations)` : ''}` : ''}`);
  return 0;
}
