/**
 * JSON text as TF Serving writes it. Responses to predict, classify and regress (and errors) come from
 * rapidjson's PrettyWriter (4-space indent; a value of the row format, a classification and the regress
 * result list on one line, kFormatSingleLineArray), floats through WriteDecimal (util/json_tensor.cc):
 * C's %g with 6 significant digits, or 9 (float's max_digits10) when 6 do not read back as the same float,
 * a trailing ".0" on a whole number not in exponent notation, NaN, Infinity and -Infinity as bare tokens.
 * Model status and metadata come from protobuf's JSON printer (1-space indent, int64 as strings).
 */
import type { Json } from './json-parse';

/** An open object or array and how many values (keys count too) it holds so far. */
type Level = { inArray: boolean; count: number };

/** rapidjson's PrettyWriter, for the calls json_tensor.cc makes. `limit` stops writing once the text reaches it. */
export class PrettyWriter {
  private text = '';
  private levels: Level[] = [];
  singleLineArray = false;

  constructor(private readonly limit = Infinity) {}

  private indent(): string {
    return ' '.repeat(4 * this.levels.length);
  }

  private prefix(): void {
    const level = this.levels[this.levels.length - 1];
    if (!level) return;
    if (level.inArray) {
      if (level.count > 0) this.text += this.singleLineArray ? ', ' : ',';
      if (!this.singleLineArray) this.text += `\n${this.indent()}`;
    } else if (level.count % 2 === 1) this.text += ': ';
    else this.text += `${level.count > 0 ? ',' : ''}\n${this.indent()}`;
    level.count++;
  }

  private open(): boolean {
    return this.text.length < this.limit;
  }

  /** A number, a string, true, false or null already written as JSON. */
  raw(token: string): void {
    if (!this.open()) return;
    this.prefix();
    this.text += token;
  }

  string(s: string): void {
    this.raw(JSON.stringify(s));
  }

  key(s: string): void {
    this.string(s);
  }

  private start(bracket: '{' | '[', inArray: boolean): void {
    if (!this.open()) return;
    this.prefix();
    this.text += bracket;
    this.levels.push({ inArray, count: 0 });
  }

  /** A closing bracket on its own line, unless empty (or, for an array, written on one line). */
  private end(bracket: '}' | ']', oneLine: boolean): void {
    if (!this.open()) return;
    const level = this.levels.pop()!;
    if (level.count > 0 && !oneLine) this.text += `\n${this.indent()}`;
    this.text += bracket;
  }

  startObject(): void {
    this.start('{', false);
  }

  endObject(): void {
    this.end('}', false);
  }

  startArray(): void {
    this.start('[', true);
  }

  endArray(): void {
    this.end(']', this.singleLineArray);
  }

  toString(): string {
    return this.text;
  }
}

/** `digits` significant digits of |v| (finite, non-zero), rounded half to even on the exact value, and its decimal exponent. */
function significant(v: number, digits: number): { mantissa: string; exponent: number } {
  // toExponential(100) is exact for every float32 value but the tiniest, so ties can be seen
  const [m, e] = Math.abs(v).toExponential(100).split('e') as [string, string];
  const all = m.replace('.', '');
  let head = all.slice(0, digits);
  const rest = all.slice(digits);
  const up = rest[0]! > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || Number(head[head.length - 1]) % 2 === 1));
  let exponent = Number(e);
  if (up) {
    const bumped = (BigInt(head) + 1n).toString();
    if (bumped.length > digits) {
      head = bumped.slice(0, digits);
      exponent++;
    } else head = bumped;
  }
  return { mantissa: head, exponent };
}

/** C's printf("%.{precision}g", v) for a finite v. */
export function formatG(v: number, precision: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const sign = v < 0 ? '-' : '';
  const { mantissa, exponent } = significant(v, precision);
  if (exponent < -4 || exponent >= precision) {
    const digits = mantissa.replace(/0+$/, '');
    const body = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const exp = Math.abs(exponent).toString().padStart(2, '0');
    return `${sign}${body}e${exponent < 0 ? '-' : '+'}${exp}`;
  }
  let text: string;
  if (exponent >= 0) {
    const whole = mantissa.slice(0, exponent + 1);
    const frac = mantissa.slice(exponent + 1);
    text = frac ? `${whole}.${frac}` : whole;
  } else text = `0.${'0'.repeat(-exponent - 1)}${mantissa}`;
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  return sign + text;
}

/** A DT_FLOAT value as WriteDecimal writes it. */
export function writeFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v < 0 ? '-Infinity' : 'Infinity';
  let text = formatG(v, 6);
  if (Math.fround(Number(text)) !== v) text = formatG(v, 9);
  if (!text.includes('.') && !text.includes('e')) text += '.0';
  return text;
}

/** A parsed JSON value in rapidjson's words, for error messages: single-line arrays, cut after 256 bytes. */
export function debugString(value: Json): string {
  const w = new PrettyWriter(256);
  w.singleLineArray = true;
  const visit = (v: Json): void => {
    if (Array.isArray(v)) {
      w.startArray();
      for (const x of v) visit(x);
      w.endArray();
    } else if (v !== null && typeof v === 'object') {
      w.startObject();
      for (const [k, x] of Object.entries(v)) {
        w.key(k);
        visit(x);
      }
      w.endObject();
    } else if (typeof v === 'number') w.raw(Number.isFinite(v) ? String(v) : writeFloat(v));
    else w.raw(JSON.stringify(v));
  };
  visit(value);
  return w.toString();
}

/** Protobuf's JSON printer with add_whitespace (1-space indent); the values are already what it prints. */
export function protoJson(value: Json, depth = 0): string {
  const pad = ' '.repeat(depth + 1);
  const end = ' '.repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => pad + protoJson(v, depth + 1)).join(',\n')}\n${end}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${protoJson(v, depth + 1)}`).join(',\n')}\n${end}}`;
  }
  return JSON.stringify(value);
}
