/** The TF.js backends Pipette offers and what the parity check reports of each (no TF.js: the page reads these). */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface ParityResult {
  /** Largest absolute difference from the cpu backend over the check's outputs and gradients. */
  maxAbsDiff: number;
  tolerance: number;
  ok: boolean;
}

/**
 * Why a backend cannot be used here: no WebGPU in this browser, no usable WebGPU adapter, no WebGL, the
 * TF.js backend not loaded, its initialization failed, or it started but failed the parity check's run.
 */
export type BackendUnavailable = 'no-webgpu' | 'no-adapter' | 'no-webgl' | 'not-loaded' | 'init-failed' | 'check-failed';

export interface BackendReport {
  name: BackendName;
  /** The backend initialized in this browser. */
  available: boolean;
  /** Why it is not available or failed its check (the page words it). */
  reason?: BackendUnavailable;
  /** The browser's or TF.js's own words about it (a detail). */
  error?: string;
  /** Numeric parity check against cpu; absent for cpu itself and for unavailable backends. */
  parity?: ParityResult;
  /** Measured time of the parity check's train step, after a warm-up, in milliseconds. */
  msPerStep?: number;
}

export interface BackendsInfo {
  tfjsVersion: string;
  /** The backend TF.js uses now in the training worker. */
  active: BackendName | null;
  backends: BackendReport[];
  /** When the reports were measured (ms since the epoch); absent before a check. */
  checkedAt?: number;
  /** The reports were read from the saved check of this browser and TF.js version, not measured now. */
  cached?: boolean;
}
