/**
 * The demo pipeline headless (issue 14's `npm run bench -- pipeline`, the Node figures): the built
 * `pipette run` in its own Node process on the demo's penguins.json, all eight components (the Trainer on
 * TF.js's cpu backend, the default). Seconds per component and for the run from its RunRecord, then a
 * second run on the same --out: cached through the Trainer; the Evaluator runs again because production
 * now points at the first run's model (its resolved baseline, part of its cache key, as in the tab) and
 * the Pusher always runs (a side effect is never cached). The process's wall time is reported too (Node's
 * start and the module load, outside the run), and a first run with --backend wasm for comparison.
 */
import { expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import type { RunRecord } from '../../src/core/pipeline/runner';
import type { PipelineSpec } from '../../src/core/pipeline/spec';
import { report } from './report';

const BENCH = 'pipeline';
const root = process.cwd();

function runOnce(args: string[], out: string): { record: RunRecord; wall: number } {
  const before = new Set(readdirSync(join(out, 'runs'), { withFileTypes: false }).map(String));
  const started = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'bin/pipette.mjs'), ...args, '--quiet'], { encoding: 'utf8' });
  const wall = (performance.now() - started) / 1000;
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const file = readdirSync(join(out, 'runs')).find((f) => !before.has(f))!;
  return { record: JSON.parse(readFileSync(join(out, 'runs', file), 'utf8')) as RunRecord, wall };
}

const seconds = (record: RunRecord) => ((record.finishedAt ?? record.startedAt) - record.startedAt) / 1000;

test('the demo pipeline in Node: first run and cached re-run', async () => {
  await build({ configFile: join(root, 'vite.cli.config.ts'), root, logLevel: 'silent' });
  const work = mkdtempSync(join(tmpdir(), 'pipette-bench-'));
  try {
    mkdirSync(join(work, 'data', 'Palmer penguins'), { recursive: true });
    copyFileSync(join(root, 'node_modules/vega-datasets/data/penguins.json'), join(work, 'data', 'Palmer penguins', 'penguins.json'));
    const spec = JSON.parse(readFileSync(join(root, 'pipelines/demo.pipeline.json'), 'utf8')) as PipelineSpec;
    writeFileSync(join(work, 'pipeline.json'), JSON.stringify(spec));
    const out = join(work, 'out');
    mkdirSync(join(out, 'runs'), { recursive: true });
    const args = ['run', join(work, 'pipeline.json'), '--data', join(work, 'data'), '--out', out];

    const first = runOnce(args, out);
    expect(first.record.outcome).toBe('succeeded');
    report(BENCH, 'node_run_seconds', seconds(first.record), 's', `the demo pipeline (${spec.components.length} components, cpu backend), from its run record`);
    for (const [id, c] of Object.entries(first.record.components)) report(BENCH, `node_${id}_seconds`, ((c.finishedAt ?? 0) - (c.startedAt ?? 0)) / 1000, 's', 'informational: one component');
    report(BENCH, 'node_process_seconds', first.wall, 's', 'informational: the whole process (Node start, module load, the run, writing the files)');

    const second = runOnce(args, out);
    const states = Object.fromEntries(Object.entries(second.record.components).map(([id, c]) => [id, c.state]));
    expect(states).toEqual({ example_gen: 'cached', statistics_gen: 'cached', schema_gen: 'cached', example_validator: 'cached', transform: 'cached', trainer: 'cached', evaluator: 'succeeded', pusher: 'succeeded' });
    report(BENCH, 'node_cached_rerun_seconds', seconds(second.record), 's', '< 5 % of node_run_seconds (cached through the Trainer; the Evaluator against the new production, the Pusher)');
    report(BENCH, 'node_cached_rerun_share', seconds(second.record) / seconds(first.record), 'ratio', '< 0.05');
    report(BENCH, 'node_rerun_evaluator_seconds', ((second.record.components.evaluator!.finishedAt ?? 0) - (second.record.components.evaluator!.startedAt ?? 0)) / 1000, 's', 'informational: the re-run Evaluator (its metrics kept from the first run: no TF.js load, no prediction)');
    // production unchanged since the second run: the Evaluator is cached too, only the Pusher runs
    const third = runOnce(args, out);
    expect(third.record.components.evaluator!.state).toBe('cached');
    report(BENCH, 'node_third_run_seconds', seconds(third.record), 's', 'informational: a third run, production unchanged (everything but the Pusher cached)');

    const wasmOut = join(work, 'out-wasm');
    mkdirSync(join(wasmOut, 'runs'), { recursive: true });
    const wasm = runOnce(['run', join(work, 'pipeline.json'), '--data', join(work, 'data'), '--out', wasmOut, '--backend', 'wasm'], wasmOut);
    report(BENCH, 'node_run_seconds_wasm', seconds(wasm.record), 's', 'informational: the first run with --backend wasm');
    report(BENCH, 'node_trainer_seconds_wasm', ((wasm.record.components.trainer!.finishedAt ?? 0) - (wasm.record.components.trainer!.startedAt ?? 0)) / 1000, 's', 'informational: its Trainer');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
