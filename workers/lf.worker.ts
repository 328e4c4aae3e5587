/**
 * The labeling-function worker: runs user-written JavaScript labeling functions and nothing else. No
 * Comlink, no store, no network: src/core/label/sandbox.ts answers the runner's messages and hides the
 * network and storage globals before any user code runs. The runner (src/core/label/runner.ts) enforces
 * the time limit with terminate().
 */
import { installLfWorker } from '../src/core/label/sandbox';

installLfWorker(self);
