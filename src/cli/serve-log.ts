/**
 * `pipette serve --request-log <file.jsonl>`: the sampled request log (core/serving/request-log.ts's
 * line format), TF Serving's LoggingConfig in JSON Lines.
 *
 * - Sampling (`--request-log-sampling`, TF Serving's SamplingConfig.sampling_rate, 0 to 1): TF Serving
 *   draws at random; here request i (counting from 1) is logged when floor(i * rate) > floor((i - 1) *
 *   rate), so exactly floor(n * rate) of n requests are, spread evenly (a rate of 0.25 logs every 4th).
 * - Bounded size (`--request-log-max-bytes`, default 64 MB): a line that would take the file over the
 *   cap rotates it first: the file becomes <file>.1 (replacing an older .1) and a new file starts, so the
 *   log holds at most twice the cap on disk, the newest requests always kept.
 * - Lines are queued and appended in order by one writer, off the request's path; `close` waits for them.
 */
import { appendFile, rename, stat } from 'node:fs/promises';
import type { RequestLogLine } from '../core/serving/request-log';

export const DEFAULT_LOG_MAX_BYTES = 64 * 1024 * 1024;

export interface RequestLogOptions {
  path: string;
  samplingRate: number;
  maxBytes: number;
}

export class RequestLog {
  private seen = 0;
  private bytes = -1;
  private queue: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  /** Figures for the server's stop line. */
  readonly stats = { logged: 0, rotations: 0, failed: 0 };

  constructor(
    private readonly options: RequestLogOptions,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  /** Whether the next request is to be logged (call once per answered request). */
  sample(): boolean {
    const rate = this.options.samplingRate;
    this.seen++;
    return Math.floor(this.seen * rate) > Math.floor((this.seen - 1) * rate);
  }

  /** Queue one line (already sampled). */
  write(line: RequestLogLine): void {
    this.queue.push(`${JSON.stringify(line)}\n`);
    if (this.queue.length === 1) this.writing = this.writing.then(() => this.drain());
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      for (const text of batch) {
        try {
          await this.append(text);
          this.stats.logged++;
        } catch (e) {
          this.stats.failed++;
          this.onError(e);
        }
      }
    }
  }

  private async append(text: string): Promise<void> {
    const size = Buffer.byteLength(text);
    if (this.bytes < 0) this.bytes = await stat(this.options.path).then((s) => s.size, () => 0);
    if (this.bytes > 0 && this.bytes + size > this.options.maxBytes) {
      await rename(this.options.path, `${this.options.path}.1`);
      this.bytes = 0;
      this.stats.rotations++;
    }
    await appendFile(this.options.path, text);
    this.bytes += size;
  }

  /** Resolves when every queued line is written. */
  async close(): Promise<void> {
    await this.writing;
    if (this.queue.length > 0) await this.drain();
  }
}
