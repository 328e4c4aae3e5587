/**
 * Switching TF.js's global backend with a reason on failure. tf.setBackend() only returns false when a
 * backend cannot initialize (the cause goes to console.warn), so the factories are wrapped to keep the
 * error, and the page can show the browser's or TF.js's own words.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from './backend-types';

const initErrors = new Map<string, string>();

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
          initErrors.set(name, e instanceof Error ? e.message : String(e));
          throw e;
        }
      },
      priority,
    );
  }
}

function notRegistered(name: BackendName): string {
  // TF.js registers webgpu only where navigator.gpu exists, and webgl only in a browser.
  if (name === 'webgpu') return 'WebGPU is not available here (navigator.gpu is missing)';
  if (name === 'webgl') return 'WebGL is not available here';
  return `The TF.js ${name} backend is not loaded`;
}

/** Make `name` the active backend, or throw with the reason it could not initialize. */
export async function activateBackend(name: BackendName): Promise<void> {
  if (tf.findBackendFactory(name) == null) throw new Error(notRegistered(name));
  initErrors.delete(name);
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(initErrors.get(name) ?? `TF.js could not initialize the ${name} backend`);
  await tf.ready();
}
