/**
 * The CI workflow of an exported pipeline, parsed with `yaml`: triggered by pushes of pipelines/** and data/**,
 * one job whose steps check out, set up Node 20, npm ci, run the pipeline's JSON with pipette and upload what
 * it wrote (also when the run failed). GitHub Actions' and Gitea's syntax: `on.push.paths`, `jobs.<id>.steps`.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CI_WORKFLOW_PATH, ciWorkflow, pipelineFileStem, pipelineRepoPath } from '../../../src/core/pipeline/export/ci-workflow';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  if?: string;
}

describe('ciWorkflow', () => {
  const workflow = parse(ciWorkflow('penguins')) as { name: string; on: { push: { paths: string[] } }; jobs: Record<string, { 'runs-on': string; steps: Step[] }> };

  it('runs on a push of the pipelines or the data', () => {
    expect(Object.keys(workflow.on)).toEqual(['push']);
    expect(workflow.on.push.paths).toEqual(['pipelines/**', 'data/**']);
  });

  it('checks out, sets up Node 20, installs, runs the pipeline and uploads its output', () => {
    expect(Object.keys(workflow.jobs)).toEqual(['pipeline']);
    const job = workflow.jobs.pipeline!;
    expect(job['runs-on']).toBe('ubuntu-latest');
    expect(job.steps).toEqual([
      { uses: 'actions/checkout@v4' },
      { uses: 'actions/setup-node@v4', with: { 'node-version': 20 } },
      { run: 'npm ci' },
      { run: 'npx pipette run pipelines/penguins.pipeline.json --data data --out pipette-out' },
      { uses: 'actions/upload-artifact@v4', if: 'always()', with: { name: 'pipette-out', path: 'pipette-out' } },
    ]);
  });

  it('goes to .gitea/workflows', () => {
    expect(CI_WORKFLOW_PATH).toBe('.gitea/workflows/pipette-pipeline.yml');
  });

  it('names the pipeline file safely for a path and a shell', () => {
    expect(pipelineFileStem('Palmer penguins; rm -rf /')).toBe('palmer-penguins-rm-rf');
    expect(pipelineFileStem('../x')).toBe('x');
    expect(pipelineFileStem('企鵝')).toBe('pipeline');
    expect(pipelineRepoPath('My Pipeline 2')).toBe('pipelines/my-pipeline-2.pipeline.json');
    const odd = parse(ciWorkflow('a\n- b: "c"')) as { jobs: { pipeline: { steps: Step[] } } };
    expect(odd.jobs.pipeline.steps[3]).toEqual({ run: 'npx pipette run pipelines/a-b-c.pipeline.json --data data --out pipette-out' });
  });
});
