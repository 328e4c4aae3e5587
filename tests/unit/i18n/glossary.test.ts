import { describe, expect, it } from 'vitest';
import { catalogs } from '../../../src/app/i18n/catalog';
import { ZH_TW_GLOSSARY } from '../../../src/app/i18n/messages/glossary';

describe('the zh-TW glossary', () => {
  const zh = Object.entries(catalogs['zh-TW']) as [string, string][];

  it('is used everywhere: no zh-TW message has a form the glossary avoids', () => {
    const found: string[] = [];
    for (const [key, text] of zh) {
      for (const entry of ZH_TW_GLOSSARY) {
        for (const bad of entry.avoid) if (text.includes(bad)) found.push(`${key}: "${bad}" (use ${entry.zh})`);
      }
    }
    expect(found).toEqual([]);
  });

  it('gives each concept one term, not also avoided by another entry', () => {
    const avoided = new Set(ZH_TW_GLOSSARY.flatMap((e) => e.avoid));
    expect(ZH_TW_GLOSSARY.filter((e) => avoided.has(e.zh)).map((e) => e.en)).toEqual([]);
    expect(new Set(ZH_TW_GLOSSARY.map((e) => e.zh)).size).toBe(ZH_TW_GLOSSARY.length);
  });
});
