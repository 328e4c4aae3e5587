import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../../../src/core/data/types';
import { inferShapes } from '../../../src/core/model/model-spec';
import { ALL_PRESETS, defaultFeatures, defaultLabel, describeLayers, featureChoices, findPreset, guessTask, presetsForTask } from '../../../src/app/train-presets';

const col = (name: string, type: ColumnInfo['type']): ColumnInfo => ({ name, type, nullCount: 0 });
const penguins = [col('Species', 'categorical'), col('Island', 'categorical'), col('Beak Length (mm)', 'number'), col('Body Mass (g)', 'integer'), col('Sex', 'categorical')];
const mnist = [col('image', 'image'), col('label', 'categorical'), col('path', 'text')];
const spam = [col('id', 'text'), col('group', 'categorical'), col('label', 'categorical'), col('from', 'text'), col('subject', 'text'), col('body', 'text')];
const weather = [col('date', 'datetime'), col('precipitation', 'number'), col('temp_max', 'number'), col('weather', 'categorical')];

describe('model builder defaults', () => {
  it('takes the scope target as the label when the version has it, else a label-like column', () => {
    expect(defaultLabel(penguins, 'Species')).toBe('Species');
    expect(defaultLabel(mnist, 'Species')).toBe('label');
    expect(defaultLabel(weather, '')).toBe('weather');
  });

  it('guesses the task from the columns', () => {
    expect(guessTask(penguins, 'Species')).toBe('tabular-classification');
    expect(guessTask(mnist, 'label')).toBe('image-classification');
    expect(guessTask(spam, 'label')).toBe('text-classification');
    expect(guessTask(weather, 'temp_max')).toBe('tabular-regression');
  });

  it('picks usable describing columns: no ids or paths, one image, one text column for token models', () => {
    expect(defaultFeatures('tabular-classification', findPreset('mlp-classifier'), penguins, 'Species')).toEqual(['Island', 'Beak Length (mm)', 'Body Mass (g)', 'Sex']);
    expect(defaultFeatures('image-classification', findPreset('small-cnn'), mnist, 'label')).toEqual(['image']);
    expect(defaultFeatures('text-classification', findPreset('text-bag-of-words'), spam, 'label')).toEqual(['from', 'subject', 'body']);
    expect(defaultFeatures('text-classification', findPreset('text-embedding'), spam, 'label')).toEqual(['from']);
    expect(featureChoices(findPreset('text-embedding'), spam, ['body'])).toEqual([{ column: 'body', encoding: 'tokens' }]);
    expect(featureChoices(findPreset('text-bag-of-words'), spam, ['body'])).toEqual([{ column: 'body' }]);
  });

  it('every preset makes a valid spec for its kind of input', () => {
    const inputs = {
      tabular: { kind: 'tabular', features: 12 },
      image: { kind: 'image', height: 28, width: 28, channels: 1 },
      tokens: { kind: 'tokens', length: 40, vocabSize: 500 },
    } as const;
    for (const p of ALL_PRESETS) {
      const spec = p.make({ input: inputs[p.inputKind], classes: 3 });
      expect(inferShapes(spec).issues, p.id).toEqual([]);
    }
    expect(presetsForTask('image-classification').map((p) => p.id)).toEqual(['small-cnn', 'mlp-pixels']);
    const mlp = findPreset('mlp-pixels')!.make({ input: inputs.image, classes: 10 });
    expect(inferShapes(mlp).totalParams).toBe(784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10);
    expect(describeLayers(mlp.layers)).toBe('Flatten · Dense 128 · Dropout 0.1 · Dense 64');
  });
});
