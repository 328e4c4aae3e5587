/**
 * The request log's line format (issue 15): one JSON object per answered request, written by
 * `pipette serve --request-log` and read back by the Deploy page's Monitoring view (an imported log).
 * TF Serving logs PredictLog protos when its LoggingConfig asks; this is the same idea in JSON Lines:
 *
 *   {"time": "2026-12-03T03:00:00.000Z", "model": "penguins", "version": 1, "api": "predict",
 *    "status": 200, "latency_ms": 2.41, "input_kind": "raw_rows",
 *    "inputs": [{"island": "Biscoe", "bill_length_mm": 45.1, ...}], "classes": ["Gentoo"],
 *    "outputs": [[0.01, 0.02, 0.97]]}
 *
 * `inputs` holds one object per example: a raw feature row for a model on a transform (null for a
 * missing value), else the model's encoded input (`{"<input>": [values]}`, a number for one value).
 * `classes` is each example's predicted class (classifiers), `outputs` each example's values of the
 * model's first output; an answered error has `error` (TF Serving's message) and no inputs.
 */
import { servingError, type ServingError } from './errors';
import type { Resolved } from './models';
import type { MonitoredRequest } from './monitoring';
import { predictedClasses } from './monitoring';
import type { InputKind, Tensor } from './types';

/** One example's inputs: a raw feature row, or an encoded model's input tensors' slices. */
export type LoggedRow = Record<string, string | number | null | (string | number | null)[]>;

export interface RequestLogLine {
  time: string;
  model: string;
  version: number | null;
  api: string | null;
  status: number;
  latency_ms: number;
  input_kind?: InputKind;
  inputs?: LoggedRow[];
  classes?: string[];
  outputs?: (number | number[])[];
  error?: string;
}

/** What a handler's model run was given and gave (recorded by `recordingRun`). */
export interface ServedRun {
  resolved: Resolved;
  inputs: Record<string, Tensor>;
  outputs?: Record<string, Tensor>;
}

/** A model run that records what it was given and gave, for the log (`base` runs the model). */
export function recordingRun(base: (resolved: Resolved, inputs: Record<string, Tensor>) => Promise<Record<string, Tensor>>): {
  run: (resolved: Resolved, inputs: Record<string, Tensor>) => Promise<Record<string, Tensor>>;
  runs: ServedRun[];
} {
  const runs: ServedRun[] = [];
  return {
    runs,
    run: async (resolved, inputs) => {
      const record: ServedRun = { resolved, inputs };
      runs.push(record);
      record.outputs = await base(resolved, inputs);
      return record.outputs;
    },
  };
}

const cellOf = (v: string | number | null | undefined): string | number | null => (v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : v);

/** Each example's inputs: one value per input a scalar (NaN and null are missing), more a list. */
export function loggedRows(inputs: Record<string, Tensor>): LoggedRow[] {
  const columns = Object.entries(inputs);
  const rows = columns[0]?.[1].shape[0] ?? 0;
  return Array.from({ length: rows }, (_, r) =>
    Object.fromEntries(
      columns.map(([name, t]) => {
        const per = rows === 0 ? 0 : t.values.length / rows;
        if (per === 1) return [name, cellOf(t.values[r])];
        return [name, Array.from({ length: per }, (_, i) => cellOf(t.values[r * per + i]))];
      }),
    ),
  );
}

/** Each example's values of a tensor (a number when it has one value per example). */
export function perExample(t: Tensor): (number | number[])[] {
  const rows = t.shape[0] ?? 0;
  const per = rows === 0 ? 0 : t.values.length / rows;
  const values = t.values as ArrayLike<number>;
  return Array.from({ length: rows }, (_, r) => (per === 1 ? values[r]! : Array.from({ length: per }, (_, i) => values[r * per + i]!)));
}

/** The predicted class of each row a classifier answered; empty for anything else. */
export function answeredClasses(status: number, run: ServedRun | undefined): string[] {
  const model = run?.resolved.model;
  const output = run?.outputs && Object.values(run.outputs)[0];
  if (status !== 200 || !model || model.task !== 'classification' || !model.labels || !output) return [];
  return predictedClasses(output, model.labels);
}

/** The log line of one answered request; `run` is the model run it made, if any. */
export function requestLogLine(
  answer: { at: number; latencyMs: number; status: number; body: string; model?: string; version?: number; api?: string },
  run: ServedRun | undefined,
): RequestLogLine {
  const line: RequestLogLine = {
    time: new Date(answer.at).toISOString(),
    model: answer.model ?? '',
    version: answer.version ?? null,
    api: answer.api ?? null,
    status: answer.status,
    latency_ms: Math.round(answer.latencyMs * 1000) / 1000,
  };
  if (answer.status !== 200) {
    try {
      line.error = String((JSON.parse(answer.body) as { error?: unknown }).error ?? '');
    } catch {
      line.error = answer.body;
    }
    return line;
  }
  if (!run) return line;
  line.input_kind = run.resolved.model.inputKind;
  line.inputs = loggedRows(run.inputs);
  const classes = answeredClasses(answer.status, run);
  if (classes.length > 0) line.classes = classes;
  const first = run.outputs && Object.values(run.outputs)[0];
  if (first) line.outputs = perExample(first);
  return line;
}

/** A line of an imported log read for the Monitoring view: its request and, for drift, its raw rows. */
export interface ReadLogLine {
  request: MonitoredRequest;
  model: string;
  version: number | null;
  inputKind: InputKind | null;
  inputs: LoggedRow[];
}

/** A line that is not a request log line: refused naming the line (1-based) and the field ('json': the line itself). */
function badLine(line: number, field: string, why: string): ServingError {
  return servingError('bad-log-line', `Request log line ${line}: ${field === 'json' ? 'the line' : field} ${why}`, { line, field });
}

function isRow(v: unknown): v is LoggedRow {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const scalar = (x: unknown) => x === null || typeof x === 'string' || typeof x === 'number';
  return Object.values(v).every((x) => scalar(x) || (Array.isArray(x) && x.every(scalar)));
}

/** One line of a request log (1-based `line` for errors); blank lines are the caller's to skip. */
export function readLogLine(text: string, line: number): ReadLogLine {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw badLine(line, 'json', 'is not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw badLine(line, 'json', 'is not a JSON object');
  const d = doc as Record<string, unknown>;
  const at = typeof d.time === 'string' ? Date.parse(d.time) : NaN;
  if (!Number.isFinite(at)) throw badLine(line, 'time', 'is not a date and time');
  if (typeof d.model !== 'string') throw badLine(line, 'model', 'is not a text');
  if (d.version !== undefined && d.version !== null && !(Number.isInteger(d.version) && (d.version as number) > 0)) throw badLine(line, 'version', 'is not a version number');
  if (!(Number.isInteger(d.status) && (d.status as number) >= 100 && (d.status as number) <= 599)) throw badLine(line, 'status', 'is not an HTTP status');
  if (!(typeof d.latency_ms === 'number' && d.latency_ms >= 0)) throw badLine(line, 'latency_ms', 'is not a duration of 0 ms or more');
  if (d.input_kind !== undefined && d.input_kind !== 'raw_rows' && d.input_kind !== 'encoded') throw badLine(line, 'input_kind', 'is neither raw_rows nor encoded');
  if (d.inputs !== undefined && !(Array.isArray(d.inputs) && d.inputs.every(isRow))) throw badLine(line, 'inputs', 'is not a list of rows');
  if (d.classes !== undefined && !(Array.isArray(d.classes) && d.classes.every((c) => typeof c === 'string'))) throw badLine(line, 'classes', 'is not a list of class names');
  return {
    request: { at, status: d.status as number, latencyMs: d.latency_ms, classes: (d.classes as string[] | undefined) ?? [] },
    model: d.model,
    version: (d.version as number | null | undefined) ?? null,
    inputKind: (d.input_kind as InputKind | undefined) ?? null,
    inputs: (d.inputs as LoggedRow[] | undefined) ?? [],
  };
}
