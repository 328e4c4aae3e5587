/**
 * The demo pipeline headless (issue 14's `npm run bench -- pipeline`, the Node figures): the built
 * `pipette run` in its own Node process on the demo's penguins.json, the pipeline cut to the components the
 * command-line runner has (ExampleGen to Transform; Trainer and later are not runnable in Node yet). Seconds
 * per component and for the run from its RunRecord, then a second run on the same --out (every component
 * cached); the process's wall time is reported too (Node's start and the module load, outside the run).
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
    spec.components = spec.components.filter((c) => !['Trainer', 'Evaluator', 'Pusher'].includes(c.type));
    writeFileSync(join(work, 'pipeline.json'), JSON.stringify(spec));
    const out = join(work, 'out');
    mkdirSync(join(out, 'runs'), { recursive: true });
    const args = ['run', join(work, 'pipeline.json'), '--data', join(work, 'data'), '--out', out];

    const first = runOnce(args, out);
    expect(first.record.outcome).toBe('succeeded');
    report(BENCH, 'node_run_seconds', seconds(first.record), 's', `the demo pipeline without Trainer, Evaluator and Pusher (${spec.components.length} components), from its run record`);
    for (const [id, c] of Object.entries(first.record.components)) report(BENCH, `node_${id}_seconds`, ((c.finishedAt ?? 0) - (c.startedAt ?? 0)) / 1000, 's', 'informational: one component');
    report(BENCH, 'node_process_seconds', first.wall, 's', 'informational: the whole process (Node start, module load, the run, writing the files)');

    const second = runOnce(args, out);
    expect(Object.values(second.record.components).every((c) => c.state === 'cached')).toBe(true);
    report(BENCH, 'node_cached_rerun_seconds', seconds(second.record), 's', '< 5 % of node_run_seconds (every component cached)');
    report(BENCH, 'node_cached_rerun_share', seconds(second.record) / seconds(first.record), 'ratio', '< 0.05');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
