/**
 * The Monitoring view's imported request log (services/monitoring.ts importLog, in the data worker): the
 * name's lines summarized as core/serving/monitoring summarizes the tab's (by hand: 4 requests over
 * 3 minutes, 1 error, classes Adelie 2 Gentoo 1), other names counted apart, encoded requests counted,
 * blank lines skipped but counted in the line numbers a refusal names; and the tab's own log summarized
 * there too.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { importLog, servedSummary } from '../../../src/services/monitoring';
import { PipetteDB } from '../../../src/store/db';
import { logServedResponse } from '../../../src/store/served-responses';

let db: PipetteDB | undefined;
afterEach(async () => {
  await db?.delete();
});

const T0 = Date.parse('2026-12-03T03:00:00.000Z');
const line = (seconds: number, fields: object) => JSON.stringify({ time: new Date(T0 + seconds * 1000).toISOString(), model: 'penguins', version: 1, api: 'predict', status: 200, latency_ms: 2, ...fields });

describe('an imported request log', () => {
  it("summarizes the name's lines and counts the rest apart", async () => {
    db = new PipetteDB('import-log-summary');
    const text = [
      line(0, { latency_ms: 4, input_kind: 'raw_rows', inputs: [{ island: 'Biscoe' }], classes: ['Adelie'] }),
      '',
      line(60, { latency_ms: 1, input_kind: 'raw_rows', inputs: [{ island: 'Dream' }, { island: null }], classes: ['Adelie', 'Gentoo'] }),
      line(90, { model: 'mnist', input_kind: 'encoded', inputs: [{ x: [0, 1] }] }),
      line(120, { status: 404, latency_ms: 3, error: 'Servable not found for request: Specific(penguins, 9)' }),
      line(180, { latency_ms: 2, input_kind: 'encoded', inputs: [{ dense_input: [0.5, 1] }], classes: [] }),
      '',
    ].join('\n');
    const log = await importLog(db, { projectId: 'p', name: 'penguins', modelId: null, file: new Blob([text]) });
    expect(log).toMatchObject({ lines: 5, requests: 4, otherModels: { mnist: 1 }, encodedRequests: 1, drift: null });
    expect(log.summary).toMatchObject({ requests: 4, errors: 1, errorRate: 0.25, classes: { Adelie: 2, Gentoo: 1 }, latency: { p50: 2, p95: 4, p99: 4 } });
    // 4 requests over the 3 minutes from the first to the last
    expect(log.summary.perMinute).toBeCloseTo(4 / 3, 12);
    expect(log.summary.buckets.map((b) => b.requests)).toEqual([1, 1, 1, 1]);
  });

  it('refuses a bad line naming its number in the file (blank lines counted) and its field', async () => {
    db = new PipetteDB('import-log-refused');
    const text = [line(0, {}), '', line(1, { latency_ms: 'fast' })].join('\n');
    await expect(importLog(db, { projectId: 'p', name: 'penguins', modelId: null, file: new Blob([text]) })).rejects.toMatchObject({ kind: 'ServingError', code: 'bad-log-line', details: { line: 3, field: 'latency_ms' } });
  });

  it("summarizes the tab's logged answers of a name", async () => {
    db = new PipetteDB('import-log-tab');
    for (const [at, status] of [[T0, 200], [T0 + 30_000, 500], [T0 + 60_000, 200]] as const) await logServedResponse(db, { projectId: 'p', model: 'penguins', at, version: 1, status, latencyMs: 5, classes: ['Gentoo'] });
    await logServedResponse(db, { projectId: 'p', model: 'other', at: T0, version: 1, status: 200, latencyMs: 5, classes: [] });
    expect(await servedSummary(db, { projectId: 'p', name: 'penguins' })).toMatchObject({ requests: 3, errors: 1, classes: { Gentoo: 3 } });
  });
});
