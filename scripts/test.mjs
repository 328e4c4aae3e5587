// npm test: install what is missing, typecheck, unit tests (Node), build, end-to-end tests (real Chromium).
// Ends with one line "N passed, N failed" over both suites. Extra arguments go to Playwright (e.g. a file).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureChromium, ensureDependencies, root, run } from './setup.mjs';

ensureDependencies();
const chromium = ensureChromium();
// Not test-results/: Playwright empties that folder when it starts.
const results = join(root, '.test-output');
rmSync(results, { recursive: true, force: true });

const failures = [];
const step = (name, cmd, args, env = {}) => {
  console.log(`\n== ${name}`);
  const status = run(cmd, args, { env: { ...process.env, ...env } });
  if (status !== 0) failures.push(name);
  return status;
};

step('typecheck', 'npm', ['run', '--silent', 'typecheck']);
step('unit tests (vitest, Node)', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${join(results, 'unit.json')}`]);
const built = step('build', 'npx', ['vite', 'build', '--logLevel', 'warn']) === 0;
if (built) step('end-to-end tests (Playwright, Chromium)', 'npx', ['playwright', 'test', ...process.argv.slice(2)], { PIPETTE_CHROMIUM: chromium });

function count(file, read) {
  try {
    return read(JSON.parse(readFileSync(join(results, file), 'utf8')));
  } catch {
    return { passed: 0, failed: 1 };
  }
}
const unit = count('unit.json', (j) => ({ passed: j.numPassedTests, failed: j.numFailedTests + (j.numRuntimeErrorTestSuites ?? 0) }));
const e2e = built
  ? count('e2e.json', (j) => ({ passed: j.stats.expected + (j.stats.flaky ?? 0), failed: j.stats.unexpected }))
  : { passed: 0, failed: 1 };
const passed = unit.passed + e2e.passed;
const failed = unit.failed + e2e.failed + (failures.includes('typecheck') ? 1 : 0);
console.log(`\nunit: ${unit.passed} passed, ${unit.failed} failed; end-to-end: ${e2e.passed} passed, ${e2e.failed} failed${failures.length ? `; failed steps: ${failures.join(', ')}` : ''}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || failures.length > 0 ? 1 : 0);
