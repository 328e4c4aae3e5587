import { defineMessages } from '../catalog';

/**
 * The Lessons page's own words (issue 18). The lessons' texts are in lessons-data.ts, lessons-model.ts and
 * lessons-deploy.ts, loaded with the Lessons page only (they are long), in the shape below.
 */
export interface LessonText {
  title: string;
  /** One line for the list. */
  summary: string;
  /** What the chapter teaches, one string per paragraph (text, never HTML). */
  paragraphs: string[];
  /** Step id -> what to do. */
  steps: Record<string, string>;
  /** Question id -> the question and, for a translated choice, each choice's words. */
  questions: Record<string, { text: string; choices?: Record<string, string> }>;
}

export const lessons = defineMessages({
  en: {
    'lessons.title': 'Lessons',
    'lessons.lead': 'One lesson per chapter of the course, done on this project with the bundled demo data. Each step turns done by itself when the app sees its outcome, on any page and in any tab; your progress is kept with the project.',
    'lessons.list': 'All lessons',
    'lessons.progress': '{done} of {total} done',
    'lessons.complete': 'Complete',
    'lessons.open': 'Open',
    'lessons.notOffered': 'Not offered yet: {why}',
    'lessons.needsStage': 'it needs the {stage} stage, which is not built yet.',
    'lessons.needsCapability': 'it needs {capability}, which is not built yet.',
    'lessons.capability.automl': 'AutoML in the Tune stage',
    'lessons.workshop': 'Workshop: {count, plural, one {# lesson} other {# lessons}} chosen by your teacher, in order.',
    'lessons.steps': 'Steps',
    'lessons.questions': 'Questions',
    'lessons.step.go': 'Go to {stage}',
    'lessons.step.done': 'Done',
    'lessons.step.todo': 'Not done yet',
    'lessons.step.mark': 'I did this',
    'lessons.step.manual': 'The app keeps no record of this outcome, so you mark it.',
    'lessons.answer': 'Your answer',
    'lessons.answer.choose': 'Choose…',
    'lessons.answer.check': 'Check',
    'lessons.answer.correct': 'Right.',
    'lessons.answer.wrong': 'Not quite: look again at what the page shows.',
    'lessons.answer.unknown': 'Do the steps first: the answer comes from what they make.',
    'lessons.answer.given': 'Answered: {value}',
    'lessons.prev': 'Previous lesson',
    'lessons.next': 'Next lesson',
    'lessons.teacher.title': 'For a workshop',
    'lessons.teacher.lead': 'Choose the lessons a class works through (they keep the course order). This project\'s Lessons page then opens at the first of them not yet complete, and a workshop file exported from the projects list carries them to every student.',
    'lessons.teacher.save': 'Save the workshop',
    'lessons.teacher.clear': 'Offer every lesson again',
    'lessons.teacher.saved': 'Workshop saved: {count, plural, one {# lesson} other {# lessons}}.',
    'lessons.teacher.cleared': 'Every lesson is offered again.',
  },
  'zh-TW': {
    'lessons.title': '課程',
    'lessons.lead': '課程的每一章各有一堂課，在這個專案上以內附的示範資料完成。應用程式看到步驟的結果時會自動標示完成，不論你在哪個頁面或分頁操作；進度隨專案保存。',
    'lessons.list': '所有課程',
    'lessons.progress': '已完成 {done}／{total}',
    'lessons.complete': '已完成',
    'lessons.open': '開啟',
    'lessons.notOffered': '尚未提供：{why}',
    'lessons.needsStage': '需要「{stage}」階段，尚未建置。',
    'lessons.needsCapability': '需要{capability}，尚未建置。',
    'lessons.capability.automl': '調參階段的 AutoML',
    'lessons.workshop': '工作坊：老師依序選了 {count, plural, other {# 堂課}}。',
    'lessons.steps': '步驟',
    'lessons.questions': '問題',
    'lessons.step.go': '前往「{stage}」',
    'lessons.step.done': '完成',
    'lessons.step.todo': '尚未完成',
    'lessons.step.mark': '我做完了',
    'lessons.step.manual': '應用程式不保存這個結果，請自行標示。',
    'lessons.answer': '你的答案',
    'lessons.answer.choose': '請選擇…',
    'lessons.answer.check': '檢查',
    'lessons.answer.correct': '答對了。',
    'lessons.answer.wrong': '不太對：再看一次頁面上顯示的內容。',
    'lessons.answer.unknown': '請先完成步驟：答案來自步驟產生的結果。',
    'lessons.answer.given': '已回答：{value}',
    'lessons.prev': '上一堂課',
    'lessons.next': '下一堂課',
    'lessons.teacher.title': '工作坊',
    'lessons.teacher.lead': '選擇班級要完成的課程（依課程順序）。之後這個專案的課程頁面會從其中第一堂尚未完成的課開始；從專案列表匯出的工作坊檔案會把它們帶給每位學生。',
    'lessons.teacher.save': '儲存工作坊',
    'lessons.teacher.clear': '重新提供所有課程',
    'lessons.teacher.saved': '已儲存工作坊：{count, plural, other {# 堂課}}。',
    'lessons.teacher.cleared': '已重新提供所有課程。',
  },
});
