/**
 * The labeling-function editor's form model (src/app/lf-draft.ts): each kind's form becomes exactly its
 * spec, a stored spec comes back as the same form, and a bad form names its problem by catalog key.
 */
import { describe, expect, it } from 'vitest';
import type { LfSpec } from '../../../src/core/label/lf';
import { catalogs } from '../../../src/app/i18n/catalog';
import {
  blankDraft,
  CODE_TEMPLATE,
  draftFromSpec,
  draftToSpec,
  goldSource,
  isProblem,
  lfColumns,
  type LfDraft,
} from '../../../src/app/lf-draft';

const cols = lfColumns([
  { name: 'CONTENT', type: 'text' },
  { name: 'AUTHOR', type: 'categorical' },
  { name: 'LIKES', type: 'integer' },
  { name: 'DATE', type: 'datetime' },
  { name: 'photo', type: 'image' },
]);

function draft(changes: Partial<LfDraft>): LfDraft {
  return { ...blankDraft(cols), ...changes };
}

describe('lfColumns', () => {
  it('text-like columns for keywords and regex, number-like for thresholds, all but images for gold', () => {
    expect(cols).toEqual({ text: ['CONTENT', 'AUTHOR'], numeric: ['LIKES', 'DATE'], gold: ['CONTENT', 'AUTHOR', 'LIKES', 'DATE'] });
  });
});

describe('blankDraft', () => {
  it('starts as keywords on the first text column, a threshold on the first number column, and the code template', () => {
    expect(blankDraft(cols)).toEqual({
      id: '',
      name: '',
      kind: 'keywords',
      textColumns: ['CONTENT'],
      keywords: '',
      match: 'word',
      pattern: '',
      flags: 'i',
      numColumn: 'LIKES',
      op: '>',
      value: '0',
      label: 0,
      source: CODE_TEMPLATE,
    });
    expect(blankDraft(lfColumns([]))).toMatchObject({ textColumns: [], numColumn: '' });
  });
});

describe('draftToSpec', () => {
  it('keywords: trimmed, empty ones dropped; one column as a string', () => {
    expect(draftToSpec(draft({ name: ' check out ', keywords: ' check out, , subscribe ', match: 'substring', label: 1 }), 0)).toEqual({
      id: '',
      name: 'check out',
      kind: 'keywords',
      column: 'CONTENT',
      keywords: ['check out', 'subscribe'],
      match: 'substring',
      label: 1,
    });
  });

  it('regex over several columns keeps them as a list; an unnamed function is named by kind and count', () => {
    expect(draftToSpec(draft({ id: 'lf1', kind: 'regex', textColumns: ['CONTENT', 'AUTHOR'], pattern: 'https?://', flags: 'gi', label: 1 }), 2)).toEqual({
      id: 'lf1',
      name: 'regex 3',
      kind: 'regex',
      column: ['CONTENT', 'AUTHOR'],
      pattern: 'https?://',
      flags: 'gi',
      label: 1,
    });
  });

  it('threshold: the typed value as a number, whether the field gave a string or a number', () => {
    const want = { id: '', name: 'many likes', kind: 'threshold', column: 'LIKES', op: '>=', value: 100, label: 0 };
    expect(draftToSpec(draft({ name: 'many likes', kind: 'threshold', op: '>=', value: '100' }), 0)).toEqual(want);
    expect(draftToSpec(draft({ name: 'many likes', kind: 'threshold', op: '>=', value: 100 }), 0)).toEqual(want);
    expect(draftToSpec(draft({ name: 'negative', kind: 'threshold', value: -2.5, numColumn: 'DATE' }), 0)).toMatchObject({ column: 'DATE', value: -2.5 });
  });

  it('code: the source as written', () => {
    expect(draftToSpec(draft({ kind: 'code', source: '(row) => 1' }), 4)).toEqual({ id: '', name: 'code 5', kind: 'code', source: '(row) => 1' });
  });

  it('names the problem of a bad form by its catalog key (the regex engine\'s reason as a value)', () => {
    const problems: [Partial<LfDraft>, unknown][] = [
      [{ keywords: ' , ' }, { key: 'label.lf.keywords' }],
      [{ keywords: 'free', textColumns: [] }, { key: 'label.lf.column' }],
      [{ kind: 'regex', pattern: 'x', textColumns: [] }, { key: 'label.lf.column' }],
      [{ kind: 'threshold', numColumn: '' }, { key: 'label.lf.noColumns' }],
      [{ kind: 'threshold', value: '' }, { key: 'label.lf.value' }],
      [{ kind: 'threshold', value: null }, { key: 'label.lf.value' }],
      [{ kind: 'threshold', value: 'abc' }, { key: 'label.lf.value' }],
    ];
    for (const [changes, problem] of problems) {
      const out = draftToSpec(draft(changes), 0);
      expect(out, JSON.stringify(changes)).toEqual(problem);
      expect(isProblem(out)).toBe(true);
    }
    const regex = draftToSpec(draft({ kind: 'regex', pattern: '(unclosed' }), 0);
    expect(regex).toEqual({ key: 'label.error.lf-bad-regex', params: { pattern: '(unclosed', detail: 'Unterminated group' } });
  });

  it('the problem keys say what to fix, in both languages', () => {
    expect(catalogs.en['label.lf.keywords']).toBe('Keywords (comma-separated)');
    expect(catalogs.en['label.lf.column']).toBe('Column');
    expect(catalogs.en['label.lf.value']).toBe('Value');
    expect(catalogs.en['label.lf.noColumns']).toBe('This version has no columns of that type.');
    for (const key of ['label.lf.keywords', 'label.lf.column', 'label.lf.value', 'label.lf.noColumns'] as const) expect(catalogs['zh-TW'][key]).not.toBe('');
  });

  it('a stored spec comes back as the form it was made from', () => {
    const specs: LfSpec[] = [
      { id: 'a', name: 'kw', kind: 'keywords', column: ['CONTENT', 'AUTHOR'], keywords: ['free', 'win'], match: 'word', label: 1 },
      { id: 'b', name: 're', kind: 'regex', column: 'CONTENT', pattern: '\\d+', flags: 'i', label: 0 },
      { id: 'c', name: 'th', kind: 'threshold', column: 'LIKES', op: '<', value: 3, label: 1 },
      { id: 'd', name: 'js', kind: 'code', source: '(row) => ABSTAIN' },
    ];
    for (const s of specs) expect(draftToSpec(draftFromSpec(s, cols), 0)).toEqual(s);
    expect(draftFromSpec(specs[0]!, cols)).toMatchObject({ textColumns: ['CONTENT', 'AUTHOR'], keywords: 'free, win' });
    expect(draftFromSpec({ id: 'e', name: 're', kind: 'regex', column: 'CONTENT', pattern: 'x', label: 0 }, cols).flags).toBe('');
  });
});

describe('goldSource', () => {
  it('reads the gold select', () => {
    expect(goldSource('none')).toEqual({ kind: 'none' });
    expect(goldSource('manual')).toEqual({ kind: 'manual' });
    expect(goldSource('col:CLASS')).toEqual({ kind: 'column', column: 'CLASS' });
  });
});
