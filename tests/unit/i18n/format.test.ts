/** The catalog's placeholder and plural filling (src/app/i18n/catalog.ts format). */
import { describe, expect, it } from 'vitest';
import { catalogs, format } from '../../../src/app/i18n/catalog';

describe('format', () => {
  const files = 'Skipped {count, plural, one {# file} other {# files}} ({examples}).';

  it('picks the plural branch by the locale\'s plural rules and writes the number in its format', () => {
    expect(format(files, { count: 1, examples: 'a.txt' })).toBe('Skipped 1 file (a.txt).');
    expect(format(files, { count: 0, examples: '' })).toBe('Skipped 0 files ().');
    expect(format(files, { count: 12345, examples: 'b' })).toBe('Skipped 12,345 files (b).');
    expect(format('{n, plural, =0 {none} one {# item} other {# items}}', { n: 0 })).toBe('none');
    // zh-TW has one plural category: `other`
    expect(format('{count, plural, other {#}} 個檔案', { count: 1 }, 'zh-TW')).toBe('1 個檔案');
  });

  it('leaves a placeholder or plural visible when its value is missing or not a number', () => {
    expect(format('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(format(files, { count: '3', examples: '' })).toBe('Skipped {count, plural, one {# file} other {# files}} ().');
  });

  it('no English catalog message writes a plural as "(s)"', () => {
    const withS = Object.entries(catalogs.en).filter(([, m]) => /\w\(s\)/.test(m)).map(([k]) => k);
    expect(withS).toEqual([]);
  });

  it('the catalog\'s plurals read right for one and for many', () => {
    expect(format(catalogs.en['label.lf.msg.threw'], { count: 1, row: 3, message: 'x' })).toBe('threw on 1 row, which abstains; first on row 3: x');
    expect(format(catalogs.en['label.agree.needTwo'], { count: 0 })).toMatch(/^No one has labeled this version\./);
    expect(format(catalogs['zh-TW']['warning.skipped-files'], { count: 2000, examples: 'a' }, 'zh-TW')).toBe('略過了 2,000 個不是影像的檔案（a）。');
  });
});
