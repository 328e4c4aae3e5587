/** The predict form's choices for a transform model's categorical inputs: fitted vocabularies, else the dataset's categories. */
import { describe, expect, it } from 'vitest';
import { knownInputValues } from '../../../src/core/transform/known-values';
import { fitRows } from './helpers';

const COLUMNS = [
  { name: 'city', type: 'categorical' as const },
  { name: 'tag', type: 'categorical' as const },
  { name: 'note', type: 'text' as const },
  { name: 'x', type: 'number' as const },
];
const ROWS = [
  { city: 'Taipei', tag: 'a', note: 'hi', x: 1 },
  { city: 'Tainan', tag: 'b', note: 'yo', x: 2 },
  { city: 'Taipei', tag: 'a', note: 'hi', x: 3 },
  { city: 'Hsinchu', tag: null, note: 'hi', x: 4 },
];

describe('knownInputValues', () => {
  it('offers the vocabulary of the step reading a column (most frequent first, ties in reverse lexical order), the dataset\'s categories for a hashed one', async () => {
    const spec = {
      steps: [
        { name: 'city_i', op: 'vocabulary', inputs: ['city'] },
        { name: 'tag_h', op: 'hash_strings', inputs: ['tag'], params: { hash_buckets: 4 } },
        { name: 'note_i', op: 'vocabulary', inputs: ['note'] },
        { name: 'x_z', op: 'z_score', inputs: ['x'] },
      ],
    };
    const fitted = await fitRows(spec, ROWS, COLUMNS);
    // Taipei twice; Tainan and Hsinchu once each, in reverse lexical order (tf.Transform's tie rule)
    expect(knownInputValues(fitted)).toEqual(new Map([['city', ['Taipei', 'Tainan', 'Hsinchu']]]));
    const categories = (column: string) => (column === 'tag' ? ['a', 'b'] : ['never used']);
    expect(knownInputValues(fitted, categories)).toEqual(new Map([['city', ['Taipei', 'Tainan', 'Hsinchu']], ['tag', ['a', 'b']]]));
  });

  it('leaves out the placeholder token of an empty vocabulary', async () => {
    const fitted = await fitRows({ steps: [{ name: 'tag_i', op: 'vocabulary', inputs: ['tag'], params: { frequency_threshold: 5 } }] }, ROWS, COLUMNS);
    expect(fitted.steps[0]!.state.vocabulary).toHaveLength(1);
    expect(knownInputValues(fitted)).toEqual(new Map());
  });
});
