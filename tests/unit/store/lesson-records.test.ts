import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { PipetteDB } from '../../../src/store/db';
import { getWorkshop, listLessonProgress, markStep, putLessonProgress, recordAnswer, recordStepsDone, setWorkshop } from '../../../src/store/lesson-records';
import { createProject, deleteProject } from '../../../src/store/projects';

let db: PipetteDB | undefined;
afterEach(async () => {
  await db?.delete();
});

describe('lesson progress', () => {
  it('keeps the first time a step was done, a mark and an unmark, and the last answer, per project and lesson', async () => {
    db = new PipetteDB('lesson-progress');
    await recordStepsDone(db, 'p', 'scope', ['card'], 10);
    await recordStepsDone(db, 'p', 'scope', ['card', 'stats'], 20);
    await markStep(db, 'p', 'explanations', 'importance', true, 30);
    await markStep(db, 'p', 'explanations', 'what-if', true, 31);
    await markStep(db, 'p', 'explanations', 'what-if', false, 32);
    await recordAnswer(db, 'p', 'scope', 'majority', '150', false, 40);
    await recordAnswer(db, 'p', 'scope', 'majority', '152', true, 41);
    await recordStepsDone(db, 'q', 'scope', ['card'], 50);
    const rows = (await listLessonProgress(db, 'p')).sort((a, b) => a.lessonId.localeCompare(b.lessonId));
    expect(rows).toEqual([
      { projectId: 'p', lessonId: 'explanations', steps: { importance: 30 }, answers: {}, updatedAt: 32 },
      { projectId: 'p', lessonId: 'scope', steps: { card: 10, stats: 20 }, answers: { majority: { value: '152', correct: true, at: 41 } }, updatedAt: 41 },
    ]);
    // an imported project's records are written as they are
    await putLessonProgress(db, rows.map((r) => ({ ...r, projectId: 'copy' })));
    expect((await listLessonProgress(db, 'copy')).map((r) => r.steps)).toEqual([{ importance: 30 }, { card: 10, stats: 20 }]);
  });

  it('a workshop keeps its lessons in order; an empty list removes it; deleting the project removes both', async () => {
    db = new PipetteDB('lesson-workshop');
    const project = await createProject(db, 'Class');
    await setWorkshop(db, project.id, ['serving', 'scope'], 5);
    expect(await getWorkshop(db, project.id)).toEqual({ projectId: project.id, lessonIds: ['serving', 'scope'], updatedAt: 5 });
    await setWorkshop(db, project.id, []);
    expect(await getWorkshop(db, project.id)).toBeNull();
    await setWorkshop(db, project.id, ['scope']);
    await recordStepsDone(db, project.id, 'scope', ['card']);
    await deleteProject(db, project.id);
    expect(await getWorkshop(db, project.id)).toBeNull();
    expect(await listLessonProgress(db, project.id)).toEqual([]);
  });

  it('a version-8 database opens with the lesson tables added and its rows kept', async () => {
    const name = 'lesson-upgrade';
    const old = new Dexie(name);
    old.version(8).stores({ projects: 'id, updatedAt', servedResponses: '++seq, [projectId+model+at], projectId' });
    await old.open();
    await old.table('projects').add({ id: 'p', name: 'Old', createdAt: 1, updatedAt: 1 });
    old.close();
    db = new PipetteDB(name);
    expect((await db.projects.get('p'))?.name).toBe('Old');
    await recordStepsDone(db, 'p', 'scope', ['card'], 1);
    expect(await listLessonProgress(db, 'p')).toHaveLength(1);
  });
});
