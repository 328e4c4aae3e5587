/**
 * What the benches that run in the data worker share: importing a file through the app, and the worker's
 * heap sampled over the DevTools protocol.
 *
 * Memory: performance.measureUserAgentSpecificMemory needs cross-origin isolation and performance.memory
 * does not exist in workers, so the data worker's heap is sampled every 50 ms over the DevTools protocol
 * (Runtime.getHeapUsage: usedSize = JS heap, backingStorageSize = ArrayBuffer stores). The peak is of the
 * samples, so a spike shorter than 50 ms can be missed.
 */
import { expect, type Browser, type CDPSession, type Page } from '@playwright/test';

export class WorkerHeap {
  private peakUsed = 0;
  private peakTotal = 0;
  private base = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private nextId = 1;
  private pending = new Map<number, (r: { usedSize: number; backingStorageSize?: number }) => void>();

  private constructor(
    private readonly cdp: CDPSession,
    private readonly sessionId: string,
  ) {
    cdp.on('Target.receivedMessageFromTarget', (m) => {
      const msg = JSON.parse(m.message) as { id?: number; result?: { usedSize: number; backingStorageSize?: number } };
      if (msg.id !== undefined && msg.result) this.pending.get(msg.id)?.(msg.result);
    });
  }

  /** Attach to the worker `which` picks (default: the data worker). */
  static async attach(browser: Browser, which: (t: { type: string; url: string; title: string }) => boolean = isDataWorker): Promise<WorkerHeap> {
    const cdp = await browser.newBrowserCDPSession();
    const { targetInfos } = await cdp.send('Target.getTargets');
    const target = targetInfos.find(which);
    if (!target) throw new Error('the worker is not running');
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
    return new WorkerHeap(cdp, sessionId);
  }

  /** One DevTools call in the worker; resolves with its result. */
  async #call<T>(method: string): Promise<T> {
    const id = this.nextId++;
    const result = new Promise<T>((resolve) => this.pending.set(id, resolve as (r: { usedSize: number; backingStorageSize?: number }) => void));
    await this.cdp.send('Target.sendMessageToTarget', { sessionId: this.sessionId, message: JSON.stringify({ id, method }) });
    const r = await result;
    this.pending.delete(id);
    return r;
  }

  /** A full garbage collection in the worker, then its JS heap and its ArrayBuffer stores (wasm memory among them) in MB. */
  async settledMb(): Promise<{ heap: number; buffers: number }> {
    await this.#call('HeapProfiler.collectGarbage');
    const r = await this.#call<{ usedSize: number; backingStorageSize?: number }>('Runtime.getHeapUsage');
    return { heap: r.usedSize / 1024 / 1024, buffers: (r.backingStorageSize ?? 0) / 1024 / 1024 };
  }

  async sample(): Promise<number> {
    const r = await this.#call<{ usedSize: number; backingStorageSize?: number }>('Runtime.getHeapUsage');
    this.peakUsed = Math.max(this.peakUsed, r.usedSize);
    const total = r.usedSize + (r.backingStorageSize ?? 0);
    this.peakTotal = Math.max(this.peakTotal, total);
    return total;
  }

  async start(): Promise<void> {
    this.base = await this.sample();
    this.peakUsed = 0;
    this.peakTotal = 0;
    this.timer = setInterval(() => void this.sample().catch(() => {}), 50);
  }

  async stop(): Promise<{ baseMb: number; peakHeapMb: number; peakTotalMb: number }> {
    if (this.timer) clearInterval(this.timer);
    await this.sample();
    const mb = (x: number) => x / 1024 / 1024;
    return { baseMb: mb(this.base), peakHeapMb: mb(this.peakUsed), peakTotalMb: mb(this.peakTotal) };
  }
}

export async function importThroughApp(page: Page, project: string, path: string, outcome: 'import-done' | 'import-error' = 'import-done'): Promise<number> {
  await page.goto('./');
  await page.getByTestId('new-project-name').fill(project);
  await page.getByTestId('create-project').click();
  await page.getByTestId('stage-data').click();
  const started = Date.now();
  await page.getByTestId('import-files').setInputFiles(path);
  await expect(page.getByTestId(outcome)).toBeVisible({ timeout: 850_000 });
  return (Date.now() - started) / 1000;
}


/** The data worker's DevTools target: started from a blob: URL (protocol/inheriting-worker.ts), it is known by its name. */
export function isDataWorker(t: { type: string; url: string; title: string }): boolean {
  return t.type === 'worker' && (t.title === 'data' || t.url.includes('data.worker'));
}
