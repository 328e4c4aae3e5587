/**
 * The command-line runner (`pipette`, src/cli/main.ts) built for Node 20, which cannot run TypeScript:
 * Vite's SSR build gives dist-cli/main.js, an ES module that imports its npm dependencies from
 * node_modules. `npm run build:cli` (also run by `prepare` after `npm ci`); bin/pipette.mjs loads it.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  build: {
    ssr: 'src/cli/main.ts',
    outDir: 'dist-cli',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: false,
    rollupOptions: { output: { format: 'es', entryFileNames: 'main.js' } },
  },
  logLevel: 'warn',
});
