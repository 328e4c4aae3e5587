/** The README.md of an exported bundle: what the files are, the inputs and outputs, and loading code. */
import type { BundleMetadata } from './bundle';
import { inputShape } from './model-spec';
import type { PreprocessStats, TransformFeatureStats } from './preprocess';
import { transformFeature } from './preprocess/inputs';

function describeFeature(f: PreprocessStats['features'][number]): string {
  switch (f.encoding) {
    case 'standardize':
      return `\`${f.column}\` (${f.sourceType}): (value - ${f.mean}) / ${f.std}; missing -> 0${f.sourceType === 'datetime' ? '; dates as milliseconds since 1970 UTC' : ''}`;
    case 'boolean':
      return `\`${f.column}\`: 1 for true, 0 for false; missing -> ${f.mean}`;
    case 'onehot':
      return `\`${f.column}\`: one-hot over ${f.categories.length} categories (${f.categories.slice(0, 5).map((c) => JSON.stringify(c)).join(', ')}${f.categories.length > 5 ? ', ...' : ''}) plus a last slot for missing or other values`;
    case 'bagOfWords':
      return `\`${f.column}\`: ${f.vocabulary.length} slots, 1 when the lower-cased text contains the word`;
    case 'tokens':
      return `\`${f.column}\`: ${f.length} token ids (0 = padding at the end, 1 = unknown word, 2 + i = vocabulary[i])`;
    case 'image':
      return `\`${f.column}\`: ${f.width}x${f.height} ${f.channels === 1 ? 'grayscale (luma 0.299 R + 0.587 G + 0.114 B)' : 'RGB'} pixels / 255`;
    case 'transform':
      return `transform \`${f.column}\` (\`transform.json\`), ${f.slots} values: ${f.fitted.features.layout.map((o) => `\`${o.name}\` (${o.size === 1 && o.kind === 'number' ? '1 value' : `${o.size} slots, ${o.kind}`})`).join(', ')}`;
  }
}

/** A raw row with every column the transform reads, for the README's example (numbers 0, text "..."). */
function exampleRow(f: TransformFeatureStats): string {
  return `{ ${f.fitted.columns.map((c) => `${JSON.stringify(c.name)}: ${c.type === 'categorical' || c.type === 'text' ? '"..."' : c.type === 'boolean' ? 'true' : '0'}`).join(', ')} }`;
}

/** The README part of a model on a transform: how raw rows become its input with the bundle's own files. */
function transformSection(f: TransformFeatureStats, dim: number): { inputs: string; encode: string; nodeEncode: string } {
  const columns = f.fitted.columns.map((c) => `\`${c.name}\` (${c.type})`).join(', ');
  return {
    inputs: `Raw rows: JSON objects with the columns ${columns}. \`transform.js\` applies \`transform.json\` (the preprocessing the model was trained with, fitted on its training split) and gives a float32 tensor of shape [batch, ${dim}]:
- ${describeFeature(f)}
A missing or unreadable number is NaN and missing text null; the transform's steps say what they become (for example a \`fill_missing\` step). Give every column, \`null\` when its value is missing: a row that leaves out a column a step reads is refused with an Error naming the row and the column (a column only \`fill_missing\` reads may be left out).`,
    encode: `// transform.js (dependency-free) turns raw rows into the model's input, exactly as the app does
const { applyToRows } = await import(base + 'transform.js');
const fitted = await (await fetch(base + 'transform.json')).json();
const { features, rows, dim } = applyToRows(fitted, [${exampleRow(f)}]);
const x = tf.tensor2d(features, [rows, dim]);`,
    nodeEncode: `const fitted = JSON.parse(readFileSync(dir + 'transform.json', 'utf8'));
const { features, rows, dim } = applyToRows(fitted, [${exampleRow(f)}]);
const outputs = await model.predict(tf.tensor2d(features, [rows, dim])).data(); // as "Outputs" says, row after row`,
  };
}

/** A short README: what the files are, the inputs and outputs, and loading code for browser and Node. */
export function readmeFor(meta: BundleMetadata): string {
  const pre = meta.preprocessing;
  const shape = inputShape(pre.input);
  const image = pre.input.kind === 'image';
  const outputs =
    meta.task === 'classification'
      ? `Softmax probabilities over ${meta.labels!.length} classes, in this order: ${meta.labels!.map((l) => JSON.stringify(l)).join(', ')}.`
      : pre.label.task === 'regression'
        ? `One number, standardized: the prediction in the units of \`${pre.label.column}\` is output * ${pre.label.std} + ${pre.label.mean}.`
        : 'One number.';
  const transform = transformFeature(pre);
  const fromTransform = transform ? transformSection(transform, shape[0]!) : null;
  const encodeJs = fromTransform
    ? fromTransform.encode
    : image
    ? `// An <img>, <canvas>, ImageBitmap or ImageData of ${shape[1]}x${shape[0]} pixels:
const x = tf.tidy(() => {
  const rgb = tf.browser.fromPixels(image, 3).toFloat().div(255);
  ${shape[2] === 1 ? 'const gray = rgb.mul([0.299, 0.587, 0.114]).sum(-1, true); // luma, as in training\n  return gray.expandDims(0);' : 'return rgb.expandDims(0);'}
});`
    : `// Encode one row ({ column: value }) exactly as in training (metadata.json "preprocessing"):
function encodeRow(row, pre) {
  const out = [];
  const words = (v) => String(v).toLowerCase().match(/[\\p{L}\\p{N}]+/gu) ?? [];
  for (const f of pre.features) {
    const v = row[f.column];
    const missing = v === null || v === undefined || v === '';
    if (f.encoding === 'standardize') out.push(missing ? 0 : (Number(v) - f.mean) / f.std);
    else if (f.encoding === 'boolean') out.push(missing ? f.mean : v === true || v === 'true' || v === 1 ? 1 : 0);
    else if (f.encoding === 'onehot') {
      const slots = new Array(f.categories.length + 1).fill(0);
      const j = missing ? -1 : f.categories.indexOf(String(v));
      slots[j >= 0 ? j : f.categories.length] = 1;
      out.push(...slots);
    } else if (f.encoding === 'bagOfWords') {
      const present = new Set(missing ? [] : words(v));
      for (const w of f.vocabulary) out.push(present.has(w) ? 1 : 0);
    } else if (f.encoding === 'tokens') {
      const ids = new Map(f.vocabulary.map((w, i) => [w, i + 2]));
      const t = missing ? [] : words(v);
      for (let i = 0; i < f.length; i++) out.push(i < t.length ? (ids.get(t[i]) ?? 1) : 0);
    }
  }
  return out;
}
const x = tf.tensor([encodeRow(row, meta.preprocessing)], [1, ${shape.join(', ')}]);`;
  const decodeJs =
    meta.task === 'classification'
      ? `const probs = await model.predict(x).data();
const best = probs.indexOf(Math.max(...probs));
console.log(meta.labels[best], probs[best]);`
      : `const [y] = await model.predict(x).data();
console.log(y * meta.preprocessing.label.std + meta.preprocessing.label.mean);`;

  return `# ${meta.name}

A ${meta.task} model exported by Pipette on ${meta.createdAt} (TF.js ${meta.tfjsVersion}).

## Files
- \`model.json\` and \`group1-shard*.bin\`: the model in the TF.js Layers format; \`tf.loadLayersModel\` loads it unchanged.
- \`metadata.json\`: labels, feature columns, preprocessing statistics, the model spec, test metrics and lineage.
${fromTransform ? '- `transform.json`: the fitted transform the model was trained on.\n- `transform.js`: a dependency-free ES module; `applyToRows(fitted, rows)` applies the transform to raw rows.\n' : ''}
## Inputs
${
  fromTransform
    ? fromTransform.inputs
    : `A float32 tensor of shape [batch, ${shape.join(', ')}], made from ${pre.features.length === 1 ? 'this column' : 'these columns, in this order'}:
${pre.features.map((f) => `- ${describeFeature(f)}`).join('\n')}`
}

## Outputs
${outputs}

## In a browser
\`\`\`js
import * as tf from '@tensorflow/tfjs';
const base = 'https://example.com/${slug(meta.name)}/'; // where you serve these files
const model = await tf.loadLayersModel(base + 'model.json');
const meta = await (await fetch(base + 'metadata.json')).json();
${encodeJs}
${decodeJs}
\`\`\`

## In Node
With \`@tensorflow/tfjs-node\`:
\`\`\`js
import * as tf from '@tensorflow/tfjs-node';
import { readFileSync } from 'node:fs';
const model = await tf.loadLayersModel('file://./${slug(meta.name)}/model.json');
const meta = JSON.parse(readFileSync('./${slug(meta.name)}/metadata.json', 'utf8'));
\`\`\`
With plain \`@tensorflow/tfjs\` (no native code), read the files yourself:
\`\`\`js
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';${fromTransform ? `\nimport { applyToRows } from './${slug(meta.name)}/transform.js';` : ''}
const dir = './${slug(meta.name)}/';
const json = JSON.parse(readFileSync(dir + 'model.json', 'utf8'));
const weights = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(dir + p))));
const model = await tf.loadLayersModel(tf.io.fromMemory({
  modelTopology: json.modelTopology,
  weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
  weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
}));${fromTransform ? `\n${fromTransform.nodeEncode}` : ''}
\`\`\`
${
  fromTransform
    ? '`transform.js` is an ES module: import it from an ES module project (`"type": "module"` in package.json), or rename it `transform.mjs`.'
    : `Then encode inputs and read outputs as in the browser example${image ? ' (decode images with e.g. `tf.node.decodeImage` in tfjs-node)' : ''}.`
}
`;
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'model';
}
