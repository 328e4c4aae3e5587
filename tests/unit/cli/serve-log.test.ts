/**
 * `pipette serve`'s request log and metrics over real HTTP (the server of serve-http.ts in this process,
 * on the serving core's hand-computed fixture models): every sampled request is one JSON line with its
 * inputs as rows and its predicted classes, read back by the Monitoring view's reader; sampling is exact
 * (0.25 logs the 4th and 8th of 8); the log rotates at its cap keeping the newest lines; and the
 * Prometheus page counts every request (sampled or not) with TF Serving's metric names, status names
 * and latency buckets (checked by hand as TF Serving's exporter test does).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLogLine, type RequestLogLine } from '../../../src/core/serving/request-log';
import { createServingServer, METRICS_PATH } from '../../../src/cli/serve-http';
import { RequestLog } from '../../../src/cli/serve-log';
import { ServingMetrics } from '../../../src/cli/serve-metrics';
import { parseServeArgs, ServeUsageError } from '../../../src/cli/serve';
import { servedFixtures } from '../serving/fixtures';

const work = mkdtempSync(join(tmpdir(), 'pipette-serve-log-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function call(port: number, method: string, path: string, body?: string): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path }, (r) => {
      let text = '';
      r.on('data', (c: Buffer) => (text += c.toString()));
      r.on('end', () => resolve({ status: r.statusCode!, body: text, type: String(r.headers['content-type']) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function serve(log: RequestLog | null): Promise<{ server: Server; port: number; metrics: ServingMetrics }> {
  const metrics = new ServingMetrics();
  const server = createServingServer(servedFixtures().models, { maxBodyBytes: 1000, log, metrics }, { requests: 0, errors: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, metrics };
}

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

describe('the request log', () => {
  it('logs each request as one JSON line the Monitoring reader reads back: inputs as rows, classes, outputs, errors', async () => {
    const path = join(work, 'all.jsonl');
    const log = new RequestLog({ path, samplingRate: 1, maxBytes: 1e6 });
    const { server, port } = await serve(log);
    // vehicles' scores for f are [f, 0.9 - f, 0.1]: 0.75 is a car, 0.25 a bike
    expect((await call(port, 'POST', '/v1/models/vehicles:predict', '{"instances": [0.75, 0.25]}')).status).toBe(200);
    expect((await call(port, 'POST', '/v1/models/half_plus_three/versions/123:predict', '{"instances": [1.0, 2.0]}')).status).toBe(200);
    expect((await call(port, 'POST', '/v1/models/no-such:predict', '{"instances": [1]}')).status).toBe(404);
    expect((await call(port, 'POST', '/v1/models/two:predict', '{"instances": [{"a": [1, 2], "b": 3}]}')).status).toBe(200);
    expect((await call(port, 'POST', '/v1/models/half_plus_three:predict', '{"instances": [1,')).status).toBe(400);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await log.close();

    const written = lines(path).map((l) => JSON.parse(l) as RequestLogLine);
    expect(written.map((l) => [l.model, l.version, l.api, l.status])).toEqual([
      ['vehicles', 2, 'predict', 200],
      ['half_plus_three', 123, 'predict', 200],
      ['no-such', null, 'predict', 404],
      ['two', 1, 'predict', 200],
      ['half_plus_three', null, 'predict', 400],
    ]);
    expect(written[0]).toMatchObject({ input_kind: 'encoded', inputs: [{ f: 0.75 }, { f: 0.25 }], classes: ['car', 'bike'] });
    expect(written[0]!.outputs![0]).toEqual([0.75, expect.closeTo(0.15, 6), expect.closeTo(0.1, 6)]);
    expect(written[1]).toMatchObject({ inputs: [{ x: 1 }, { x: 2 }], outputs: [3.5, 4] });
    expect(written[1]!.classes).toBeUndefined();
    expect(written[2]).toMatchObject({ error: 'Servable not found for request: Latest(no-such)' });
    expect(written[2]!.inputs).toBeUndefined();
    // an input of two values per example is kept as a list
    expect(written[3]!.inputs).toEqual([{ a: [1, 2], b: 3 }]);
    for (const l of written) expect(Date.parse(l.time)).toBeGreaterThan(0);
    for (const l of written) expect(l.latency_ms).toBeGreaterThanOrEqual(0);

    const read = lines(path).map((l, i) => readLogLine(l, i + 1));
    expect(read[0]!.request.classes).toEqual(['car', 'bike']);
    expect(read.map((r) => r.request.status)).toEqual([200, 200, 404, 200, 400]);
    expect(read[0]!.inputs).toEqual([{ f: 0.75 }, { f: 0.25 }]);
  });

  it('samples exactly: a rate of 0.25 logs the 4th and the 8th of 8 requests, while the metrics count all 8', async () => {
    const path = join(work, 'sampled.jsonl');
    const log = new RequestLog({ path, samplingRate: 0.25, maxBytes: 1e6 });
    const { server, port } = await serve(log);
    for (let i = 1; i <= 8; i++) await call(port, 'POST', '/v1/models/half_plus_three:predict', `{"instances": [${i}.0]}`);
    const page = await call(port, 'GET', METRICS_PATH);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await log.close();
    expect(lines(path).map((l) => (JSON.parse(l) as RequestLogLine).inputs)).toEqual([[{ x: 4 }], [{ x: 8 }]]);
    expect(page.body).toContain(':tensorflow:serving:request_count{model_name="half_plus_three",status="OK"} 8\n');
    expect(page.body).toContain(':tensorflow:serving:request_latency_count{model_name="half_plus_three",API="Predict",entrypoint="REST"} 8\n');

    const counts = (rate: number, n: number) => {
      const l = new RequestLog({ path: join(work, 'unused'), samplingRate: rate, maxBytes: 1 });
      return Array.from({ length: n }, () => l.sample()).filter(Boolean).length;
    };
    expect([counts(0, 50), counts(1, 50), counts(0.1, 100), counts(1 / 3, 9)]).toEqual([0, 50, 10, 3]);
  });

  it('rotates at its cap: the file moves to .1 and a new one starts, the newest lines kept in order', async () => {
    const path = join(work, 'capped.jsonl');
    const line = (i: number): RequestLogLine => ({ time: '2026-12-03T03:00:00.000Z', model: `m${i}`, version: 1, api: 'predict', status: 200, latency_ms: 1 });
    const size = Buffer.byteLength(`${JSON.stringify(line(0))}\n`);
    // three lines fit, a fourth would go over
    const log = new RequestLog({ path, samplingRate: 1, maxBytes: 3 * size + 1 });
    for (let i = 1; i <= 10; i++) log.write(line(i));
    await log.close();
    const model = (l: string) => (JSON.parse(l) as RequestLogLine).model;
    expect(lines(`${path}.1`).map(model)).toEqual(['m7', 'm8', 'm9']);
    expect(lines(path).map(model)).toEqual(['m10']);
    expect(log.stats).toEqual({ logged: 10, rotations: 3, failed: 0 });
    expect(statSync(`${path}.1`).size).toBeLessThanOrEqual(3 * size + 1);
  });

  it('refuses a sampling rate outside 0..1, and the log options without a log file', () => {
    expect(parseServeArgs(['m', '--request-log', 'r.jsonl', '--request-log-sampling', '0.1']).requestLog).toEqual({ path: 'r.jsonl', samplingRate: 0.1, maxBytes: 64 * 1024 * 1024 });
    expect(() => parseServeArgs(['m', '--request-log', 'r.jsonl', '--request-log-sampling', '1.5'])).toThrow(ServeUsageError);
    expect(() => parseServeArgs(['m', '--request-log-sampling', '0.5'])).toThrow('need --request-log');
  });

  it('refuses a bad log line naming the line and the field', () => {
    const good = { time: '2026-12-03T03:00:00.000Z', model: 'penguins', version: 1, status: 200, latency_ms: 2 };
    const refusal = (text: string) => {
      try {
        readLogLine(text, 7);
      } catch (e) {
        return e;
      }
      return null;
    };
    expect(readLogLine(JSON.stringify(good), 1).request).toEqual({ at: Date.parse(good.time), status: 200, latencyMs: 2, classes: [] });
    expect(refusal('{"time": ')).toMatchObject({ kind: 'ServingError', code: 'bad-log-line', details: { line: 7, field: 'json' } });
    expect(refusal(JSON.stringify({ ...good, latency_ms: -1 }))).toMatchObject({ details: { line: 7, field: 'latency_ms' } });
    expect(refusal(JSON.stringify({ ...good, time: 'yesterday' }))).toMatchObject({ details: { field: 'time' } });
    expect(refusal(JSON.stringify({ ...good, status: '200' }))).toMatchObject({ details: { field: 'status' } });
    expect(refusal(JSON.stringify({ ...good, inputs: [{ a: { b: 1 } }] }))).toMatchObject({ details: { field: 'inputs' } });
    expect(refusal(JSON.stringify({ ...good, classes: [1] }))).toMatchObject({ details: { field: 'classes' } });
  });
});

describe('the Prometheus page', () => {
  it("writes TF Serving's metric names, status names and latency buckets (µs, 10 x 1.8^i), computed by hand", () => {
    const metrics = new ServingMetrics();
    // 2, 20 and 200 µs: buckets below 10, 32.4 and 340.122
    for (const ms of [0.002, 0.02, 0.2]) metrics.record({ model: 'a"b\\c', api: 'predict', status: 200 }, ms);
    metrics.record({ model: 'penguins', api: 'status', status: 404, code: 'not-found' }, 1);
    metrics.record({ status: 400, code: 'invalid-argument' }, 1);
    metrics.record({ status: 413, code: 'too-large' }, 1);
    const page = metrics.page().split('\n');
    expect(page.slice(0, 5)).toEqual([
      '# TYPE :tensorflow:serving:request_count counter',
      ':tensorflow:serving:request_count{model_name="a\\"b\\\\c",status="OK"} 3',
      ':tensorflow:serving:request_count{model_name="penguins",status="NOT_FOUND"} 1',
      ':tensorflow:serving:request_count{model_name="",status="INVALID_ARGUMENT"} 1',
      ':tensorflow:serving:request_count{model_name="",status="RESOURCE_EXHAUSTED"} 1',
    ]);
    expect(page[5]).toBe('# TYPE :tensorflow:serving:request_latency histogram');
    const own = 'model_name="a\\"b\\\\c",API="Predict",entrypoint="REST"';
    const bucket = (le: string) => page.find((l) => l.startsWith(`:tensorflow:serving:request_latency_bucket{${own},le="${le}"}`));
    expect([bucket('10'), bucket('18'), bucket('32.4'), bucket('188.957'), bucket('340.122'), bucket('+Inf')].map((l) => Number(l!.split(' ')[1]))).toEqual([1, 1, 2, 2, 3, 3]);
    expect(page.filter((l) => l.includes(own) && l.includes('_bucket'))).toHaveLength(34);
    expect(page).toContain(`:tensorflow:serving:request_latency_sum{${own}} 222`);
    expect(page).toContain(`:tensorflow:serving:request_latency_count{${own}} 3`);
    // a status request counted under its own API; requests naming no model have no latency
    expect(page).toContain(':tensorflow:serving:request_latency_count{model_name="penguins",API="GetModelStatus",entrypoint="REST"} 1');
    expect(page.filter((l) => l.includes('request_latency_count{model_name=""'))).toEqual([]);
    expect(page.at(-1)).toBe('');
  });

  it('is served as text over HTTP, and counts a body over the limit', async () => {
    const { server, port } = await serve(null);
    await call(port, 'POST', '/v1/models/half_plus_three:predict', `{"instances": [${'1,'.repeat(600)}1]}`);
    const page = await call(port, 'GET', METRICS_PATH);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/plain; version=0.0.4');
    expect(page.body).toContain(':tensorflow:serving:request_count{model_name="",status="RESOURCE_EXHAUSTED"} 1\n');
  });
});
