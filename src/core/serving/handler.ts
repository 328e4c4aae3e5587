/**
 * One HTTP request in, one TF Serving answer out: the route, the body, the model it names, the model run,
 * the response text and its status. The tab's service worker and the Node server both call `handle`; how
 * a model runs is theirs to give (`run`: straight to the model, or through a batcher), and nothing thrown
 * reaches the client but its message: a fault that is not a ServingError is a 500 with its message alone.
 */
import { invalid, ServingError, servingError, type ServingErrorCode } from './errors';
import { parseJsonBody } from './json-parse';
import { ServedModels, type Resolved } from './models';
import { examplesToInputs, parseExamples, parsePredict } from './request';
import { classifyResponse, errorResponse, metadataResponse, predictResponse, regressResponse, statusResponse } from './response';
import { parseRoute, type Route } from './route';
import { CLASSIFY_METHOD, DEFAULT_SIGNATURE, PREDICT_METHOD, REGRESS_METHOD, type ServableModel, type SignatureDef, type Tensor } from './types';

/** TF Serving's default: 1 GB would be its HTTP library's limit; a served Pipette model needs far less. */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface ServingRequest {
  method: string;
  /** The URL path, without the query string. */
  path: string;
  body: string;
  /** The body's size in bytes, if known before reading it (Content-Length). */
  bodyBytes?: number;
}

export interface ServingResponse {
  status: number;
  body: string;
  /** What the request reached, for logs: the model, its version and the API (when the route was read). */
  model?: string;
  version?: number;
  api?: Route['kind'];
  /** The error's code when the status is not 200 (the page says it in the person's language). */
  code?: ServingErrorCode;
}

export type RunModel = (resolved: Resolved, inputs: Record<string, Tensor>) => Promise<Record<string, Tensor>>;

export interface HandlerOptions {
  maxBodyBytes?: number;
  /** How a predict runs; default: the model's own predict. */
  run?: RunModel;
}

const directRun: RunModel = (resolved, inputs) => resolved.model.predict(inputs);

export function tooLarge(bytes: number, limit: number): ServingError {
  return servingError('too-large', `Request body of ${bytes} bytes is over the limit of ${limit} bytes`);
}

function signatureOf(model: ServableModel, name: string): SignatureDef {
  const key = name || DEFAULT_SIGNATURE;
  const signature = model.signatures[key];
  if (!signature) throw invalid(`Serving signature name: "${key}" not found in signature def`);
  return signature;
}

/** The signature a classify or regress request names (by default the model's own of that method). */
function methodSignature(model: ServableModel, name: string, method: typeof CLASSIFY_METHOD | typeof REGRESS_METHOD): SignatureDef {
  const signature = name ? signatureOf(model, name) : (model.signatures[method] ?? signatureOf(model, ''));
  if (signature.methodName !== method) {
    const what = method === CLASSIFY_METHOD ? 'classification' : 'regression';
    throw invalid(`Expected ${what} signature method_name to be ${method}. Was: ${signature.methodName}`);
  }
  return signature;
}

function onlyOutput(outputs: Record<string, Tensor>): Tensor {
  const names = Object.keys(outputs);
  if (names.length !== 1) throw invalid(`Expected one output tensor, but the model gives ${names.length}`);
  return outputs[names[0]!]!;
}

async function answer(route: Route, body: string, models: ServedModels, run: RunModel): Promise<{ body: string; version?: number }> {
  if (route.kind === 'status') return { body: statusResponse(models.statusVersions(route.name, route.choice)) };
  const resolved = models.resolve(route.name, route.choice);
  const { model, version } = resolved;
  if (route.kind === 'metadata') {
    return { version, body: metadataResponse(route.name, version, model.signatures, { input_kind: model.inputKind, task: model.task, labels: model.labels }) };
  }
  const doc = parseJsonBody(body);
  if (route.kind === 'predict') {
    const request = parsePredict(doc, (name) => {
      const signature = signatureOf(model, name);
      if (signature.methodName !== PREDICT_METHOD) throw invalid(`Expected prediction signature method_name to be ${PREDICT_METHOD}. Was: ${signature.methodName}`);
      return signature;
    });
    return { version, body: predictResponse(await run(resolved, request.inputs), request.format) };
  }
  const examples = parseExamples(doc);
  const method = route.kind === 'classify' ? CLASSIFY_METHOD : REGRESS_METHOD;
  methodSignature(model, examples.signatureName, method);
  const inputs = examplesToInputs(examples, signatureOf(model, '').inputs);
  const output = onlyOutput(await run(resolved, inputs));
  const n = examples.examples.length;
  if (route.kind === 'regress') {
    if (!(output.shape.length === 1 || (output.shape.length === 2 && output.shape[1] === 1))) {
      throw invalid(`Expected output Tensor shape to be either [batch_size] or [batch_size, 1] but got [${output.shape.join(',')}]`);
    }
    return { version, body: regressResponse(output.values as Float32Array) };
  }
  const classes = output.shape[1] ?? 1;
  const labels = model.labels ?? Array.from({ length: classes }, () => '');
  const scores = output.values as Float32Array;
  const results = Array.from({ length: n }, (_, i) => labels.map((label, c): [string, number] => [label, scores[i * classes + c]!]));
  return { version, body: classifyResponse(results) };
}

/** Answer one request; never throws. */
export async function handle(request: ServingRequest, models: ServedModels, options: HandlerOptions = {}): Promise<ServingResponse> {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let route: Route | undefined;
  try {
    const bytes = request.bodyBytes ?? new TextEncoder().encode(request.body).length;
    if (bytes > limit) throw tooLarge(bytes, limit);
    route = parseRoute(request.method, request.path);
    const { body, version } = await answer(route, request.body, models, options.run ?? directRun);
    return { status: 200, body, model: route.name, version, api: route.kind };
  } catch (e) {
    const error = e instanceof ServingError ? e : servingError('internal', e instanceof Error ? e.message : String(e));
    return { status: error.status, body: errorResponse(error.message), model: route?.name, api: route?.kind, code: error.code };
  }
}
