/**
 * The request body's JSON, read as TF Serving reads it (rapidjson with kParseNanAndInfFlag and
 * kParseStopWhenDoneFlag, util/json_tensor.cc ParseJson): NaN, Infinity and -Infinity (also Inf) are
 * numbers, anything after the first complete value is ignored, and a syntax error is
 * "JSON Parse error: <rapidjson's English> at offset: <byte>". The fast path is JSON.parse; this parser
 * runs only when JSON.parse refuses the text.
 */
import { invalid } from './errors';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// rapidjson's GetParseError_En
const MESSAGES = {
  empty: 'The document is empty.',
  value: 'Invalid value.',
  name: 'Missing a name for object member.',
  colon: 'Missing a colon after a name of object member.',
  objectComma: "Missing a comma or '}' after an object member.",
  arrayComma: "Missing a comma or ']' after an array element.",
  hex: 'Incorrect hex digit after \\u escape in string.',
  surrogate: 'The surrogate pair in string is invalid.',
  escape: 'Invalid escape character in string.',
  quote: 'Missing a closing quotation mark in string.',
  encoding: 'Invalid encoding in string.',
  tooBig: 'Number too big to be stored in double.',
  fraction: 'Miss fraction part in number.',
  exponent: 'Miss exponent in number.',
} as const;

class SyntaxFault {
  constructor(
    readonly message: string,
    readonly at: number,
  ) {}
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Reader {
  at = 0;
  constructor(private readonly s: string) {}

  fail(what: keyof typeof MESSAGES, at = this.at): never {
    throw new SyntaxFault(MESSAGES[what], at);
  }

  skipSpace(): void {
    const s = this.s;
    while (this.at < s.length && (s[this.at] === ' ' || s[this.at] === '\n' || s[this.at] === '\r' || s[this.at] === '\t')) this.at++;
  }

  value(): Json {
    const c = this.s[this.at];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === 't') return this.literal('true', true);
    if (c === 'f') return this.literal('false', false);
    if (c === 'n') return this.literal('null', null);
    return this.number();
  }

  literal<T extends Json>(word: string, v: T): T {
    if (this.s.startsWith(word, this.at)) {
      this.at += word.length;
      return v;
    }
    return this.fail('value');
  }

  object(): Json {
    this.at++;
    const out: { [key: string]: Json } = {};
    this.skipSpace();
    if (this.s[this.at] === '}') {
      this.at++;
      return out;
    }
    for (;;) {
      if (this.s[this.at] !== '"') this.fail('name');
      const key = this.string();
      this.skipSpace();
      if (this.s[this.at] !== ':') this.fail('colon');
      this.at++;
      this.skipSpace();
      const v = this.value();
      // rapidjson keeps the first of repeated keys for FindMember; a "__proto__" key stays a plain key
      if (!Object.hasOwn(out, key)) Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      const c = this.s[this.at];
      if (c === ',') {
        this.at++;
        this.skipSpace();
      } else if (c === '}') {
        this.at++;
        return out;
      } else this.fail('objectComma');
    }
  }

  array(): Json {
    this.at++;
    const out: Json[] = [];
    this.skipSpace();
    if (this.s[this.at] === ']') {
      this.at++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.skipSpace();
      const c = this.s[this.at];
      if (c === ',') {
        this.at++;
        this.skipSpace();
      } else if (c === ']') {
        this.at++;
        return out;
      } else this.fail('arrayComma');
    }
  }

  string(): string {
    const s = this.s;
    this.at++;
    let out = '';
    for (;;) {
      if (this.at >= s.length) this.fail('quote');
      const c = s[this.at]!;
      if (c === '"') {
        this.at++;
        return out;
      }
      if (c === '\\') {
        const e = s[this.at + 1];
        if (e === 'u') {
          let code = this.hex4(this.at + 2);
          this.at += 6;
          if (code >= 0xd800 && code <= 0xdbff) {
            if (s[this.at] !== '\\' || s[this.at + 1] !== 'u') this.fail('surrogate');
            const low = this.hex4(this.at + 2);
            if (low < 0xdc00 || low > 0xdfff) this.fail('surrogate');
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
            this.at += 6;
          }
          out += String.fromCodePoint(code);
        } else if (e !== undefined && ESCAPES[e] !== undefined) {
          out += ESCAPES[e];
          this.at += 2;
        } else this.fail('escape', this.at + 1);
      } else if (c < ' ') {
        this.fail(c === '\0' ? 'quote' : 'encoding');
      } else {
        out += c;
        this.at++;
      }
    }
  }

  hex4(from: number): number {
    const h = this.s.slice(from, from + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail('hex', from);
    return parseInt(h, 16);
  }

  number(): number {
    const s = this.s;
    const start = this.at;
    let negative = false;
    if (s[this.at] === '-') {
      negative = true;
      this.at++;
    }
    // kParseNanAndInfFlag
    if (s.startsWith('NaN', this.at)) {
      this.at += 3;
      return NaN;
    }
    if (s.startsWith('Inf', this.at)) {
      this.at += 3;
      if (s[this.at] === 'i') {
        if (!s.startsWith('inity', this.at)) this.fail('value', start);
        this.at += 5;
      }
      return negative ? -Infinity : Infinity;
    }
    const digit = (i: number) => s[i] !== undefined && s[i]! >= '0' && s[i]! <= '9';
    if (s[this.at] === '0') this.at++;
    else if (digit(this.at)) while (digit(this.at)) this.at++;
    else this.fail('value', start);
    if (s[this.at] === '.') {
      this.at++;
      if (!digit(this.at)) this.fail('fraction');
      while (digit(this.at)) this.at++;
    }
    if (s[this.at] === 'e' || s[this.at] === 'E') {
      this.at++;
      if (s[this.at] === '+' || s[this.at] === '-') this.at++;
      if (!digit(this.at)) this.fail('exponent');
      while (digit(this.at)) this.at++;
    }
    const v = Number(s.slice(start, this.at));
    if (!Number.isFinite(v)) this.fail('tooBig', start);
    return v;
  }
}

function byteOffset(text: string, at: number): number {
  return new TextEncoder().encode(text.slice(0, at)).length;
}

/** The body as JSON, or a ServingError (400) with TF Serving's parse error. */
export function parseJsonBody(text: string): Json {
  if (text.length === 0) throw invalid('JSON Parse error: The document is empty');
  try {
    return JSON.parse(text) as Json;
  } catch {
    // NaN or Infinity, text after the value, or a real syntax error: read it as rapidjson does
  }
  const reader = new Reader(text);
  try {
    reader.skipSpace();
    if (reader.at >= text.length) reader.fail('empty');
    return reader.value();
  } catch (e) {
    if (!(e instanceof SyntaxFault)) throw e;
    throw invalid(`JSON Parse error: ${e.message} at offset: ${byteOffset(text, e.at)}`);
  }
}
