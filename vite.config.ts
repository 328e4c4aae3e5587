import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { demoData } from './scripts/demo-data';
import { contentSecurityPolicy } from './scripts/csp';
import { ISOLATION_HEADERS } from './src/protocol/isolation';

export default defineConfig({
  base: './',
  plugins: [
    demoData(),
    contentSecurityPolicy(),
    svelte(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      // src/sw.ts: workbox's precache and offline fallback, plus the tab's TF Serving routes (issue 15)
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      includeAssets: ['icons/*.png', 'icons/*.svg'],
      manifest: {
        name: 'Pipette — ML workbench',
        short_name: 'Pipette',
        description: 'The production-ML lifecycle in one browser tab, offline.',
        lang: 'en',
        // the manifest's localized members (W3C appmanifest, *_localized): zh-TW in Taiwan's terms
        ...{
          name_localized: { 'zh-TW': 'Pipette — 機器學習工作台' },
          short_name_localized: { 'zh-TW': 'Pipette' },
          description_localized: { 'zh-TW': '在一個瀏覽器分頁中離線走完正式環境機器學習的完整生命週期。' },
        },
        theme_color: '#1f4e79',
        background_color: '#f7f8fa',
        display: 'standalone',
        start_url: './',
        scope: './',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      injectManifest: {
        // The app, its workers, tfjs and the wasm binaries, and the demo data all work offline.
        globPatterns: ['**/*.{js,css,html,wasm,png,svg,webmanifest,csv,json,ndjson,zip,arrow}'],
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
      },
    }),
  ],
  // cross-origin isolation for wasm threads (issue 16); a host without these gets them from the service worker
  server: { headers: { ...ISOLATION_HEADERS } },
  preview: { headers: { ...ISOLATION_HEADERS } },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});
