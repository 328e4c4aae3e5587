/**
 * Accessibility (issue 18): axe-core on every page of the demo project in both languages, the ARIA tabs
 * pattern, focus and title after navigation, the data grid's keyboard, and the layout at 768 px. One demo
 * project is set up once (beforeAll; again only after a failure restarts the worker) and every test
 * navigates within it.
 */
import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { STAGES } from '../../src/app/stages';
import { openDemoPage, openTrainForm } from './helpers';

let page: Page;
test.beforeAll(async ({ browser }) => {
  page = await openDemoPage(browser);
});
test.afterAll(async () => {
  await page.context().close();
});

/** A page of the app: how to get there from anywhere, and its name in the failure message. */
interface AppPage {
  name: string;
  open: () => Promise<void>;
}

function projectPages(): AppPage[] {
  const stages = STAGES.map((stage) => ({ name: stage, open: () => page.getByTestId(`stage-${stage}`).click() }));
  const table = {
    name: 'data (a version open)',
    open: async () => {
      await page.getByTestId('stage-data').click();
      await page.getByTestId('version-link').first().click();
      await expect(page.getByTestId('data-table').getByTestId('row').first()).toBeVisible();
    },
  };
  return [...stages.slice(0, 2), table, ...stages.slice(2)];
}

async function goHome(): Promise<void> {
  await page.locator('header a.brand').click();
}

async function openProject(): Promise<void> {
  await goHome();
  await page.getByTestId('project-link').first().click();
  await expect(page.getByTestId('project-title')).toBeVisible();
}

function allPages(): AppPage[] {
  return [
    { name: 'home', open: goHome },
    { name: 'settings', open: () => page.getByTestId('nav-settings').click() },
    { name: 'scope (via home)', open: openProject },
    ...projectPages(),
  ];
}

/** Every axe violation on the page as it is now, whatever its impact (minor to critical), one line each. */
async function violationsOn(where: string): Promise<string[]> {
  // What sits in closed <details> (epoch tables, component settings) is checked too.
  await page.evaluate(() => document.querySelectorAll('main details:not([open])').forEach((d) => ((d as HTMLDetailsElement).open = true)));
  await settled();
  const { violations } = await new AxeBuilder({ page }).analyze();
  if (process.env.A11Y_DEBUG) {
    await page.screenshot({ path: `/tmp/l3b/shot-${where.replace(/[^\w-]+/g, '_')}.png`, fullPage: true });
    for (const v of violations) console.log(`${where}: ${v.id} (${v.impact}) x${v.nodes.length}: ${v.nodes.slice(0, 3).map((x) => x.target.join(' ')).join(' | ')}`);
  }
  return violations.flatMap((v) => v.nodes.map((node) => `${where}: ${v.id} (${v.impact}) at ${node.target.join(' ')}: ${v.help}`));
}

/** axe on each tab of the page but the selected one (axe skips hidden panels), then back to the first. */
async function eachTab(where: string): Promise<string[]> {
  const found: string[] = [];
  const ids = await page.locator('main [role="tab"]').evaluateAll((tabs) => tabs.map((t) => t.getAttribute('data-testid')!));
  for (const id of ids.slice(1)) {
    await page.getByTestId(id).click();
    await settled();
    found.push(...(await violationsOn(`${where}, tab ${id}`)));
  }
  if (ids.length) await page.getByTestId(ids[0]!).click();
  return found;
}

async function settled(): Promise<void> {
  await expect(page.locator('main h1').first()).toBeVisible();
  // A stage page fills in from live queries within a few frames.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** Every page, and on a page with tabs every tab's panel (axe skips hidden panels), in both languages and dark. */
test('axe: no violation of any impact on any page of the demo project, in English, zh-TW and dark', async () => {
  test.setTimeout(300_000);
  const found: string[] = [];
  // English and zh-TW, then English with the system's dark scheme (the theme follows it by default).
  for (const [locale, scheme] of [['en', 'light'], ['zh-TW', 'light'], ['en', 'dark']] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.getByTestId('header-locale').selectOption(locale);
    for (const p of allPages()) {
      await p.open();
      await settled();
      found.push(...(await violationsOn(`${locale} ${scheme} ${p.name}`)));
      found.push(...(await eachTab(`${locale} ${scheme} ${p.name}`)));
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByTestId('header-locale').selectOption('en');
  expect(found, found.join('\n')).toEqual([]);
});

test('tabs: arrow keys, Home and End move the selection; one tab stop; each tab controls its visible panel', async () => {
  const bars = [
    { stage: 'validate', tabs: ['tab-overview', 'tab-schema', 'tab-anomalies', 'tab-drift'] },
    { stage: 'label', tabs: ['label-tab-queue', 'label-tab-functions', 'label-tab-agreement', 'label-tab-schema', 'label-tab-sets'] },
    { stage: 'transform', tabs: ['transform-tab-transform', 'transform-tab-select'] },
  ];
  for (const { stage, tabs } of bars) {
    await page.getByTestId(`stage-${stage}`).click();
    const tab = (i: number) => page.getByTestId(tabs[i]!);
    const expectSelected = async (i: number) => {
      await expect(tab(i)).toBeFocused();
      await expect(tab(i)).toHaveAttribute('aria-selected', 'true');
      await expect(page.locator('main [role="tab"][tabindex="0"]')).toHaveCount(1);
      const panel = page.locator(`#${await tab(i).getAttribute('aria-controls')}`);
      await expect(panel).toBeVisible();
      await expect(panel).toHaveAttribute('aria-labelledby', (await tab(i).getAttribute('id'))!);
    };
    await tab(0).click();
    await expectSelected(0);
    await page.keyboard.press('ArrowRight');
    await expectSelected(1);
    await page.keyboard.press('End');
    await expectSelected(tabs.length - 1);
    await page.keyboard.press('ArrowRight'); // wraps
    await expectSelected(0);
    await page.keyboard.press('ArrowLeft'); // wraps back
    await expectSelected(tabs.length - 1);
    await page.keyboard.press('Home');
    await expectSelected(0);
    await expect(tab(1)).toHaveAttribute('tabindex', '-1');
  }
});

test('navigation moves focus to the new page heading and sets the document title, in both languages', async () => {
  const project = (await page.getByTestId('project-title').textContent())!;
  const heading = page.locator('main h1');
  for (const locale of ['en', 'zh-TW'] as const) {
    await page.getByTestId('header-locale').selectOption(locale);
    const app = 'Pipette';
    for (const stage of ['validate', 'train', 'scope'] as const) {
      const link = page.getByTestId(`stage-${stage}`);
      const name = (await link.textContent())!.trim();
      await link.click();
      await expect(heading).toBeFocused();
      await expect(page).toHaveTitle(`${name} · ${project} · ${app}`);
    }
    await page.getByTestId('nav-settings').click();
    await expect(heading).toBeFocused();
    await expect(page).toHaveTitle(`${locale === 'en' ? 'Settings' : '設定'} · ${app}`);
    await page.goBack(); // a history step is a navigation too
    await expect(heading).toBeFocused();
    await expect(page).toHaveTitle(new RegExp(` · ${project} · ${app}$`));
  }
  await page.getByTestId('header-locale').selectOption('en');
  await expect(page).toHaveTitle(`Scope · ${project} · Pipette`);
});

/** The cell the grid names as active: its row's and its own index, its text, and whether it is in sight. */
async function activeCell() {
  return page.getByTestId('data-grid').evaluate((grid) => {
    const cell = document.getElementById(grid.getAttribute('aria-activedescendant') ?? '');
    if (!cell) return null;
    const box = grid.getBoundingClientRect();
    const head = grid.querySelector('[role="row"]')!.getBoundingClientRect();
    const at = cell.getBoundingClientRect();
    const isHeader = cell.getAttribute('role') === 'columnheader';
    return {
      row: Number(cell.closest('[role="row"]')!.getAttribute('aria-rowindex')),
      col: Number(cell.getAttribute('aria-colindex')),
      text: cell.textContent!.trim(),
      inSight: at.top >= (isHeader ? box.top : head.bottom) - 1 && at.bottom <= box.bottom + 1 && at.left >= box.left - 1 && at.right <= box.right + 1,
    };
  });
}

test('the data grid: arrow keys, Home/End, PageUp/PageDown and Ctrl+Home/End move the active cell, which stays in sight', async () => {
  await page.getByTestId('stage-data').click();
  await page.getByTestId('version-link').first().click(); // Palmer penguins: 344 rows, 7 columns
  const grid = page.getByTestId('data-grid');
  await expect(grid.getByTestId('row').first()).toBeVisible();
  await grid.focus();
  expect(await activeCell()).toEqual({ row: 2, col: 1, text: '1', inSight: true });
  await page.keyboard.press('ArrowRight');
  expect(await activeCell()).toEqual({ row: 2, col: 2, text: 'Adelie', inSight: true });
  await page.keyboard.press('End');
  expect(await activeCell()).toEqual({ row: 2, col: 8, text: 'MALE', inSight: true });
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Control+End'); // the last penguin, far below the first screen
  expect(await activeCell()).toEqual({ row: 345, col: 2, text: 'Gentoo', inSight: true });
  await page.keyboard.press('PageUp');
  const up = (await activeCell())!;
  expect(up.row).toBeLessThan(345 - 5);
  expect(up.inSight).toBe(true);
  await page.keyboard.press('PageDown');
  expect(await activeCell()).toMatchObject({ row: 345, inSight: true });
  await page.keyboard.press('Control+Home');
  expect(await activeCell()).toMatchObject({ row: 2, col: 2, text: 'Adelie', inSight: true });
  await page.keyboard.press('ArrowUp'); // the header row
  expect(await activeCell()).toMatchObject({ row: 1, col: 2, inSight: true });
  await page.keyboard.press('Enter'); // sorts by Species
  await expect(grid.locator('[role="columnheader"][aria-colindex="2"]')).toHaveAttribute('aria-sort', 'ascending');
  await expect(grid).toBeFocused();
});

/** Train the penguins (wasm, the form's other defaults), save the model and evaluate it. */
async function trainAndEvaluate(): Promise<void> {
  await openTrainForm(page, 'Palmer penguins');
  await page.getByTestId('train-backend').selectOption('wasm');
  await page.getByTestId('train-start').click();
  const view = page.getByTestId('run-view');
  await expect(view.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
  await view.getByTestId('save-model-name').fill('Penguin species');
  await view.getByTestId('save-model').click();
  await expect(view.getByTestId('saved-model')).toBeVisible();
  await page.getByTestId('stage-evaluate').click();
  await page.getByTestId('evaluate-run').click();
  await expect(page.getByTestId('evaluation-meta')).toBeVisible({ timeout: 120_000 });
}

test('axe: the pages that show a trained model (its run, Registry, Evaluate with a result, Optimize) and the demo pipeline, in both languages', async () => {
  test.setTimeout(300_000);
  await trainAndEvaluate();
  const found: string[] = [];
  for (const locale of ['en', 'zh-TW']) {
    await page.getByTestId('header-locale').selectOption(locale);
    for (const stage of ['train', 'registry', 'evaluate', 'optimize']) {
      await page.getByTestId(`stage-${stage}`).click();
      await settled();
      found.push(...(await violationsOn(`${locale} ${stage} (a model trained)`)));
      found.push(...(await eachTab(`${locale} ${stage} (a model trained)`)));
    }
    // the demo pipeline, listed and in the graph editor with every component's settings
    await page.getByTestId('stage-pipelines').click();
    if ((await page.getByTestId('pipeline-version').count()) === 0) await page.getByTestId('pipeline-create-demo').click();
    await expect(page.getByTestId('pipeline-version').first()).toBeVisible();
    found.push(...(await violationsOn(`${locale} pipelines (the demo pipeline)`)));
    await page.getByTestId('pipeline-new-json').click();
    await expect(page.getByTestId('pipeline-editor')).toBeVisible();
    found.push(...(await violationsOn(`${locale} pipelines (the editor)`)));
  }
  await page.getByTestId('header-locale').selectOption('en');
  expect(found, found.join('\n')).toEqual([]);
});

test('layout at 768 px: no page scrolls the document sideways', async () => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 768, height: 1024 });
  const wide: string[] = [];
  for (const p of allPages()) {
    await p.open();
    await settled();
    const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    if (scroll > client) wide.push(`${p.name}: ${scroll} px wide in ${client} px`);
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  expect(wide, wide.join('\n')).toEqual([]);
});

test('screenshots for docs/ at 1280 px, in English and zh-TW', async () => {
  test.skip(!process.env.PIPETTE_SCREENSHOTS, 'writes docs/*.png: run with PIPETTE_SCREENSHOTS=1 to refresh them');
  await page.setViewportSize({ width: 1280, height: 800 });
  const dismiss = page.getByTestId('offline-ready').getByRole('button');
  const shots: [string, () => Promise<void>][] = [
    ['data', async () => (await page.getByTestId('stage-data').click(), await page.getByTestId('version-link').first().click(), await expect(page.getByTestId('row').first()).toBeVisible())],
    ['validate', async () => (await page.getByTestId('stage-validate').click(), await expect(page.getByTestId('stats-meta')).toBeVisible())],
    ['train', () => page.getByTestId('stage-train').click()],
  ];
  for (const locale of ['en', 'zh-TW']) {
    await page.getByTestId('header-locale').selectOption(locale);
    for (const [name, open] of shots) {
      await open();
      await settled();
      if (await dismiss.isVisible()) await dismiss.click();
      await page.screenshot({ path: `docs/${name}-${locale}.png` });
    }
  }
  await page.getByTestId('header-locale').selectOption('en');
});
