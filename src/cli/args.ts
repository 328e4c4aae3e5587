/** The command line of `pipette`: what it accepts, and its help. */

export const USAGE = `Usage:
  pipette run <pipeline.json> --data <dir> --out <dir> [--backend cpu|wasm] [--quiet]
  pipette serve <bundle.zip | models-dir> [--port 8501] ...   (pipette serve --help for its options)
  pipette --help

Runs a Pipette pipeline (the JSON the Pipelines page exports) in Node, with the same core as the tab.

  <pipeline.json>    the pipeline document (format "pipette-pipeline", version 1)
  --data <dir>       one subdirectory per dataset, named after it (e.g. "<dir>/Palmer penguins/");
                     its .csv, .tsv, .json, .ndjson, .arrow or .parquet files are its versions in name
                     order (numbers compare as numbers), "latest" is the last, {"number": n} the n-th
  --out <dir>        artifacts/<component>/<execution id>/, mlmd.json, mlmd-store.json, runs/<run>.json,
                     aliases.json (the registry: which model the Pusher pointed each alias at);
                     a second run with the same --out reuses unchanged components' outputs (cached)
  --backend cpu|wasm TF.js backend of the Trainer and Evaluator (default cpu)
  --quiet            print only failures and the outcome

Exit codes: 0 the run succeeded; 1 it failed (anomalies not accepted, a model not blessed, a component
that failed or that this runner cannot run), with the reason on stderr naming the component;
2 bad arguments or a pipeline file that is not a valid pipeline.
`;

export type Command = { kind: 'help' } | { kind: 'run'; pipeline: string; data: string; out: string; backend: 'cpu' | 'wasm'; quiet: boolean };

/** A command line that is not one (exit code 2). */
export class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): Command {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') return { kind: 'help' };
  const [command, ...rest] = argv;
  if (command !== 'run') throw new UsageError(`unknown command "${command}" (the commands are "run" and "serve")`);
  const positional: string[] = [];
  const options: Record<string, string> = {};
  let quiet = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--quiet' || arg === '-q') quiet = true;
    else if (arg === '--data' || arg === '--out' || arg === '--backend') {
      const value = rest[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      options[arg.slice(2)] = value;
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'the pipeline file is missing' : `one pipeline file, not ${positional.length}: ${positional.join(' ')}`);
  if (!options.data) throw new UsageError('--data <dir> is missing');
  if (!options.out) throw new UsageError('--out <dir> is missing');
  const backend = options.backend ?? 'cpu';
  if (backend !== 'cpu' && backend !== 'wasm') throw new UsageError(`--backend must be cpu or wasm, not ${backend}`);
  return { kind: 'run', pipeline: positional[0]!, data: options.data, out: options.out, backend, quiet };
}
