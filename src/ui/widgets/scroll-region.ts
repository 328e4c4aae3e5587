/**
 * A box that scrolls its content (a wide graph, a long table) must be reachable by keyboard, or a
 * keyboard person cannot scroll it (WCAG 2.1.1; axe's scrollable-region-focusable). This action makes
 * the box a named region and a tab stop only while its content overflows, so a box that fits adds no
 * stop. Use: `<div class="scroll" use:scrollRegion={t('...')}>`.
 */
export function scrollRegion(node: HTMLElement, label: string) {
  const update = () => {
    const scrolls = node.scrollWidth > node.clientWidth + 1 || node.scrollHeight > node.clientHeight + 1;
    if (scrolls) {
      node.setAttribute('tabindex', '0');
      node.setAttribute('role', 'region');
      node.setAttribute('aria-label', label);
    } else {
      node.removeAttribute('tabindex');
      node.removeAttribute('role');
      node.removeAttribute('aria-label');
    }
  };
  // the box's size and its content's size both decide; content changes with rows and graphs
  const resize = new ResizeObserver(update);
  resize.observe(node);
  const mutations = new MutationObserver(update);
  mutations.observe(node, { childList: true, subtree: true });
  update();
  return {
    update(next: string) {
      label = next;
      update();
    },
    destroy() {
      resize.disconnect();
      mutations.disconnect();
    },
  };
}
