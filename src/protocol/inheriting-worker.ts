/**
 * Start a module worker from a blob: URL whose one line imports the real script. A worker started from a
 * blob: URL inherits its creator's Content-Security-Policy (the page's, from the meta tag that
 * vite.config.ts writes into index.html), so the app's workers, and the labeling-function worker they
 * start, can connect only to the app's own origin on any static host, from the first visit on. A worker
 * started from its own URL would get a policy only from a response header, which a static host cannot
 * be relied on to send.
 */
export function startInheritingWorker(scriptUrl: string, name: string): Worker {
  // The script's absolute URL: a blob: URL is no base to resolve a relative one against.
  const href = new URL(scriptUrl, self.location.href).href;
  const blob = new Blob([`import ${JSON.stringify(href)};\n`], { type: 'text/javascript' });
  return new Worker(URL.createObjectURL(blob), { type: 'module', name });
}
