/**
 * Chart colours come from the theme's CSS custom properties (src/ui/theme.css), read at draw time: a
 * canvas cannot use var(--x), so each chart resolves them and redraws when the theme changes.
 */

export interface ChartTheme {
  grid: string;
  axis: string;
  text: string;
  threshold: string;
  font: string;
  /** Resolves a custom property name ('--chart-2') to its current value. */
  color(name: string): string;
}

export function readChartTheme(el: Element): ChartTheme {
  const style = getComputedStyle(el);
  const get = (name: string) => style.getPropertyValue(name).trim();
  const family = style.fontFamily || 'sans-serif';
  return {
    grid: get('--chart-grid'),
    axis: get('--chart-axis'),
    text: get('--chart-text'),
    threshold: get('--chart-threshold'),
    font: `11px ${family}`,
    color: get,
  };
}

/**
 * Calls `onChange` whenever the page's theme may have changed: the root's data-theme attribute (the
 * switch in Settings) or the system's colour scheme. Returns the function that stops listening.
 */
export function watchTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  const media = matchMedia('(prefers-color-scheme: dark)');
  media.addEventListener('change', onChange);
  return () => {
    observer.disconnect();
    media.removeEventListener('change', onChange);
  };
}
