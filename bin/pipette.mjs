#!/usr/bin/env node
// `npx pipette run pipeline.json --data <dir> --out <dir>`: loads the built runner (dist-cli/main.js).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = fileURLToPath(new URL('../dist-cli/main.js', import.meta.url));
if (!existsSync(built)) {
  process.stderr.write(`pipette: the runner is not built (${built} is missing): run \`npm run build:cli\` in the Pipette folder first\n`);
  process.exit(2);
}
const { main } = await import(pathToFileURL(built).href);
process.exitCode = await main(process.argv.slice(2));
