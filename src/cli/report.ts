/**
 * What the runner prints: a line as each component starts and finishes (state, seconds, cached from which
 * execution) on stdout, and each failure's reason on stderr, naming the component. Errors are said with
 * their English message (the page's translated messages live in app/, which Node does not load), never
 * with a stack trace.
 */
import { codedErrorData } from '../core/coded-errors';
import type { ComponentRun, RunFailure, RunRecord } from '../core/pipeline/runner';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

const PLACE_KEYS = ['component', 'port', 'field', 'file', 'row', 'column', 'step'] as const;

/** An error's English message with the place it names, when the message does not say it already. */
export function errorText(e: unknown): string {
  const coded = codedErrorData(e);
  if (!coded) return e instanceof Error || isFailure(e) ? e.message : String(e);
  const details = coded.details as Record<string, unknown>;
  const place = PLACE_KEYS.filter((k) => details[k] !== undefined && details[k] !== null && !coded.message.includes(String(details[k]))).map((k) => `${k} ${String(details[k])}`);
  const params = (details.params ?? {}) as Record<string, unknown>;
  const wanted = ['choices', 'min', 'max'].filter((k) => params[k] !== undefined).map((k) => `${k} ${String(params[k])}`);
  const extra = [...place, ...wanted];
  return extra.length > 0 ? `${coded.message} (${extra.join(', ')})` : coded.message;
}

/** A component's failure as one line that names it once. */
export function failureText(id: string, error: unknown): string {
  const text = errorText(error);
  return text.startsWith(`${id}:`) || text.startsWith(`${id} `) ? text : `${id}: ${text}`;
}

function isFailure(e: unknown): e is RunFailure {
  return typeof e === 'object' && e !== null && 'kind' in e && 'message' in e;
}

function seconds(c: ComponentRun): string {
  return c.startedAt !== undefined && c.finishedAt !== undefined ? `${((c.finishedAt - c.startedAt) / 1000).toFixed(2)} s` : '';
}

/** Prints each component's changes of state once. */
export class ProgressPrinter {
  private readonly seen = new Map<string, string>();
  private readonly width: number;

  constructor(
    private readonly output: Output,
    private readonly quiet: boolean,
    ids: readonly string[],
  ) {
    this.width = Math.max(...ids.map((id) => id.length));
  }

  update(run: RunRecord): void {
    for (const [id, c] of Object.entries(run.components)) {
      if (this.seen.get(id) === c.state) continue;
      this.seen.set(id, c.state);
      const name = id.padEnd(this.width);
      if (c.state === 'failed') {
        this.output.err(`${name}  failed     ${seconds(c)}  ${failureText(id, c.error)}`);
        continue;
      }
      if (this.quiet || c.state === 'pending') continue;
      if (c.state === 'running') this.output.out(`${name}  running`);
      else if (c.state === 'succeeded') this.output.out(`${name}  succeeded  ${seconds(c)}`);
      else if (c.state === 'cached') this.output.out(`${name}  cached     ${seconds(c)}  (the outputs of execution ${c.cachedFrom})`);
      else if (c.state === 'skipped') this.output.out(`${name}  skipped    (${c.skippedBecause} did not succeed)`);
      else this.output.out(`${name}  ${c.state}`);
    }
  }
}
