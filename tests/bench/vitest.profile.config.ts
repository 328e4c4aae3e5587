import { defineConfig } from 'vitest/config';

/** Node profiles (not part of npm test): npx vitest run -c tests/bench/vitest.profile.config.ts */
export default defineConfig({
  test: { include: ['tests/bench/**/*.profile.ts'], environment: 'node', testTimeout: 600_000 },
});
