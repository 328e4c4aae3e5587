/**
 * The Deploy page's copy-paste examples (issue 15): `fetch` calls for the tab's routes on this origin and
 * `curl` calls for `npx pipette serve` on a version's exported bundle, each with a request body that the
 * model takes: a raw row for a model on a transform, a real one of its data (the first row of its test
 * split) once read; until then its known values (null where none is known, which the route reads as a
 * missing value).
 */
import { transformFeature } from '../core/model/preprocess/inputs';
import { knownInputValues } from '../core/transform/known-values';
import type { ModelVersionRecord } from '../store/training-records';

/** The Node server's port in the examples: TF Serving's REST port. */
export const NODE_PORT = 8501;

/** A model's routes from a base URL (this origin's app base, or the Node server's root). */
export function modelUrl(base: string, name: string): string {
  return new URL(`v1/models/${encodeURIComponent(name)}`, base).href;
}

type RawValue = string | number | boolean | null;

/**
 * One example row of a model on a transform: each raw column the transform reads, with `data(column)`
 * when it gives a value (a real row's cell; null there is a missing value), else a categorical one with
 * its first known value, a number with `numbers(column)` (e.g. the dataset's median) or null. Null for a
 * model that takes its encoded input (its metadata's signature says what shape).
 */
export function exampleRow(
  model: ModelVersionRecord,
  numbers: (column: string) => number | null = () => null,
  data: (column: string) => RawValue | undefined = () => undefined,
): Record<string, RawValue> | null {
  const feature = transformFeature(model.metadata.preprocessing);
  if (!feature) return null;
  const known = knownInputValues(feature.fitted);
  const fallback = (name: string, type: string) => known.get(name)?.[0] ?? (type === 'categorical' || type === 'text' ? null : numbers(name));
  return Object.fromEntries(
    feature.fitted.columns.map((c) => {
      const value = data(c.name);
      return [c.name, value !== undefined ? value : fallback(c.name, c.type)];
    }),
  );
}

/** The raw row a real data row gives: the row's cells by column name (images and dates are not sent). */
export function rowByColumn(columns: readonly { name: string }[], cells: readonly unknown[]): Map<string, RawValue> {
  return new Map(columns.map((c, i) => [c.name, cells[i]]).filter((e): e is [string, RawValue] => e[1] === null || ['string', 'number', 'boolean'].includes(typeof e[1])));
}

export function predictBody(row: Record<string, unknown>): string {
  return JSON.stringify({ instances: [row] });
}

export function fetchStatusExample(url: string): string {
  return `await (await fetch(${JSON.stringify(url)})).json();`;
}

export function fetchPredictExample(url: string, body: string): string {
  return `await (await fetch(${JSON.stringify(`${url}:predict`)}, {\n  method: 'POST',\n  body: JSON.stringify(${body}),\n})).json();`;
}

/** Single quotes around a shell word (a ' inside closes, escapes and reopens). */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Serve the version's exported bundle with the registry's name, then ask for its status and a prediction. */
export function curlExamples(bundleFile: string, name: string, body: string | null): string {
  const url = modelUrl(`http://localhost:${NODE_PORT}/`, name);
  const lines = [`npx pipette serve ${shellQuote(bundleFile)} --port ${NODE_PORT} --model_name ${shellQuote(name)}`, '', `curl ${shellQuote(url)}`];
  if (body) lines.push(`curl -d ${shellQuote(body)} ${shellQuote(`${url}:predict`)}`);
  return lines.join('\n');
}
