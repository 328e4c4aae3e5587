/**
 * The WebGPU backend's factory, with one retry of requestAdapter(). Chromium sometimes returns a null
 * adapter right after another context used WebGPU, and TF.js's own factory then fails with
 * "Cannot read properties of null". Device setup otherwise follows TF.js 4.22's factory (base.ts).
 * Runs in a worker or a page (navigator.gpu exists in both); no DOM.
 */
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { backendUnavailable } from './activate';

const WEBGPU_PRIORITY = 3;

async function requestAdapter(options: GPURequestAdapterOptions): Promise<GPUAdapter> {
  const gpu = navigator.gpu;
  if (!gpu) throw backendUnavailable('webgpu', 'no-webgpu', 'WebGPU is not available here (navigator.gpu is missing)');
  const first = await gpu.requestAdapter(options);
  if (first) return first;
  await new Promise((resolve) => setTimeout(resolve, 100));
  const second = await gpu.requestAdapter(options);
  if (second) return second;
  throw backendUnavailable('webgpu', 'no-adapter', 'navigator.gpu.requestAdapter() returned null twice: no usable WebGPU adapter');
}

async function createWebGPUBackend(): Promise<WebGPUBackend> {
  const adapter = await requestAdapter({
    powerPreference: tf.env().getBool('WEBGPU_USE_LOW_POWER_GPU') ? 'low-power' : 'high-performance',
  });
  const requiredFeatures: GPUFeatureName[] = [];
  for (const f of ['timestamp-query', 'bgra8unorm-storage'] as const) if (adapter.features.has(f)) requiredFeatures.push(f);
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures,
    // TF.js sizes its workgroups and buffers from these; the defaults are lower than what adapters offer.
    requiredLimits: {
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  });
  return new WebGPUBackend(device, await adapterInfo(adapter));
}

/** Chromium has adapter.info; the bundled @webgpu/types (and older browsers) only requestAdapterInfo(). */
async function adapterInfo(adapter: GPUAdapter): Promise<GPUAdapterInfo | undefined> {
  if ('info' in adapter) return adapter.info as GPUAdapterInfo;
  if ('requestAdapterInfo' in adapter) return adapter.requestAdapterInfo();
  return undefined;
}

/** Replace TF.js's webgpu factory with the retrying one (where TF.js registered webgpu at all). */
export function registerWebGPUWithRetry(): void {
  if (tf.findBackendFactory('webgpu') == null) return;
  tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', createWebGPUBackend, WEBGPU_PRIORITY);
}
