/** Page helpers of the Validate stage (its long worker calls are `Job`s, app/workers/job.svelte.ts). */
export { downloadText } from './download';
