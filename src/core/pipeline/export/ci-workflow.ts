/**
 * A CI workflow that runs an exported pipeline headless on every push of the pipeline or its data: a
 * `.gitea/workflows/` file, which GitHub Actions reads too (Gitea Actions takes GitHub's syntax). The repository
 * it lands in holds `pipelines/<file>.pipeline.json`, the data as `data/<dataset name>/<version files>` (what
 * `pipette run --data` reads) and a package.json with pipette as a dependency (for `npm ci` and `npx pipette`).
 * Written as text, not with the `yaml` package: core never imports an on-demand package statically.
 */

/** Where the workflow file goes in the repository. */
export const CI_WORKFLOW_PATH = '.gitea/workflows/pipette-pipeline.yml';

/** What the run writes and the artifact it uploads. */
export const CI_OUTPUT_DIR = 'pipette-out';

/** A pipeline's name as a file name safe in a path and a shell command: lower case, [a-z0-9._-]. */
export function pipelineFileStem(name: string): string {
  const stem = name.toLowerCase().replace(/[^a-z0-9._]+/g, '-').replace(/^[-.]+|-+$/g, '');
  return stem || 'pipeline';
}

/** The path of a pipeline's JSON in the repository, as the workflow runs it. */
export function pipelineRepoPath(name: string): string {
  return `pipelines/${pipelineFileStem(name)}.pipeline.json`;
}

/** The workflow's text for the pipeline of this name. */
export function ciWorkflow(pipelineName: string): string {
  const path = pipelineRepoPath(pipelineName);
  // The name goes into a comment only: a line break in it must not end the comment.
  const title = pipelineName.replace(/[\r\n]+/g, ' ');
  return [
    `# Runs the Pipette pipeline "${title}" headless on every push of a pipeline or data change.`,
    '# Gitea Actions (1.22 or later, for upload-artifact v4) and GitHub Actions read the same file.',
    `# Expects ${path}, the data as data/<dataset name>/<version files> and pipette in package.json.`,
    '# The run fails (exit 1) when validation finds anomalies or a component fails; the reason is on stderr.',
    'name: pipette-pipeline',
    'on:',
    '  push:',
    '    paths:',
    "      - 'pipelines/**'",
    "      - 'data/**'",
    'jobs:',
    '  pipeline:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: actions/setup-node@v4',
    '        with:',
    '          node-version: 20',
    '      - run: npm ci',
    `      - run: npx pipette run ${path} --data data --out ${CI_OUTPUT_DIR}`,
    '      - uses: actions/upload-artifact@v4',
    '        if: always()',
    '        with:',
    `          name: ${CI_OUTPUT_DIR}`,
    `          path: ${CI_OUTPUT_DIR}`,
    '',
  ].join('\n');
}
