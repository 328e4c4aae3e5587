/**
 * Ids that join a tab to its panel (aria-controls, aria-labelledby), and the panel's attributes. The ids
 * carry a prefix per tab bar, since two pages' tab bars may share tab names.
 */
export function tabId(prefix: string, id: string): string {
  return `${prefix}-tab-${id}`;
}

export function panelId(prefix: string, id: string): string {
  return `${prefix}-panel-${id}`;
}

/** The attributes of a tab's panel: spread on the element that holds it (`<section {...tabPanel(...)}>`). */
export function tabPanel(prefix: string, id: string, selected: string) {
  return {
    role: 'tabpanel',
    id: panelId(prefix, id),
    'aria-labelledby': tabId(prefix, id),
    hidden: id !== selected,
    // Focusable so a keyboard person reaches a panel that starts with text rather than a control (APG).
    tabindex: 0,
  } as const;
}

/** The tab that a key moves to from `index` of `count` (Left/Right wrap, Home, End), or null for other keys. */
export function tabKeyTarget(key: string, index: number, count: number): number | null {
  switch (key) {
    case 'ArrowRight':
      return (index + 1) % count;
    case 'ArrowLeft':
      return (index - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}
