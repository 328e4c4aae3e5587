/**
 * Switching TF.js's global backend with a reason on failure. tf.setBackend() only returns false when a
 * backend cannot initialize (the cause goes to console.warn), so the factories are wrapped to keep the
 * error, and the page can show the browser's or TF.js's own words.
 */
import * as tf from '@tensorflow/tfjs';
import { TrainError } from '../model/errors';
import type { BackendName, BackendUnavailable } from './backend-types';

const initErrors = new Map<string, unknown>();

/**
 * Wrap each registered backend factory so its initialization error is remembered. Call once, after the
 * backends are imported and before any of them is initialized.
 */
export function recordInitErrors(names: readonly string[]): void {
  const engine = tf.engine();
  for (const name of names) {
    const entry = engine.registryFactory[name];
    if (!entry || name in engine.registry) continue;
    const { factory, priority } = entry;
    tf.removeBackend(name);
    tf.registerBackend(
      name,
      async () => {
        try {
          return await factory();
        } catch (e) {
          initErrors.set(name, e);
          throw e;
        }
      },
      priority,
    );
  }
}

/** A backend that cannot start here, the reason as a code; the message is English, for logs (and TF.js's words). */
export function backendUnavailable(backend: BackendName, reason: BackendUnavailable, message: string): TrainError {
  return new TrainError('backend-unavailable', { params: { backend, reason, detail: message } }, message);
}

/** The code of a backend's failure to start ('init-failed' for TF.js's own errors). */
export function unavailableReason(e: unknown): BackendUnavailable {
  return e instanceof TrainError && e.code === 'backend-unavailable' ? (e.details.params!.reason as BackendUnavailable) : 'init-failed';
}

function notRegistered(name: BackendName): TrainError {
  // TF.js registers webgpu only where navigator.gpu exists, and webgl only in a browser.
  if (name === 'webgpu') return backendUnavailable(name, 'no-webgpu', 'WebGPU is not available here (navigator.gpu is missing)');
  if (name === 'webgl') return backendUnavailable(name, 'no-webgl', 'WebGL is not available here');
  return backendUnavailable(name, 'not-loaded', `The TF.js ${name} backend is not loaded`);
}

/** Why a factory failed: our own factory's coded error (webgpu.ts), or TF.js's words as the detail. */
function initFailure(name: BackendName): TrainError {
  const e = initErrors.get(name);
  if (e instanceof TrainError) return e;
  return backendUnavailable(name, 'init-failed', e === undefined ? `TF.js could not initialize the ${name} backend` : e instanceof Error ? e.message : String(e));
}

/** Make `name` the active backend, or throw with the reason it could not initialize. */
export async function activateBackend(name: BackendName): Promise<void> {
  if (tf.findBackendFactory(name) == null) throw notRegistered(name);
  initErrors.delete(name);
  const ok = await tf.setBackend(name);
  if (!ok) throw initFailure(name);
  await tf.ready();
}
