/** Page helpers of the Validate stage (its long worker calls are `Job`s, app/workers/job.svelte.ts). */

/** Offer a text file to the person as a download. */
export function downloadText(fileName: string, text: string, mime = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = Object.assign(document.createElement('a'), { href: url, download: fileName });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
