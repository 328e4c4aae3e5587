/**
 * The URL of a request, read with TF Serving's patterns (model_servers/http_rest_api_util.cc, matched
 * case-insensitively against the whole path):
 *
 *   POST /v1/models/{name}[/versions/{v} | /labels/{label}]:(classify|regress|predict)
 *   GET  /v1/models[/{name}][/versions/{v} | /labels/{label}][/metadata]
 *
 * Anything else is "Malformed request: METHOD PATH" (400). The name and the label are URL-decoded; a
 * version is a 64-bit integer.
 */
import { invalid } from './errors';

export type ServingMethod = 'predict' | 'classify' | 'regress';

/** Which version a request names: the latest, a number, or a label. */
export type VersionChoice = { kind: 'latest' } | { kind: 'version'; version: number } | { kind: 'label'; label: string };

export type Route = { kind: 'status'; name: string; choice: VersionChoice } | { kind: 'metadata'; name: string; choice: VersionChoice } | { kind: ServingMethod; name: string; choice: VersionChoice };

const PREDICTION = /^\/v1\/models\/([^/:]+)(?:(?:\/versions\/(\d+))|(?:\/labels\/([^/:]+)))?:(classify|regress|predict)$/i;
const STATUS = /^\/v1\/models(?:\/([^/:]+))?(?:(?:\/versions\/(\d+))|(?:\/labels\/([^/:]+)))?(?:\/(metadata))?$/i;
const INT64_MAX = 9223372036854775807n;

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalid(`Failed to decode ${what}:${part}`);
  }
}

function choiceOf(version: string | undefined, label: string | undefined): VersionChoice {
  if (version) {
    if (BigInt(version) > INT64_MAX) throw invalid(`Failed to convert version: ${version} to numeric.`);
    return { kind: 'version', version: Number(version) };
  }
  if (label) return { kind: 'label', label: decode(label, 'model version label') };
  return { kind: 'latest' };
}

/** The route of a request, or a ServingError (400) as TF Serving words it. `path` has no query string. */
export function parseRoute(method: string, path: string): Route {
  const malformed = () => invalid(`Malformed request: ${method} ${path}`);
  if (method === 'POST') {
    const m = PREDICTION.exec(path);
    if (!m) throw malformed();
    return { kind: m[4]!.toLowerCase() as ServingMethod, name: decode(m[1]!, 'model name'), choice: choiceOf(m[2], m[3]) };
  }
  if (method === 'GET') {
    const m = STATUS.exec(path);
    if (!m) throw malformed();
    const name = m[1] ? decode(m[1], 'model name') : '';
    const choice = choiceOf(m[2], m[3]);
    if (!name) throw invalid('Missing model name in request.');
    return { kind: m[4] ? 'metadata' : 'status', name, choice };
  }
  throw malformed();
}
