/**
 * A Pipette transform spec as tf.Transform's `preprocessing_fn(inputs)`: one statement per step, each the
 * tf.Transform call with the step's parameters (tensorflow_transform/mappers.py and analyzers.py), and
 * the model features in Pipette's layout (reader.js: a number is one slot, an index a one-hot over its
 * size, indices counts, sparse weights, a vector its values) for run_fn to assemble.
 *
 * Values inside preprocessing_fn: a number is a float32 tensor [batch], a string a tf.string [batch],
 * tokens and indices SparseTensors [batch, None], an index int64 [batch], a vector float32 [batch, dim],
 * tf.idf a pair of SparseTensors (tft.tfidf's index and weight). Where tf.Transform's semantics differ from
 * Pipette's (missing values, hashes, approximate quantiles) the export says so in its notes.
 */
import { checkSpec, type CheckedStep, type SpecColumn } from '../../transform/check';
import { isAnalyzerOperand, type Operand, type TransformSpec, type ValueKind } from '../../transform/spec';
import { note, py, pyFloat, pyIdentifier, pyString, type ExportNote } from './python';

/** A model feature: a transformed output and the width it takes in the feature vector. */
export interface FeatureOutput {
  /** The transformed feature's name (the step's). A sparse feature is two: `<name>_index`, `<name>_weight`. */
  name: string;
  kind: ValueKind;
  /** Its width as a Python expression over `tf_transform_output` (a vocabulary's size is known after analysis). */
  width: string;
}

export interface PreprocessingExport {
  /** Python source: the helpers and `def preprocessing_fn(inputs)`. */
  source: string;
  features: FeatureOutput[];
  notes: ExportNote[];
}

/** Mappers whose own analyzers see every value, missing ones included (Pipette's skip them). */
const ANALYZING_MAPPERS = new Set(['z_score', 'scale_0_1', 'bucketize', 'vocabulary', 'pca']);

/** tf.Transform's error tolerance for the quantile of an arith or fill_missing operand. */
const QUANTILE_EPSILON = 0.001;

/** Python helpers the statements use: reading raw features as Pipette reads raw cells. */
const HELPERS = `def _dense(x, default_value):
    """A raw feature as one value per example; a missing value (a hole in a SparseTensor) becomes default_value."""
    if isinstance(x, tf.sparse.SparseTensor):
        x = tf.sparse.to_dense(tf.SparseTensor(x.indices, x.values, [x.dense_shape[0], 1]), default_value=default_value)
    return tf.reshape(x, [-1])


def _number(x):
    """A number, integer or datetime column as float32 (missing: NaN, as Pipette reads it)."""
    if isinstance(x, tf.sparse.SparseTensor):
        x = tf.SparseTensor(x.indices, tf.cast(x.values, tf.float32), x.dense_shape)
    return tf.cast(_dense(x, float('nan')), tf.float32)


def _boolean(x):
    """A boolean column as 1.0 / 0.0 (missing: NaN)."""
    if x.dtype != tf.string:
        return _number(x)
    text = tf.strings.lower(_dense(x, ''))
    return tf.where(tf.equal(text, 'true'), 1.0, tf.where(tf.equal(text, 'false'), 0.0, float('nan')))


def _string(x):
    """A categorical or text column as strings (missing: the empty string)."""
    if x.dtype != tf.string:
        if isinstance(x, tf.sparse.SparseTensor):
            x = tf.SparseTensor(x.indices, tf.strings.as_string(x.values), x.dense_shape)
        else:
            x = tf.strings.as_string(x)
    return _dense(x, '')


def _finite(x):
    """x's finite values only: an analyzer over them skips missing values, as Pipette's analyzers do."""
    return tf.boolean_mask(x, tf.math.is_finite(x))
`;

/** The file name tf.Transform stores a step's vocabulary under (run_fn reads its size by it). */
export function vocabularyFile(step: string): string {
  return `vocab_${pyIdentifier(step)}`;
}

const ref = (name: string) => `values[${pyString(name)}]`;

/** The smallest n <= 1000 with q * n whole (so q is the k-th of n - 1 boundaries), else 1000. */
function quantileBuckets(q: number): { n: number; k: number } {
  for (let n = 2; n <= 1000; n++) {
    const k = Math.round(q * n);
    if (Math.abs(q * n - k) < 1e-9) return { n, k };
  }
  return { n: 1000, k: Math.round(q * 1000) };
}

class Writer {
  readonly lines: string[] = [];
  readonly notes: ExportNote[] = [];
  private readonly byName = new Map<string, CheckedStep>();

  register(step: CheckedStep): void {
    this.byName.set(step.name, step);
  }

  operand(o: Operand, step: CheckedStep): string {
    if ('value' in o) return pyFloat(o.value);
    if (!isAnalyzerOperand(o)) return ref(o.input);
    const x = `_finite(${ref(o.input)})`;
    switch (o.analyzer) {
      case 'mean':
      case 'min':
      case 'max':
      case 'var':
      case 'sum':
        return `tft.${o.analyzer}(${x})`;
      case 'std':
        return `tf.sqrt(tft.var(${x}))`;
      case 'count':
        return `tf.cast(tft.size(${x}), tf.float32)`;
      case 'quantile': {
        const q = o.q ?? 0.5;
        if (q === 0) return `tft.min(${x})`;
        if (q === 1) return `tft.max(${x})`;
        const { n, k } = quantileBuckets(q);
        this.notes.push(note('quantile-approximate', `Step "${step.name}": tft.quantiles is approximate (epsilon ${QUANTILE_EPSILON}); Pipette's quantile ${q} is exact`, { step: step.name, q }));
        return `tf.reshape(tft.quantiles(${x}, num_buckets=${n}, epsilon=${QUANTILE_EPSILON}), [-1])[${k - 1}]`;
      }
    }
  }

  /** The size of an index or indices value, in preprocessing_fn (tft.tfidf's vocab_size). */
  sizeInGraph(name: string): string {
    const s = this.byName.get(name);
    if (s && (s.op === 'hash_strings' || (s.op === 'cross' && s.params.hash_buckets !== undefined))) return String(s.params.hash_buckets);
    return `tft.get_num_buckets_for_transformed_feature(${ref(name)})`;
  }

  /** The width of a feature in run_fn, over tf_transform_output. */
  width(step: CheckedStep): string {
    const p = step.params;
    switch (step.kind) {
      case 'number':
        return '1';
      case 'vector':
        return String(p.output_dim);
      case 'sparse':
        return this.width(this.byName.get(step.inputs[0]!)!);
      default:
        if (p.hash_buckets !== undefined) return String(p.hash_buckets);
        if (step.op === 'bucketize') return String(p.num_buckets);
        return `tf_transform_output.vocabulary_size_by_name(${pyString(vocabularyFile(step.name))}) + ${String(p.num_oov_buckets)}`;
    }
  }

  vocabularyCall(x: string, step: CheckedStep): string {
    const p = step.params;
    const args = [x];
    if (p.top_k !== undefined) args.push(`top_k=${String(p.top_k)}`);
    if (p.frequency_threshold !== undefined) args.push(`frequency_threshold=${py(p.frequency_threshold)}`);
    args.push(`num_oov_buckets=${String(p.num_oov_buckets)}`, `default_value=${String(p.default_value)}`, `vocab_filename=${pyString(vocabularyFile(step.name))}`);
    return `tft.compute_and_apply_vocabulary(${args.join(', ')})`;
  }

  todo(step: CheckedStep, why: string): void {
    this.notes.push(note('op-not-exported', `Step "${step.name}" (${step.op}): ${why}; module.py has a TODO in its place`, { step: step.name, op: step.op }));
    this.lines.push(`# TODO(pipette export): step ${pyString(step.name)} (${step.op}) has no exact tf.Transform equivalent: ${why}.`);
    this.lines.push(`${ref(step.name)} = None`);
  }

  step(step: CheckedStep): void {
    const p = step.params;
    const a = step.inputs.map(ref)[0];
    const out = ref(step.name);
    const tmp = `_${pyIdentifier(step.name)}`;
    this.lines.push(`# ${step.name} = ${step.op}(${step.inputs.join(', ')})`);
    switch (step.op) {
      case 'z_score':
        this.lines.push(`${out} = tft.scale_to_z_score(${a})`);
        break;
      case 'scale_0_1':
        this.lines.push(`${out} = tft.scale_to_0_1(${a})`);
        break;
      case 'bucketize':
        this.lines.push(`${out} = tft.bucketize(${a}, num_buckets=${String(p.num_buckets)})`);
        break;
      case 'vocabulary':
        if (p.num_oov_buckets) this.hashNote(step, 'out-of-vocabulary buckets');
        this.lines.push(`${out} = ${this.vocabularyCall(a!, step)}`);
        break;
      case 'tokenize': {
        const text = p.lowercase ? `tf.strings.lower(${a}, encoding='utf-8')` : a!;
        const split = p.split === 'words' ? `tf.strings.strip(tf.strings.regex_replace(${text}, ${pyString('[^\\p{L}\\p{N}]+')}, ' '))` : text;
        this.lines.push(`${out} = tf.strings.split(${split}).to_sparse()`);
        break;
      }
      case 'ngrams': {
        const [lo, hi] = p.ngram_range as [number, number];
        this.lines.push(`${out} = tft.ngrams(${a}, ngram_range=(${lo}, ${hi}), separator=${pyString(String(p.separator))})`);
        break;
      }
      case 'tfidf':
        this.lines.push(`${out} = tft.tfidf(${a}, vocab_size=${this.sizeInGraph(step.inputs[0]!)}, smooth=${py(p.smooth)})`);
        break;
      case 'hash_strings':
        this.hashNote(step, 'hash_strings');
        this.lines.push(`${out} = tft.hash_strings(${a}, hash_buckets=${String(p.hash_buckets)})`);
        break;
      case 'cross':
        this.cross(step, out, tmp);
        break;
      case 'pca':
        this.pca(step, out, tmp);
        break;
      case 'arith': {
        const symbol = { add: '+', sub: '-', mul: '*', div: '/' }[p.op as 'add' | 'sub' | 'mul' | 'div'];
        this.lines.push(`${out} = ${this.operand(p.left as Operand, step)} ${symbol} ${this.operand(p.right as Operand, step)}`);
        break;
      }
      case 'fill_missing':
        this.lines.push(`${out} = tf.where(tf.math.is_nan(${a}), ${this.operand(p.with as Operand, step)}, ${a})`);
        break;
    }
  }

  private hashNote(step: CheckedStep, what: string): void {
    this.notes.push(note('hash-differs', `Step "${step.name}": ${what} hash with FarmHash in tf.Transform and FNV-1a in Pipette, so bucket numbers differ`, { step: step.name }));
  }

  /** Parts joined with "_X_" (an index as its decimal), then hashed or looked up; a missing part makes -1. */
  private cross(step: CheckedStep, out: string, tmp: string): void {
    const parts = step.inputs.map((name, i) => (step.inputKinds[i] === 'index' ? `tf.strings.as_string(${ref(name)})` : ref(name)));
    const missing = step.inputs.map((name, i) => (step.inputKinds[i] === 'index' ? `(${ref(name)} < 0)` : `tf.equal(${ref(name)}, '')`));
    this.lines.push(`${tmp} = tf.strings.join([${parts.join(', ')}], separator='_X_')`);
    if (step.params.hash_buckets !== undefined) {
      this.hashNote(step, 'cross');
      this.lines.push(`${tmp} = tft.hash_strings(${tmp}, hash_buckets=${String(step.params.hash_buckets)})`);
    } else {
      this.lines.push(`${tmp} = ${this.vocabularyCall(tmp, step)}`);
    }
    this.lines.push(`${out} = tf.where(${missing.join(' | ')}, tf.constant(-1, tf.int64), ${tmp})`);
  }

  /** tft.pca gives the (input_dim, output_dim) basis; Pipette projects x (or x - mean) onto it. */
  private pca(step: CheckedStep, out: string, tmp: string): void {
    if (step.inputKinds.some((k) => k !== 'number' && k !== 'vector')) {
      this.todo(step, 'its inputs include an index, indices or tf-idf value, whose width is known only after analysis (tft.pca needs a static width)');
      return;
    }
    const parts = step.inputs.map((name, i) => (step.inputKinds[i] === 'number' ? `tf.reshape(${ref(name)}, [-1, 1])` : ref(name)));
    this.lines.push(`${tmp} = tf.concat([${parts.join(', ')}], axis=1)`);
    const x = step.params.center ? `(${tmp} - tft.mean(${tmp}, reduce_instance_dims=False))` : tmp;
    this.lines.push(`${out} = tf.matmul(${x}, tft.pca(${tmp}, output_dim=${String(step.params.output_dim)}, dtype=tf.float32))`);
  }

  readColumn(c: SpecColumn): void {
    const reader = c.type === 'boolean' ? '_boolean' : c.type === 'categorical' || c.type === 'text' ? '_string' : '_number';
    if (c.type === 'datetime') {
      this.notes.push(note('datetime-column', `Column "${c.name}" is a date: Pipette reads it as milliseconds since 1970; the export reads the CSV cell as a number, so an ISO date string needs parsing first`, { column: c.name }));
    }
    this.lines.push(`${ref(c.name)} = ${reader}(inputs[${pyString(c.name)}])`);
  }
}

/**
 * The transform spec as `preprocessing_fn(inputs)` over raw features named like the dataset's columns.
 * The spec is checked first (checkSpec: a spec that could not run in Pipette is refused the same way).
 */
export function preprocessingFn(spec: TransformSpec, columns: readonly SpecColumn[]): PreprocessingExport {
  const checked = checkSpec(spec, columns);
  const w = new Writer();
  for (const c of checked.columns) w.readColumn(c);
  for (const step of checked.steps) {
    w.register(step);
    w.step(step);
  }
  if (checked.steps.some((s) => ANALYZING_MAPPERS.has(s.op))) {
    w.notes.push(note('missing-values', 'tf.Transform analyzes missing values (NaN, the empty string) where Pipette skips them (z_score, scale_0_1, bucketize, vocabulary, pca): give such steps a fill_missing first, or expect other fitted values on data with missing values'));
  }
  const features: FeatureOutput[] = [];
  const returned: string[] = [];
  for (const s of checked.steps.filter((x) => x.output)) {
    features.push({ name: s.name, kind: s.kind, width: w.width(s) });
    if (s.kind === 'sparse') {
      returned.push(`${pyString(`${s.name}_index`)}: ${ref(s.name)}[0]`, `${pyString(`${s.name}_weight`)}: ${ref(s.name)}[1]`);
    } else {
      returned.push(`${pyString(s.name)}: ${ref(s.name)}`);
    }
  }
  const body = [
    'def preprocessing_fn(inputs):',
    '    """The Pipette transform\'s steps as tf.Transform calls; returns the model features."""',
    '    values = {}',
    ...w.lines.map((l) => `    ${l}`),
    '    return {',
    ...returned.map((r) => `        ${r},`),
    '    }',
  ];
  return { source: `${HELPERS}\n\n${body.join('\n')}\n`, features, notes: dedupe(w.notes) };
}

/** One note per code and step (a step can ask for the same note twice). */
export function dedupe(notes: readonly ExportNote[]): ExportNote[] {
  const seen = new Set<string>();
  return notes.filter((n) => {
    const key = `${n.code}|${n.component ?? ''}|${JSON.stringify(n.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
