/** Every lesson's words exist in English and zh-TW for exactly its steps, questions and choices; zh-TW uses the glossary. */
import { describe, expect, it } from 'vitest';
import { LESSONS } from '../../../src/core/lessons';
import { LESSON_TEXTS } from '../../../src/app/lessons-text';
import { ZH_TW_GLOSSARY } from '../../../src/app/i18n/messages/glossary';
import { EMPTY_SNAPSHOT } from '../../../src/core/lessons';

const sorted = (o: object) => Object.keys(o).sort();

describe('lesson texts', () => {
  for (const locale of ['en', 'zh-TW'] as const) {
    it(`${locale}: each lesson has a title, paragraphs, and words for exactly its steps, questions and choices`, () => {
      for (const lesson of LESSONS) {
        const text = LESSON_TEXTS[locale][lesson.id];
        expect(text.title.length, lesson.id).toBeGreaterThan(0);
        expect(text.paragraphs.length, lesson.id).toBeGreaterThanOrEqual(2);
        expect(sorted(text.steps), lesson.id).toEqual(lesson.steps.map((s) => s.id).sort());
        expect(sorted(text.questions), lesson.id).toEqual(lesson.questions.map((q) => q.id).sort());
        for (const q of lesson.questions) {
          const words = text.questions[q.id]!.choices;
          if (q.kind === 'choice' && q.translated) expect(sorted(words ?? {}), `${lesson.id}.${q.id}`).toEqual([...(q.choices(EMPTY_SNAPSHOT) ?? [])].sort());
          else expect(words, `${lesson.id}.${q.id}`).toBeUndefined();
        }
      }
    });
  }

  it('the two languages have as many paragraphs per lesson', () => {
    for (const lesson of LESSONS) expect(LESSON_TEXTS['zh-TW'][lesson.id].paragraphs.length, lesson.id).toBe(LESSON_TEXTS.en[lesson.id].paragraphs.length);
  });

  it('no text carries markup, and zh-TW uses no form the glossary avoids', () => {
    const all = (locale: 'en' | 'zh-TW') => Object.values(LESSON_TEXTS[locale]).flatMap((t) => [t.title, t.summary, ...t.paragraphs, ...Object.values(t.steps), ...Object.values(t.questions).flatMap((q) => [q.text, ...Object.values(q.choices ?? {})])]);
    expect(all('en').filter((s) => /<\/?[a-z][^>]*>/i.test(s))).toEqual([]);
    const found: string[] = [];
    for (const text of all('zh-TW')) for (const entry of ZH_TW_GLOSSARY) for (const bad of entry.avoid) if (text.includes(bad)) found.push(`"${bad}" in ${text.slice(0, 30)}`);
    expect(found).toEqual([]);
  });
});
