import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { LEFT_OUT, PROJECT_TABLES } from '../../../src/core/project-file/tables';
import { PipetteDB } from '../../../src/store/db';

// The guard: a table added to store/db.ts must be carried by the project file or left out with a reason.
describe('project file tables', () => {
  const db = new PipetteDB('project-file-tables');
  const names = db.tables.map((t) => t.name);

  it('every table of db.ts is exported or deliberately left out (with a reason)', () => {
    const forgotten = names.filter((n) => !PROJECT_TABLES.some((t) => t.name === n) && !LEFT_OUT[n]?.trim());
    expect(forgotten).toEqual([]);
    for (const [name, reason] of Object.entries(LEFT_OUT)) expect(reason.length, name).toBeGreaterThan(10);
  });

  it('names only tables db.ts has, with their primary keys and the indexes the export reads', () => {
    for (const spec of PROJECT_TABLES) {
      expect(names, spec.name).toContain(spec.name);
      const schema = db.table(spec.name).schema;
      const keyPath = schema.primKey.keyPath;
      expect(Array.isArray(keyPath) ? keyPath : [keyPath], spec.name).toEqual(spec.key);
      expect(Boolean(schema.primKey.auto), spec.name).toBe(Boolean(spec.autoKey));
      const indexed = (field: string) => schema.indexes.some((i) => i.keyPath === field) || keyPath === field;
      if (spec.select.kind === 'project-index') expect(indexed('projectId'), spec.name).toBe(true);
      if (spec.select.kind === 'project-key') expect(keyPath, spec.name).toBe(spec.select.field);
      if (spec.select.kind === 'child') {
        expect(indexed(spec.select.field), spec.name).toBe(true);
        // parents come first: a child is checked against the parent keys already read
        const parent = PROJECT_TABLES.findIndex((t) => t.name === (spec.select as { parent: string }).parent);
        expect(parent, spec.name).toBeGreaterThanOrEqual(0);
        expect(parent, spec.name).toBeLessThan(PROJECT_TABLES.indexOf(spec));
      }
    }
  });
});
