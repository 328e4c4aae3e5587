import { defineConfig } from '@playwright/test';
import base from './playwright.config';

/** Benchmarks: the same Chromium and built app as the end-to-end tests; figures print as JSON lines. */
export default defineConfig({
  ...base,
  testDir: 'tests/bench',
  testMatch: '**/*.bench.ts',
  timeout: 900_000,
  reporter: [['line']],
});
