import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { createProject, importFile, packageFile } from './helpers';

const penguins = JSON.parse(packageFile('vega-datasets', 'data/penguins.json').toString('utf8')) as Record<string, unknown>[];

async function exportAs(page: Page, format: 'csv' | 'arrow' | 'parquet'): Promise<{ name: string; bytes: Buffer }> {
  const download = page.waitForEvent('download');
  await page.getByTestId(`export-${format}`).click();
  const file = await download;
  const chunks = await (await file.createReadStream()).toArray();
  return { name: file.suggestedFilename(), bytes: Buffer.concat(chunks) };
}

test('JSON in; Arrow and Parquet out and back in give the same rows and types', async ({ page }) => {
  await createProject(page, 'Formats');
  await importFile(page, 'penguins.json', packageFile('vega-datasets', 'data/penguins.json'), 'application/json');
  await expect(page.getByTestId('import-done')).toContainText('344');
  await expect(page.getByTestId('type-Species')).toHaveText('categorical');
  await expect(page.getByTestId('type-Body Mass (g)')).toHaveText('integer');
  const first = await page.getByTestId('row').first().innerText();
  expect(first).toContain(String(penguins[0]['Body Mass (g)']));

  for (const format of ['arrow', 'parquet'] as const) {
    const file = await exportAs(page, format);
    expect(file.name).toMatch(new RegExp(`\\.${format}$`));
    await importFile(page, file.name, file.bytes, 'application/octet-stream');
    await expect(page.getByTestId('import-done')).toContainText('344 rows, 7 columns');
    await expect(page.getByTestId('type-Species')).toHaveText('categorical');
    await expect(page.getByTestId('type-Body Mass (g)')).toHaveText('integer');
    await expect(page.getByTestId('type-Beak Length (mm)')).toHaveText('number');
    expect(await page.getByTestId('row').first().innerText()).toBe(first);
  }
  await expect(page.getByTestId('dataset-item')).toHaveCount(3);
});

/** A w x h grayscale PNG, written with Node's zlib (independent of the app's own encoder). */
function png(w: number, h: number, value: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  const raw = Buffer.alloc((w + 1) * h, value);
  for (let y = 0; y < h; y++) raw[y * (w + 1)] = 0; // filter byte
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

test('an image folder becomes a dataset labelled by sub-folder; a folder with no images says so', async ({ page }, info) => {
  const root = info.outputPath('pets');
  for (const [label, count] of [['cats', 3], ['dogs', 2]] as const) {
    mkdirSync(join(root, label), { recursive: true });
    for (let i = 0; i < count; i++) writeFileSync(join(root, label, `${i}.png`), png(8, 6, 40 * (i + 1)));
  }
  writeFileSync(join(root, 'notes.txt'), 'not an image');
  // a PNG cut off in its pixel data (the importer's own PNG check), and a GIF header over junk (the
  // browser's decoder): both say image, neither decodes
  const cut = png(8, 6, 200).subarray(0, 8 + 25 + 12);
  writeFileSync(join(root, 'cats', 'cut.png'), cut);
  writeFileSync(join(root, 'dogs', 'junk.gif'), Buffer.concat([Buffer.from('GIF89a'), Buffer.from([8, 0, 6, 0]), Buffer.alloc(24, 0x5a)]));
  await createProject(page, 'Pets');
  await page.getByTestId('stage-data').click();
  await page.getByTestId('import-folder').setInputFiles(root);
  await expect(page.getByTestId('import-done')).toContainText('5 rows');
  await expect(page.getByTestId('import-warnings')).toContainText('notes.txt');
  await expect(page.getByTestId('import-warnings')).toContainText('Left out 2 files that could not be unpacked or decoded as images');
  await expect(page.getByTestId('import-warnings')).toContainText('cut.png');
  await expect(page.getByTestId('import-warnings')).toContainText('junk.gif');
  await expect(page.getByTestId('type-image')).toHaveText('image');
  await expect(page.getByTestId('row')).toHaveCount(5);
  await page.getByTestId('sort-label').click();
  await expect(page.getByTestId('row').first()).toContainText('cats');
  await expect(page.getByTestId('row').last()).toContainText('dogs');
  const width = await page.getByTestId('row').first().locator('img').evaluate((el: HTMLImageElement) => el.decode().then(() => el.naturalWidth));
  expect(width).toBe(8);

  const empty = info.outputPath('empty');
  mkdirSync(empty, { recursive: true });
  writeFileSync(join(empty, 'readme.md'), '# nothing here');
  await page.getByTestId('import-folder').setInputFiles(empty);
  await expect(page.getByTestId('import-error')).toContainText('no images');
  await expect(page.getByTestId('dataset-item')).toHaveCount(1);

  // the same file alone is refused, by name
  await page.getByTestId('import-files').setInputFiles({ name: 'cut.png', mimeType: 'image/png', buffer: cut });
  await expect(page.getByTestId('import-error')).toContainText('cut.png: the bytes start like an image, but it cannot be decoded');
  await expect(page.getByTestId('dataset-item')).toHaveCount(1);
});

test('a long import shows progress and can be cancelled; nothing is written', async ({ page }, info) => {
  const path = info.outputPath('big.csv');
  mkdirSync(info.outputDir, { recursive: true });
  const out = createWriteStream(path);
  out.write('id,x,y,group\n');
  let chunk = '';
  for (let i = 0; i < 2_000_000; i++) {
    chunk += `${i},${(i % 997) / 7},${i % 13},g${i % 5}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');

  await createProject(page, 'Cancel');
  await page.getByTestId('stage-data').click();
  await page.getByTestId('import-files').setInputFiles(path);
  await expect(page.getByTestId('progress')).toBeVisible();
  await page.getByTestId('import-cancel').click();
  await expect(page.getByTestId('import-cancelled')).toBeVisible();
  await expect(page.getByTestId('no-datasets')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('no-datasets')).toBeVisible();
});
