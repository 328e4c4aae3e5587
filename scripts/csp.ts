/**
 * The app's Content-Security-Policy, written into the built index.html as a meta tag so that it holds on
 * a plain static host, which may send no headers at all. The workers start from blob: URLs and so inherit
 * it (src/protocol/inheriting-worker.ts): the page, the data and training workers and the
 * labeling-function sandbox can load and connect to the app's own origin and nothing else.
 *
 * - script-src 'wasm-unsafe-eval': TF.js's wasm backend compiles its .wasm files.
 * - script-src blob:: the wasm backend's threaded build starts its pthread workers from blob: URLs, which
 *   load the backend's own script with importScripts(blob:) (issue 16: all cores). Blobs are made by the
 *   app's own code, so nothing from another origin can run.
 * - script-src 'unsafe-eval': the labeling-function worker compiles the person's code with Function
 *   (after deleting every global but a few built-ins, src/core/label/sandbox.ts); it inherits this policy.
 * - style-src 'unsafe-inline': Svelte writes style attributes.
 * - worker-src blob:: the workers' blob: URLs.
 * - img-src data: blob:: digits, thumbnails and charts drawn from data the app holds.
 * Only in the build: the dev server's hot reload talks over a WebSocket.
 */
import type { Plugin } from 'vite';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' blob: 'wasm-unsafe-eval' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

export function contentSecurityPolicy(): Plugin {
  return {
    name: 'pipette-csp',
    apply: 'build',
    transformIndexHtml: {
      order: 'pre',
      handler: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' }],
    },
  };
}
