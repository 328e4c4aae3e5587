/**
 * Cross-origin isolation (issue 16: all cores). The wasm backend's threaded SIMD build needs
 * SharedArrayBuffer, which a browser gives only to a cross-origin isolated page: one served with
 * COOP same-origin and COEP require-corp. A static host may send neither, so the service worker adds them
 * to every response it serves (src/sw.ts), and the preview server sends them too (vite.config.ts). The
 * app loads nothing from other origins, so require-corp blocks nothing it needs; its workers start from
 * blob: URLs, which inherit the page's policy.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

/** The same response with the isolation headers added (an opaque one cannot be rebuilt and is kept). */
export function withIsolationHeaders(response: Response): Response {
  if (response.status === 0 || response.type === 'opaque' || response.type === 'opaqueredirect') return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
