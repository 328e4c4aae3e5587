/**
 * The lessons' words in the person's language. These files are imported only by the Lessons page's chunk,
 * so the long texts stay out of the main bundle (the page's own short words are in the catalog).
 */
import type { LessonId } from '../core/lessons';
import type { Locale } from './i18n/catalog';
import type { LessonText } from './i18n/messages/lessons';
import { lessonsData } from './i18n/messages/lessons-data';
import { lessonsDeploy } from './i18n/messages/lessons-deploy';
import { lessonsModel } from './i18n/messages/lessons-model';

export const LESSON_TEXTS: Record<Locale, Record<LessonId, LessonText>> = {
  en: { ...lessonsData.en, ...lessonsModel.en, ...lessonsDeploy.en },
  'zh-TW': { ...lessonsData['zh-TW'], ...lessonsModel['zh-TW'], ...lessonsDeploy['zh-TW'] },
};

export function lessonText(id: LessonId, locale: Locale): LessonText {
  return LESSON_TEXTS[locale][id];
}
