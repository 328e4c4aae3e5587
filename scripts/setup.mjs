// Set-up shared by `npm start`, `npm test` and `npm run bench`: install what is missing on a fresh machine.
// Only Node built-ins here: this runs before node_modules exists.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  return r.status ?? 1;
}

/** npm ci when node_modules is missing or older than the lock file. */
export function ensureDependencies() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('Installing dependencies (npm ci)…');
  if (run('npm', ['ci', '--no-audit', '--no-fund']) !== 0) throw new Error('npm ci failed');
}

/** The Chromium that tests drive: $PIPETTE_CHROMIUM, else Debian's /usr/bin/chromium (installed when missing). */
export function ensureChromium() {
  const path = process.env.PIPETTE_CHROMIUM || '/usr/bin/chromium';
  if (existsSync(path)) return path;
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('which', ['apt-get']).status === 0;
  if (path === '/usr/bin/chromium' && isRoot && hasApt) {
    console.log('Installing Debian Chromium (apt-get install chromium)…');
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit' });
    if (existsSync(path)) return path;
  }
  throw new Error(
    `No Chromium at ${path}. Install it (Debian: apt-get install chromium) or set PIPETTE_CHROMIUM to a Chromium or Chrome binary.`,
  );
}
