/**
 * The tab's TF Serving routes (issue 15), the parts without a browser: the registry as served names (a
 * name's versions, its aliases as labels), the rows a raw-rows request logs, and the Deploy page's curl
 * example (shell quoting).
 */
import { describe, expect, it } from 'vitest';
import { rawRows as loggedRows } from '../../../src/services/tab-serving';
import { bundleFileName, servedNames } from '../../../src/services/served-list';
import { curlExamples, exampleRow, modelUrl, predictBody, rowByColumn } from '../../../src/app/deploy-examples';
import type { AliasRecord, ModelVersionRecord } from '../../../src/store/training-records';

const model = (id: string, name: string, version: number) => ({ id, name, version, projectId: 'p' }) as ModelVersionRecord;
const alias = (name: string, modelId: string) => ({ projectId: 'p', alias: name, modelId, updatedAt: 0 }) as AliasRecord;

describe('servedNames', () => {
  it("serves each name with its own versions (the registry's numbers) and the aliases of those versions as labels", () => {
    const models = [model('c', 'penguins', 4), model('a', 'penguins', 1), model('b', 'iris', 2), model('d', 'Penguin teacher', 3)];
    const served = servedNames(models, [alias('production', 'a'), alias('staging', 'c'), alias('canary', 'b'), alias('old', 'gone')]);
    expect(served.map((s) => [s.name, s.versions.map((v) => [v.version, v.modelId]), s.labels])).toEqual([
      ['iris', [[2, 'b']], { canary: 2 }],
      ['Penguin teacher', [[3, 'd']], {}],
      ['penguins', [[1, 'a'], [4, 'c']], { production: 1, staging: 4 }],
    ]);
  });
});

describe('loggedRows', () => {
  it('gives one record per example, a missing value (NaN or null) as null', () => {
    const rows = loggedRows({
      Island: { dtype: 'DT_STRING', shape: [2], values: ['Biscoe', null] },
      'Body Mass (g)': { dtype: 'DT_FLOAT', shape: [2], values: Float32Array.from([4500, NaN]) },
    });
    expect(rows).toEqual([
      { Island: 'Biscoe', 'Body Mass (g)': 4500 },
      { Island: null, 'Body Mass (g)': null },
    ]);
  });
});

describe('the Deploy page examples', () => {
  it("name the exported bundle's file and quote a body with a single quote for the shell", () => {
    expect(bundleFileName('Penguin teacher', 3)).toBe('Penguin-teacher-v3.zip');
    expect(modelUrl('https://example.org/app/', 'a b')).toBe('https://example.org/app/v1/models/a%20b');
    const text = curlExamples('Penguin-teacher-v3.zip', 'Penguin teacher', `{"instances":[{"Island":"O'Hare"}]}`);
    expect(text.split('\n')).toEqual([
      "npx pipette serve 'Penguin-teacher-v3.zip' --port 8501 --model_name 'Penguin teacher'",
      '',
      "curl 'http://localhost:8501/v1/models/Penguin%20teacher'",
      `curl -d '{"instances":[{"Island":"O'\\''Hare"}]}' 'http://localhost:8501/v1/models/Penguin%20teacher:predict'`,
    ]);
  });
});

describe('the predict example row', () => {
  const onTransform = {
    id: 'm',
    name: 'penguins',
    version: 1,
    metadata: {
      preprocessing: {
        features: [
          {
            encoding: 'transform',
            fitted: {
              columns: [
                { name: 'island', type: 'categorical' },
                { name: 'bill', type: 'number' },
                { name: 'sex', type: 'categorical' },
              ],
              steps: [
                { op: 'vocabulary', inputs: ['island'], state: { vocabulary: ['Biscoe', 'Dream'] } },
                { op: 'vocabulary', inputs: ['sex'], state: { vocabulary: ['FEMALE', 'MALE'] } },
              ],
            },
          },
        ],
      },
    },
  } as unknown as ModelVersionRecord;

  it("is a real data row's cells by column, a missing cell kept as null; before it is read, known values and medians", () => {
    const median = (c: string) => (c === 'bill' ? 44.45 : null);
    expect(exampleRow(onTransform, median)).toEqual({ island: 'Biscoe', bill: 44.45, sex: 'FEMALE' });
    // the version's columns in its order, the label among them; the row's sex is missing
    const row = rowByColumn([{ name: 'species' }, { name: 'island' }, { name: 'bill' }, { name: 'sex' }, { name: 'photo' }], ['Adelie', 'Torgersen', 39.1, null, { image: new Uint8Array(1) }]);
    expect(exampleRow(onTransform, median, (c) => row.get(c))).toEqual({ island: 'Torgersen', bill: 39.1, sex: null });
    expect(predictBody(exampleRow(onTransform, median, (c) => row.get(c))!)).toBe('{"instances":[{"island":"Torgersen","bill":39.1,"sex":null}]}');
    expect(row.has('photo')).toBe(false);
  });
});
