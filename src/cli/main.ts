/**
 * `pipette run <pipeline.json> --data <dir> --out <dir>`: a pipeline run headless, for CI (issue 14), with
 * the run loop the tab uses (core/pipeline/runner.ts) and a host that works on files (host.ts). Exit code
 * 0 when the run succeeded, 1 when it failed (the reason on stderr, naming the component), 2 for bad
 * arguments or a pipeline file that is not a valid pipeline. Expected failures never print a stack trace.
 *
 * Node only: this layer may import core, never store, services, protocol, app or ui (a layer rule).
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { checkPipeline, type CheckedPipeline } from '../core/pipeline/check';
import type { MlmdStore } from '../core/pipeline/mlmd';
import { newRunRecord, runPipeline, type RunRecord } from '../core/pipeline/runner';
import { parsePipeline } from '../core/pipeline/spec';
import { parseArgs, USAGE, UsageError } from './args';
import { NodeHost } from './host';
import { errorText, failureText, ProgressPrinter, type Output } from './report';
import { SERVE_USAGE, serveMain } from './serve';
import { loadStore, lockOut, runFile, saveLineage, saveState } from './state';
import type { BackendName } from './tf';

const stdio: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Run the command line; resolves with the exit code. */
export async function main(argv: readonly string[], output: Output = stdio): Promise<number> {
  if (argv[0] === 'serve') {
    if (argv.includes('--help') || argv.includes('-h')) {
      output.out(SERVE_USAGE);
      return 0;
    }
    return serveMain(argv.slice(1), output);
  }
  let command;
  try {
    command = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    output.err(`pipette: ${e.message}\nRun "pipette --help" for the usage.`);
    return 2;
  }
  if (command.kind === 'help') {
    output.out(USAGE);
    return 0;
  }
  let dag: CheckedPipeline;
  try {
    if (!existsSync(command.data) || !statSync(command.data).isDirectory()) throw new UsageError(`--data ${command.data} is not a directory`);
    dag = checkPipeline(parsePipeline(await readFile(command.pipeline, 'utf8')));
  } catch (e) {
    const reason = e instanceof Error && 'code' in e && e.code === 'ENOENT' ? 'no such file' : errorText(e);
    output.err(`pipette: ${e instanceof UsageError ? reason : `${command.pipeline}: ${reason}`}`);
    return 2;
  }
  try {
    return await runCommand(dag, command, output);
  } catch (e) {
    output.err(`pipette: ${errorText(e)}`);
    return 1;
  }
}

async function runCommand(dag: CheckedPipeline, command: { data: string; out: string; backend: BackendName; quiet: boolean }, output: Output): Promise<number> {
  const out = resolve(command.out);
  await mkdir(out, { recursive: true });
  const unlock = await lockOut(out);
  try {
    return await runLocked(dag, out, command, output);
  } finally {
    await unlock();
  }
}

async function runLocked(dag: CheckedPipeline, out: string, command: { data: string; backend: BackendName; quiet: boolean }, output: Output): Promise<number> {
  const store = await loadStore(out);
  const host = new NodeHost({ dataDir: resolve(command.data), out, store, backend: command.backend });
  if (!command.quiet) output.out(`pipette: pipeline "${dag.spec.name}", ${dag.order.length} components, outputs in ${out}`);

  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const printer = new ProgressPrinter(output, command.quiet, dag.order);
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once('SIGINT', interrupt);
  let saved = '';
  const onChange = async (run: RunRecord, s: MlmdStore) => {
    checkExecutionIds(run);
    printer.update(run);
    // saved when a component has written something (its artifacts must not outlive a crash without their
    // lineage) and at the end; a start, a progress tick or a cache hit writes no file
    const finished = JSON.stringify([Object.values(run.components).map((c) => c.state === 'succeeded' || c.state === 'failed'), run.outcome ?? null]);
    if (finished === saved) return;
    saved = finished;
    await saveState(out, run, s);
  };
  let record: RunRecord;
  try {
    // one component at a time: Node does the work on one thread, and the artifact directory's execution id is exact
    record = await runPipeline(dag, host, store, newRunRecord(runId, dag, Date.now()), { signal: controller.signal, maxParallel: 1, onChange });
  } finally {
    process.off('SIGINT', interrupt);
  }
  await saveLineage(out, store);
  const counts = Object.values(record.components).reduce<Record<string, number>>((n, c) => ({ ...n, [c.state]: (n[c.state] ?? 0) + 1 }), {});
  const summary = Object.entries(counts).map(([state, n]) => `${n} ${state}`).join(', ');
  const seconds = (((record.finishedAt ?? record.startedAt) - record.startedAt) / 1000).toFixed(2);
  const unblessed = notBlessed(dag, record);
  if (record.outcome === 'succeeded' && unblessed.length === 0) {
    if (!command.quiet) output.out(`pipette: run ${runId} succeeded in ${seconds} s (${summary}); record in ${runFile(out, runId)}`);
    return 0;
  }
  if (record.outcome === 'succeeded') {
    // every component did its work, but a model is not blessed: CI must not pass (issue 14)
    output.err(`pipette: run ${runId} finished in ${seconds} s (${summary}), but ${unblessed.join('; ')}`);
    return 1;
  }
  const failed = Object.entries(record.components).filter(([, c]) => c.state === 'failed');
  output.err(`pipette: run ${runId} ${record.outcome} (${summary})${failed.length > 0 ? `: ${failed.map(([id, c]) => failureText(id, c.error)).join('; ')}` : ''}`);
  return record.outcome === 'cancelled' ? 130 : 1;
}

/** A succeeded component's outputs must sit in the directory of its own execution id (see host.ts). */
function checkExecutionIds(run: RunRecord): void {
  for (const [id, c] of Object.entries(run.components)) {
    if (c.state !== 'succeeded' || c.executionId === undefined) continue;
    for (const refs of Object.values(run.outputs[id] ?? {})) {
      for (const ref of refs) if (ref.uri !== `artifacts/${id}/${c.executionId}`) throw new Error(`${id}: its output ${ref.uri} is not in the directory of execution ${c.executionId}`);
    }
  }
}

/** Each Evaluator whose model is not blessed, with the thresholds it failed and what its Pushers did. */
function notBlessed(dag: CheckedPipeline, run: RunRecord): string[] {
  return dag.order.flatMap((id) => {
    if (dag.components[id]!.spec.type !== 'Evaluator') return [];
    const blessing = run.outputs[id]?.blessing?.[0];
    if (!blessing || blessing.properties.blessed !== false) return [];
    const pushers = dag.order.filter((p) => dag.components[p]!.spec.type === 'Pusher' && Object.values(dag.components[p]!.spec.inputs).some((i) => i.from === id));
    const pushed = pushers.map((p) => `${p}: not pushed (${String(run.outputs[p]?.pushed_model?.[0]?.properties.reason ?? 'not run')})`);
    return [[`${id}: the model ${String(blessing.properties.model)} is not blessed: ${String(blessing.properties.failed)} failed`, ...pushed].join('; ')];
  });
}
