/**
 * What a navigation does for people who do not see the whole screen at once: the document's title names
 * the page (a screen reader reads it, the tab strip and history show it), and focus moves to the new
 * page's heading, so the next Tab starts there and the heading is read out.
 */

/** "Validate · Penguins · Pipette": the page, the project if any, the app. */
export function setDocumentTitle(...parts: (string | undefined)[]): void {
  document.title = parts.filter((p) => p).join(' · ');
}

/**
 * Focuses the first h1 under `root` that is not `previous`, now or as soon as one appears (a stage's page
 * is its own chunk and renders a moment after the route changes). Stops after `timeoutMs` or when the
 * returned function is called (the next navigation). The heading gets tabindex -1: focusable by script,
 * not a tab stop.
 */
export function focusNewHeading(root: HTMLElement, previous: Element | null, timeoutMs = 10_000): () => void {
  const attempt = (): boolean => {
    const heading = root.querySelector('h1');
    if (!heading || heading === previous) return false;
    heading.setAttribute('tabindex', '-1');
    heading.focus();
    return true;
  };
  if (attempt()) return () => {};
  const observer = new MutationObserver(() => {
    if (attempt()) stop();
  });
  const timer = setTimeout(stop, timeoutMs);
  function stop() {
    observer.disconnect();
    clearTimeout(timer);
  }
  observer.observe(root, { childList: true, subtree: true });
  return stop;
}
