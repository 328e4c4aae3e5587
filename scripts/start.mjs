// npm start: install what is missing, build, serve the built app on localhost and print the address.
import { ensureDependencies, run } from './setup.mjs';

ensureDependencies();
if (run('npx', ['vite', 'build']) !== 0) process.exit(1);
const port = process.env.PORT || '4173';
console.log(`\nPipette is served at http://localhost:${port}/  (Ctrl+C stops it)\n`);
process.exit(run('npx', ['vite', 'preview', '--port', port, '--strictPort', '--host', '127.0.0.1']));
