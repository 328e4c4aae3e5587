// npm run bench [-- NAME]: build, then run the benchmarks in tests/bench (all, or those whose file name
// contains NAME) in real Chromium. Each figure is printed as one JSON line:
// {"bench": "...", "figure": "...", "value": 123, "unit": "...", "goal": "..."}
import { ensureChromium, ensureDependencies, run } from './setup.mjs';

ensureDependencies();
const chromium = ensureChromium();
if (run('npx', ['vite', 'build', '--logLevel', 'warn']) !== 0) process.exit(1);
const filter = process.argv.slice(2);
process.exit(
  run('npx', ['playwright', 'test', '-c', 'playwright.bench.config.ts', ...filter], {
    env: { ...process.env, PIPETTE_CHROMIUM: chromium },
  }),
);
