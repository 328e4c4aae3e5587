/**
 * TF.js 4.22's threaded wasm build gives its pthread workers its own source as a Blob:
 * `var WasmBackendModuleThreadedSimd = ` + factory.toString(). Once bundled and minified, that function
 * refers to a renamed variable of its closure (`_scriptDir` becomes `e`), and every pthread dies with
 * "e is not defined", so the backend never starts. This swaps that one Blob's text for the package's own
 * unbundled script (served as a plain asset), which defines the factory as emscripten expects.
 */
const FACTORY_PREFIX = 'var WasmBackendModuleThreadedSimd = ';

/** Replace the factory Blob TF.js builds with the text of `scriptUrl`. Call once, before wasm starts. */
export function unbundledPthreadScript(scriptUrl: string): void {
  let text: string | null = null;
  const NativeBlob = self.Blob;
  class PthreadScriptBlob extends NativeBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      const part = parts?.length === 1 ? parts[0] : undefined;
      if (typeof part === 'string' && part.startsWith(FACTORY_PREFIX)) {
        // a synchronous read: TF.js builds the Blob synchronously; the service worker has the file precached
        if (text === null) {
          const request = new XMLHttpRequest();
          request.open('GET', scriptUrl, false);
          request.send();
          if (request.status === 200) text = request.responseText;
        }
        if (text !== null) parts = [text];
      }
      super(parts, options);
    }
  }
  self.Blob = PthreadScriptBlob;
}

/**
 * TF.js 4.22 caps XNNPACK's pool at navigator.hardwareConcurrency / 2 ("2 threads per core"), read once
 * while the wasm module starts: on a 2-core laptop without SMT that is 1 thread, no threading at all.
 * While `start` runs, emscripten is shown twice the cores, so the cap becomes the cores themselves and
 * setThreadsCount's count (all of them) holds.
 */
export async function withUncappedThreads<T>(start: () => Promise<T>): Promise<T> {
  const cores = navigator.hardwareConcurrency || 1;
  Object.defineProperty(navigator, 'hardwareConcurrency', { configurable: true, get: () => cores * 2 });
  try {
    return await start();
  } finally {
    // back to WorkerNavigator's own getter
    delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}
