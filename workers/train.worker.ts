/**
 * The training worker: the only place TF.js runs. A thin Comlink facade over src/core/train.
 */
import * as Comlink from 'comlink';
import '@tensorflow/tfjs'; // layers, converter, and the webgl and cpu backends
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Vite serves (and the PWA precaches) the binaries under hashed names; TF.js picks one of the three
// by the browser's SIMD and thread support, so all three are mapped.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm?url';
import { installErrorTransfer } from '../src/protocol/errors';
import { cancelJob } from '../src/protocol/jobs';
import { BACKEND_NAMES, type BackendName, type TrainWorkerApi } from '../src/protocol/train';
import { activateBackend, recordInitErrors } from '../src/core/train/activate';
import { BackendSelector } from '../src/core/train/backends';
import { registerWebGPUWithRetry } from '../src/core/train/webgpu';

installErrorTransfer();

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
});
registerWebGPUWithRetry();
recordInitErrors(BACKEND_NAMES);

const selector = new BackendSelector(activateBackend);

const api: TrainWorkerApi = {
  probeBackends: () => selector.probe(),
  setBackend: (name: BackendName) => selector.use(name),
  cancel: async (jobId: string) => cancelJob(jobId),
};

Comlink.expose(api);
