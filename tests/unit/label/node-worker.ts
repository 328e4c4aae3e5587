/**
 * The labeling-function worker for Node tests: src/core/label/sandbox.ts is transpiled on its own (it has
 * no runtime imports) and run in a worker_threads Worker behind a small adapter to the browser Worker
 * interface, so an endless loop really spins until the runner terminates it.
 */
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import type { WorkerLike } from '../../../src/core/label/runner';

const sandboxJs = ts.transpileModule(readFileSync(new URL('../../../src/core/label/sandbox.ts', import.meta.url), 'utf8'), {
  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
}).outputText;

// The worker's global scope as the sandbox expects it, over parentPort; the sandbox strips Node's globals too.
// \`preamble\` runs first (a test plants a global that cannot be removed).
const workerSource = (preamble: string) => `
const { parentPort } = require('node:worker_threads');
${preamble}
const mod = { exports: {} };
(function (exports, module) { ${sandboxJs} })(mod.exports, mod);
const listeners = [];
parentPort.on('message', (data) => { for (const l of listeners) l({ data }); });
mod.exports.installLfWorker({
  postMessage: (m, t) => parentPort.postMessage(m, t),
  addEventListener: (type, l) => { if (type === 'message') listeners.push(l); },
}, globalThis);
`;

export const workerStats = { started: 0 };

export function nodeWorker(preamble = ''): WorkerLike {
  workerStats.started++;
  const w = new Worker(workerSource(preamble), { eval: true });
  return {
    postMessage: (m) => w.postMessage(m),
    terminate: () => void w.terminate(),
    addEventListener: (type, listener) => {
      if (type === 'message') w.on('message', (data: unknown) => listener({ data }));
      else w.on('error', (e: Error) => listener({ message: e.message }));
    },
  };
}
