/**
 * Writing Python source from TypeScript: literals (a JS value as the Python expression that means the
 * same), names, and the notes an export gives about what it could not carry over exactly.
 */

/** A JS value as a Python literal: strings, numbers, booleans, null, lists and string-keyed dicts. */
export function py(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return pyString(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (Array.isArray(value)) return `[${value.map(py).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pyString(k)}: ${py(v)}`)
      .join(', ')}}`;
  }
  throw new TypeError(`no Python literal for ${typeof value}`);
}

/** The same, spread over lines and indented like JSON.stringify(value, null, 4), for a readable constant. */
export function pyPretty(value: unknown, level = 0): string {
  const pad = '    '.repeat(level + 1);
  const end = '    '.repeat(level);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => pad + pyPretty(v, level + 1)).join(',\n')},\n${end}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${pad}${pyString(k)}: ${pyPretty(v, level + 1)}`).join(',\n')},\n${end}}`;
  }
  return py(value);
}

/**
 * A string literal. JSON's escapes (\" \\ \n \t \uXXXX ...) are all Python escapes too, and a
 * double-quoted Python string reads them the same way, so JSON.stringify writes a correct literal.
 */
export function pyString(s: string): string {
  return JSON.stringify(s);
}

export function pyNumber(x: number): string {
  if (Number.isNaN(x)) return "float('nan')";
  if (x === Infinity) return "float('inf')";
  if (x === -Infinity) return "float('-inf')";
  return String(x);
}

/** A float literal even for whole numbers (0.5, 1.0), where Python's type matters (a learning rate). */
export function pyFloat(x: number): string {
  const s = pyNumber(x);
  return Number.isInteger(x) && !s.includes('e') ? `${s}.0` : s;
}

/** Letters, digits and _ only, not starting with a digit: a safe Python identifier or file name part. */
export function pyIdentifier(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(s) ? `_${s}` : s || '_';
}

/** Indent every non-empty line by `levels` x 4 spaces. */
export function indent(lines: readonly string[], levels = 1): string[] {
  const pad = '    '.repeat(levels);
  return lines.map((l) => (l === '' ? l : pad + l));
}

/** What an export could not carry over exactly: the README and the page say each one in words. */
export type ExportNoteCode =
  | 'missing-values' // tf.Transform's analyzers count missing values that Pipette's skip
  | 'hash-differs' // hash buckets come from FarmHash in tf.Transform, FNV-1a in Pipette (params.step)
  | 'quantile-approximate' // tft.quantiles is approximate where Pipette's quantile is exact (params.step)
  | 'op-not-exported' // a transform step with no tf.Transform equivalent: a TODO in module.py (params.op)
  | 'layer-not-exported' // a layer the Keras model cannot take from the transform's flat features (params.layer)
  | 'input-not-read' // the model's image or token input is not read from CSV examples (params.kind)
  | 'added-transform' // the Trainer encodes its columns itself: the export adds a Transform for them (params.transform)
  | 'no-transform' // the Trainer reads no transform_graph and no Transform could be added (no schema, no features)
  | 'encoding-approximate' // a column encoding written as transform steps that differ a little (params.column)
  | 'encoding-not-exported' // a column encoding with no transform step (tokens, image) (params.column)
  | 'component-not-exported' // a component type TFX has no equivalent for (params.type); its model passes through
  | 'one-module' // only one Transform and one Trainer go into module.py (params.kind)
  | 'split-differs' // ExampleGen's hash split is not Pipette's seeded, stratified split
  | 'validator-does-not-stop' // TFX's ExampleValidator records anomalies; it does not stop the run
  | 'schema-file' // ImportSchemaGen reads a schema.pbtxt the export does not write
  | 'schema-options' // SchemaGen's Pipette options (domain size, ranges) have no TFX setting
  | 'metric-not-exported' // a threshold on a metric with no TFMA equivalent (params.metric)
  | 'slice-not-exported' // a threshold on a slice TFMA cannot name from the slice id (params.slice)
  | 'baseline-resolver' // relative thresholds compare with TFX's latest blessed model, not the production alias
  | 'evaluator-options' // bootstrap or minCount have no EvalConfig field here
  | 'no-classes' // a classifier's class order is not in the context, so module.py's CLASSES is empty
  | 'datetime-column'; // a date column is read from the CSV as a number (params.column)

export interface ExportNote {
  code: ExportNoteCode;
  /** The component, step or layer it is about. */
  component?: string;
  params: Record<string, string | number>;
  /** In English, for the README, logs and the Python comments. */
  message: string;
}

export function note(code: ExportNoteCode, message: string, params: Record<string, string | number> = {}, component?: string): ExportNote {
  return component === undefined ? { code, params, message } : { code, component, params, message };
}
