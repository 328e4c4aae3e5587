/**
 * Applies the colour theme: sets data-theme="light" | "dark" on <html> from the Settings choice, following
 * the system's prefers-color-scheme while the choice is "system". theme.css keys the dark colours on that
 * attribute alone, and the charts watch it to redraw in the new colours.
 */
import { settings, type ThemeChoice } from './settings.svelte';

export function resolveTheme(choice: ThemeChoice, systemDark: boolean): 'light' | 'dark' {
  return choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
}

/** Keeps <html data-theme> in step with the setting and the system; call once at start. */
export function startTheme(): void {
  const media = matchMedia('(prefers-color-scheme: dark)');
  const apply = () => {
    document.documentElement.dataset.theme = resolveTheme(settings.theme, media.matches);
  };
  apply();
  media.addEventListener('change', apply);
  $effect.root(() => {
    $effect(apply);
  });
}
