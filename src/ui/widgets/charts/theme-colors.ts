/**
 * Chart colours come from the theme's CSS custom properties (src/ui/theme.css), read at draw time: a
 * canvas cannot use var(--x), so each chart resolves them and redraws when the theme changes.
 */

import type uPlot from 'uplot';

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
 * Calls `onChange` whenever the page's theme changes: the root's data-theme attribute, which
 * app/theme.svelte.ts sets from the Settings switch and, on "system", from the system's colour scheme.
 * Returns the function that stops listening.
 */
export function watchTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => observer.disconnect();
}

/** An axis drawn in the theme's colours, its tick labels written by `format`. */
export function themedAxis(theme: ChartTheme, label: string, format: (v: number) => string): uPlot.Axis {
  return {
    label,
    stroke: theme.text,
    font: theme.font,
    labelFont: theme.font,
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1 },
    values: (_u, splits) => splits.map(format),
  };
}

/**
 * What every chart does while shown: follows its box's width (`onWidth`) and the theme (`onTheme`).
 * Returns the function that stops both.
 */
export function followBoxAndTheme(el: HTMLElement, onWidth: (width: number) => void, onTheme: () => void): () => void {
  const resize = new ResizeObserver(() => onWidth(Math.max(200, el.clientWidth)));
  resize.observe(el);
  const stop = watchTheme(onTheme);
  return () => {
    resize.disconnect();
    stop();
  };
}
