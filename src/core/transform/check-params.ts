/**
 * Each operation's parameters checked and completed with their defaults (spec.ts lists them). A
 * parameter the operation does not have is refused rather than ignored, so a typo (num_bucket) is not
 * silently a default.
 */
import { TransformError } from './errors';
import { ANALYZERS, ARITH_OPS, MAX_BUCKETS, MAX_NGRAM, PCA_MAX_INPUT_DIM, VOCABULARY_DEFAULTS, type TransformOp, type ValueKind } from './spec';

type Params = Record<string, unknown>;

class ParamReader {
  private readonly seen = new Set<string>();
  constructor(
    readonly step: string,
    private readonly raw: Params,
  ) {}

  private take(name: string): unknown {
    this.seen.add(name);
    return this.raw[name];
  }

  integer(name: string, min: number, max: number, fallback?: number): number | undefined {
    const v = this.take(name);
    if (v === undefined) return this.fallback(name, fallback);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw this.error('param-integer', name, `${name} must be a whole number of at least ${min}`, { min });
    if (v > max) throw this.error('param-too-large', name, `${name} must be at most ${max}`, { max });
    return v;
  }

  number(name: string, min: number): number | undefined {
    const v = this.take(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw this.error('param-number', name, `${name} must be a number of at least ${min}`, { min });
    return v;
  }

  boolean(name: string, fallback: boolean): boolean {
    const v = this.take(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') throw this.error('param-boolean', name, `${name} must be true or false`);
    return v;
  }

  text(name: string, fallback: string): string {
    const v = this.take(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'string') throw this.error('param-text', name, `${name} must be text`);
    return v;
  }

  choice<T extends string>(name: string, choices: readonly T[], fallback?: T): T {
    const v = this.take(name);
    if (v === undefined && fallback !== undefined) return fallback;
    if (v === undefined) throw this.error('param-required', name, `${name} is required`);
    if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) throw this.error('param-choice', name, `${name} must be one of ${choices.join(', ')}`, { choices: choices.join(', ') });
    return v as T;
  }

  value(name: string): unknown {
    return this.take(name);
  }

  private fallback(name: string, fallback: number | undefined): number | undefined {
    if (fallback === undefined) return undefined;
    if (Number.isNaN(fallback)) throw this.error('param-required', name, `${name} is required`);
    return fallback;
  }

  error(code: 'param-integer' | 'param-number' | 'param-boolean' | 'param-text' | 'param-choice' | 'param-required' | 'param-range' | 'param-quantile' | 'param-operand' | 'param-too-large', param: string, what: string, extra: Record<string, string | number> = {}): TransformError {
    return new TransformError(code, { step: this.step, params: { param, ...extra } }, `Step "${this.step}": ${what}`);
  }

  /** Refuse any parameter no reader took. */
  done(): void {
    for (const name of Object.keys(this.raw)) {
      if (!this.seen.has(name)) throw new TransformError('unknown-param', { step: this.step, params: { param: name } }, `Step "${this.step}" has no parameter "${name}"`);
    }
  }
}

/** NaN as a fallback marks a required integer. */
const REQUIRED = NaN;

function vocabularyParams(p: ParamReader): Params {
  const out: Params = {
    num_oov_buckets: p.integer('num_oov_buckets', 0, MAX_BUCKETS, VOCABULARY_DEFAULTS.num_oov_buckets),
    default_value: p.integer('default_value', -1, MAX_BUCKETS, VOCABULARY_DEFAULTS.default_value),
  };
  const topK = p.integer('top_k', 1, MAX_BUCKETS);
  const threshold = p.number('frequency_threshold', 0);
  if (topK !== undefined) out.top_k = topK;
  if (threshold !== undefined) out.frequency_threshold = threshold;
  return out;
}

function operand(p: ParamReader, name: string, inputs: string[], kinds: ValueKind[], allowInput: boolean): Params {
  const o = p.value(name);
  const bad = (what: string) => p.error('param-operand', name, `${name} ${what}`);
  if (o === undefined) throw p.error('param-required', name, `${name} is required`);
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw bad('must be {input}, {value} or {analyzer, input}');
  const r = o as Params;
  const keys = Object.keys(r).sort().join(',');
  const readsNumber = (input: unknown) => typeof input === 'string' && inputs.includes(input) && kinds[inputs.indexOf(input)] === 'number';
  if (keys === 'value') {
    if (typeof r.value !== 'number' || !Number.isFinite(r.value)) throw bad('must hold a finite number');
    return { value: r.value };
  }
  if (keys === 'input' && allowInput) {
    if (!readsNumber(r.input)) throw bad("must name one of the step's inputs");
    return { input: r.input };
  }
  if (keys === 'analyzer,input' || keys === 'analyzer,input,q') {
    if (!(ANALYZERS as readonly unknown[]).includes(r.analyzer)) throw p.error('param-choice', name, `${name}'s analyzer must be one of ${ANALYZERS.join(', ')}`, { choices: ANALYZERS.join(', ') });
    if (!readsNumber(r.input)) throw bad("must name one of the step's inputs");
    if (r.analyzer === 'quantile') {
      if (typeof r.q !== 'number' || !(r.q >= 0 && r.q <= 1)) throw p.error('param-quantile', name, `${name}'s q must be between 0 and 1`);
      return { analyzer: r.analyzer, input: r.input, q: r.q };
    }
    if (r.q !== undefined) throw bad('has q, which only a quantile takes');
    return { analyzer: r.analyzer, input: r.input };
  }
  throw bad(allowInput ? 'must be {input}, {value} or {analyzer, input}' : 'must be {value} or {analyzer, input}');
}

function opParams(op: TransformOp, p: ParamReader, inputs: string[], kinds: ValueKind[]): Params {
  switch (op) {
    case 'z_score':
    case 'scale_0_1':
      return {};
    case 'bucketize':
      return { num_buckets: p.integer('num_buckets', 2, MAX_BUCKETS, REQUIRED) };
    case 'vocabulary':
      return vocabularyParams(p);
    case 'tokenize':
      return { split: p.choice('split', ['whitespace', 'words'] as const, 'whitespace'), lowercase: p.boolean('lowercase', false) };
    case 'ngrams': {
      const range = p.value('ngram_range');
      if (range === undefined) throw p.error('param-required', 'ngram_range', 'ngram_range is required');
      const ok = Array.isArray(range) && range.length === 2 && range.every((v) => Number.isInteger(v)) && range[0] >= 1 && range[0] <= range[1] && range[1] <= MAX_NGRAM;
      if (!ok) throw p.error('param-range', 'ngram_range', `ngram_range must be [min, max] with 1 <= min <= max <= ${MAX_NGRAM}`, { max: MAX_NGRAM });
      return { ngram_range: [range[0], range[1]], separator: p.text('separator', ' ') };
    }
    case 'tfidf':
      return { smooth: p.boolean('smooth', true) };
    case 'hash_strings':
      return { hash_buckets: p.integer('hash_buckets', 1, MAX_BUCKETS, REQUIRED) };
    case 'cross': {
      const buckets = p.integer('hash_buckets', 1, MAX_BUCKETS);
      return buckets !== undefined ? { hash_buckets: buckets } : vocabularyParams(p);
    }
    case 'pca':
      return { output_dim: p.integer('output_dim', 1, PCA_MAX_INPUT_DIM, REQUIRED), center: p.boolean('center', false) };
    case 'arith':
      return { op: p.choice('op', ARITH_OPS), left: operand(p, 'left', inputs, kinds, true), right: operand(p, 'right', inputs, kinds, true) };
    case 'fill_missing':
      return { with: operand(p, 'with', inputs, kinds, false) };
  }
}

/** The step's parameters checked, with defaults filled in. */
export function checkParams(op: TransformOp, step: string, raw: unknown, inputs: string[], kinds: ValueKind[]): Params {
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    throw new TransformError('bad-spec', { step }, `Step "${step}": params must be an object`);
  }
  const reader = new ParamReader(step, (raw ?? {}) as Params);
  const params = opParams(op, reader, inputs, kinds);
  reader.done();
  return params;
}
