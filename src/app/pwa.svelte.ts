/** Service worker registration and the "a new version is ready" prompt (vite-plugin-pwa, prompt mode). */
import { registerSW } from 'virtual:pwa-register';
import { pageIsolationEnv, reloadIntoIsolation } from './isolation';

class Pwa {
  /** A new version was deployed and is waiting; reload() activates it. */
  needRefresh = $state(false);
  /** Everything is precached: the app works offline from now on. */
  offlineReady = $state(false);
  #update: ((reload?: boolean) => Promise<void>) | undefined;

  start() {
    if (!('serviceWorker' in navigator)) return;
    this.#update = registerSW({
      immediate: true,
      onNeedRefresh: () => (this.needRefresh = true),
      onOfflineReady: () => (this.offlineReady = true),
    });
    // the first visit reloads once through the service worker, for its COOP/COEP headers (wasm threads)
    void reloadIntoIsolation(pageIsolationEnv());
  }

  async reload() {
    await this.#update?.(true);
  }

  dismiss() {
    this.needRefresh = false;
    this.offlineReady = false;
  }
}

export const pwa = new Pwa();
