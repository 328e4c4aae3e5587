/**
 * Serving (issue 15's `npm run bench -- serve`, the Node figures): the built `pipette serve` in its own
 * Node process on the demo's penguin model (trained by `pipette run` on the demo pipeline, a bundle on a
 * transform, so each request is one raw row), loaded with autocannon in this process at concurrency 1, 8
 * and 64 for a few seconds each, with batching off and on (--enable_batching, max 64 examples, 1 ms).
 * Figures: node_penguins_c<N>_rps, _p50_ms, _p99_ms, _errors (non-2xx and socket errors), with _batched
 * for batching on. Goal: p99 < 20 ms at c64 with 0 errors. Load generator and server share the 2 cores.
 */
import { test, expect } from '@playwright/test';
import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { report } from './report';

const BENCH = 'serve';
const root = process.cwd();
const SECONDS = 5;

function startServer(args: string[]): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, [join(root, 'bin/pipette.mjs'), 'serve', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    proc.on('exit', (code) => reject(new Error(`pipette serve exited ${code}`)));
    proc.stdout!.on('data', (c: Buffer) => {
      text += c.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(text);
      if (m) resolve({ proc, port: Number(m[1]) });
    });
  });
}

function load(port: number, connections: number, body: string): Promise<autocannon.Result> {
  return autocannon({ url: `http://127.0.0.1:${port}/v1/models/penguins:predict`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration: SECONDS });
}

test('pipette serve: the penguin model at concurrency 1, 8 and 64, batching off and on', async () => {
  await build({ configFile: join(root, 'vite.cli.config.ts'), root, logLevel: 'silent' });
  const work = mkdtempSync(join(tmpdir(), 'pipette-bench-serve-'));
  try {
    mkdirSync(join(work, 'data', 'Palmer penguins'), { recursive: true });
    const penguins = readFileSync(join(root, 'node_modules/vega-datasets/data/penguins.json'), 'utf8');
    writeFileSync(join(work, 'data', 'Palmer penguins', 'penguins.json'), penguins);
    const run = spawnSync(process.execPath, [join(root, 'bin/pipette.mjs'), 'run', join(root, 'pipelines/demo.pipeline.json'), '--data', join(work, 'data'), '--out', join(work, 'out'), '--quiet'], { encoding: 'utf8' });
    expect(run.stderr).not.toContain('    at ');
    const bundle = join(work, 'out/artifacts/trainer/6/model');
    const columns = (JSON.parse(readFileSync(join(bundle, 'transform.json'), 'utf8')) as { columns: { name: string }[] }).columns.map((c) => c.name);
    const first = (JSON.parse(penguins) as Record<string, unknown>[])[0]!;
    const body = JSON.stringify({ instances: [Object.fromEntries(columns.map((c) => [c, first[c] ?? null]))] });

    for (const batched of [false, true]) {
      const flags = batched ? ['--enable_batching', '--max_batch_size', '64', '--batch_timeout_micros', '1000'] : [];
      const { proc, port } = await startServer([bundle, '--port', '0', '--model_name', 'penguins', '--poll_seconds', '0', ...flags]);
      try {
        const check = await fetch(`http://127.0.0.1:${port}/v1/models/penguins:predict`, { method: 'POST', body });
        expect(check.status).toBe(200);
        await load(port, 8, body); // warm-up: TF.js kernels, the JIT
        for (const c of [1, 8, 64]) {
          const r = await load(port, c, body);
          const name = `node_penguins_c${c}${batched ? '_batched' : ''}`;
          const goal = c === 64 ? 'p99 < 20 ms at c64, 0 errors' : 'informational';
          report(BENCH, `${name}_rps`, r.requests.average, 'requests/s', goal);
          report(BENCH, `${name}_p50_ms`, r.latency.p50, 'ms', goal);
          report(BENCH, `${name}_p99_ms`, r.latency.p99, 'ms', c === 64 ? '< 20' : 'informational');
          report(BENCH, `${name}_errors`, r.errors + r.non2xx + r.timeouts, 'requests', '0');
        }
      } finally {
        proc.kill('SIGTERM');
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
