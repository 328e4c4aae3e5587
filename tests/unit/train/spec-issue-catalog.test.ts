/**
 * Every problem the layer-stack check can report has its words in both languages: the code, and the
 * pieces the page puts into it (what is needed, what it got, the fix, the field).
 */
import { describe, expect, it } from 'vitest';
import { catalogs, LOCALES } from '../../../src/app/i18n/catalog';
import { inferShapes, type LayerSpec, type ModelSpec, type SpecIssue } from '../../../src/core/model/model-spec';

const image = { kind: 'image', height: 4, width: 4, channels: 1 } as const;
const head = { kind: 'classification', classes: 3 } as const;
const spec = (layers: unknown[], input: unknown = image, h: unknown = head) => ({ input, layers, head: h }) as unknown as ModelSpec;

/** Specs that between them raise every code. */
const broken: ModelSpec[] = [
  null as unknown as ModelSpec,
  spec(undefined as unknown as LayerSpec[]),
  spec([], null),
  spec([], { kind: 'tabular', features: 0 }),
  spec([], { kind: 'image', height: 0, width: 2, channels: 1 }),
  spec([], { kind: 'tokens', length: 0, vocabSize: 0 }),
  spec([], { kind: 'audio' }),
  spec([{ type: 'dense', units: 4 }], { kind: 'tokens', length: 5, vocabSize: 10 }),
  spec([{ type: 'lstm' }]),
  spec([{ type: 'flatten' }, { type: 'dense', units: 0, activation: 'nope' }]),
  spec([{ type: 'dense', units: 3 }]),
  spec([{ type: 'flatten' }, { type: 'conv2d', filters: 2, kernelSize: 3 }]),
  spec([{ type: 'conv2d', filters: 0, kernelSize: 9, strides: 0, padding: 'full' }]),
  spec([{ type: 'conv2d', filters: 2, kernelSize: 9 }]),
  spec([{ type: 'maxPooling2d', poolSize: 9 }, { type: 'maxPooling2d', poolSize: 0, strides: -1 }]),
  spec([{ type: 'flatten' }, { type: 'dropout', rate: 1 }]),
  spec([{ type: 'flatten' }, { type: 'embedding', outputDim: 0 }]),
  spec([{ type: 'embedding', outputDim: 4 }]),
  spec([{ type: 'conv2d', filters: 2, kernelSize: 2, strides: 4 }, { type: 'maxPooling2d', poolSize: 2, padding: 'same' }, { type: 'globalAveragePooling1d' }]),
  spec([{ type: 'flatten' }, { type: 'globalAveragePooling2d' }]),
  spec([{ type: 'flatten' }], image, { kind: 'clustering' }),
  spec([{ type: 'flatten' }], image, { kind: 'classification', classes: 1 }),
  spec([]),
  spec([{ type: 'flatten' }, { type: 'dense', units: 100_000 }, { type: 'dense', units: 1_000 }], { kind: 'image', height: 64, width: 64, channels: 3 }),
];

const issues: SpecIssue[] = broken.flatMap((s) => inferShapes(s).issues);

/** Every SpecIssueCode. 'empty-output' is a guard that no stack of valid layers reaches (windows shrink an axis to at least 1). */
const ALL_CODES = [
  'spec-missing', 'layers-missing', 'input-missing', 'input-positive', 'input-kind', 'embedding-first', 'layer-type', 'activation', 'rank',
  'positive-int', 'pair', 'padding', 'kernel-too-large', 'pool-too-large', 'rate', 'embedding-not-first', 'embedding-input', 'empty-output',
  'head-kind', 'head-classes', 'head-flat', 'too-many-params',
] as const satisfies readonly SpecIssue['code'][];

describe('layer-stack problems in both languages', () => {
  it('the broken specs raise every reachable code', () => {
    const codes = new Set(issues.map((i) => i.code));
    expect([...codes].sort()).toEqual(ALL_CODES.filter((c) => c !== 'empty-output').sort());
  });

  it('every code and every piece it names has a message in English and zh-TW', () => {
    const needed = new Set<string>(ALL_CODES.map((c) => `train.spec.${c}`));
    for (const i of issues) {
      if (typeof i.params.what === 'string') needed.add(`train.spec.what.${i.params.what}`);
      if (i.code === 'rank') {
        needed.add(`train.spec.need.${i.params.need}`);
        needed.add(`train.spec.shape.${i.params.gotRank}`);
        if (i.params.fix) needed.add(`train.spec.fix.${i.params.fix}`);
      }
      if (i.code === 'head-flat') needed.add(`train.spec.shape.${i.params.gotRank}`);
    }
    for (const locale of LOCALES) {
      const missing = [...needed].filter((k) => !(k in catalogs[locale]));
      expect(missing, locale).toEqual([]);
    }
  });
});
