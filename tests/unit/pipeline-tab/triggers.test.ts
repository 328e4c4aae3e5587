/**
 * Continuous training's decisions (app/pipeline-trigger-rules.ts) over records as the store holds them, and
 * the triggers' record (store/pipeline-triggers.ts) on fake-indexeddb: a ready version of the ExampleGen's
 * dataset created after "on new data" was switched on asks for one run of the newest pipeline version, named
 * by that version; once a run was triggered by it, or while it is still being written, it asks for nothing; a
 * schedule is due everyMinutes after its start or its last scheduled run; served requests drifting past the
 * threshold ask for one run per measured log (strictly over, logged after the trigger was switched on), and
 * again only when newer requests still cross.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dueRuns, nextScheduled, type TriggerInputs } from '../../../src/app/pipeline-trigger-rules';
import type { ServedDrift } from '../../../src/protocol/validate';
import type { ComponentSpec } from '../../../src/core/pipeline/spec';
import { PipetteDB, type Dataset, type DatasetVersion } from '../../../src/store/db';
import type { PipelineRecord, PipelineRunRecord, RunTrigger } from '../../../src/store/pipeline-records';
import { listTriggers, saveTriggers, type PipelineTriggerRecord } from '../../../src/store/pipeline-triggers';
import { deleteProject } from '../../../src/store/projects';
import { demo } from '../pipeline/helpers';

const MIN = 60_000;
const penguins: Dataset = { id: 'd1', projectId: 'p1', name: 'Palmer penguins', createdAt: 0 };
const other: Dataset = { id: 'd2', projectId: 'p1', name: 'Other', createdAt: 0 };
const version = (id: string, n: number, createdAt: number, status: DatasetVersion['status'] = 'ready', datasetId = 'd1') =>
  ({ id, datasetId, projectId: 'p1', version: n, status, createdAt }) as DatasetVersion;
const pipelineV = (version: number): PipelineRecord => ({ id: `pl${version}`, projectId: 'p1', name: 'penguins', version, spec: demo(), createdAt: 0 });
const runOf = (pipelineId: string, trigger: RunTrigger, startedAt: number) => ({ id: `r${startedAt}`, pipelineId, trigger, startedAt }) as PipelineRunRecord;
const trigger = (t: Partial<PipelineTriggerRecord>): PipelineTriggerRecord => ({
  projectId: 'p1',
  pipelineName: 'penguins',
  onNewData: false,
  onNewDataSince: 1000,
  everyMinutes: null,
  scheduledSince: 1000,
  updatedAt: 1000,
  ...t,
});

function inputs(over: Partial<TriggerInputs>): TriggerInputs {
  return { triggers: [trigger({ onNewData: true })], pipelines: [pipelineV(1), pipelineV(2)], datasets: [penguins, other], versions: [version('v1', 1, 500)], runs: [], ...over };
}

describe('on new data', () => {
  it('asks for nothing for versions made before the trigger was switched on', () => {
    expect(dueRuns(inputs({}), 10 * MIN)).toEqual([]);
  });

  it('runs the newest pipeline version for the newest ready version, named by it', () => {
    const versions = [version('v1', 1, 500), version('v2', 2, 2000), version('v3', 3, 3000), version('v9', 1, 4000, 'ready', 'd2')];
    expect(dueRuns(inputs({ versions }), 10 * MIN)).toEqual([
      { key: 'new-data:penguins:v3', pipeline: pipelineV(2), trigger: { kind: 'new-data', datasetName: 'Palmer penguins', versionId: 'v3', versionNumber: 3 } },
    ]);
  });

  it('waits while the version is written and asks once: not after a run it triggered', () => {
    expect(dueRuns(inputs({ versions: [version('v1', 1, 500), version('v2', 2, 2000, 'writing')] }), 10 * MIN)).toEqual([]);
    const runs = [runOf('pl1', { kind: 'new-data', datasetName: 'Palmer penguins', versionId: 'v2', versionNumber: 2 }, 2500)];
    expect(dueRuns(inputs({ versions: [version('v1', 1, 500), version('v2', 2, 2000)], runs }), 10 * MIN)).toEqual([]);
    const next = dueRuns(inputs({ versions: [version('v2', 2, 2000), version('v3', 3, 3000)], runs }), 10 * MIN);
    expect(next.map((d) => d.key)).toEqual(['new-data:penguins:v3']);
  });

  it('is off when switched off, and for an ExampleGen reading a fixed version', () => {
    const versions = [version('v1', 1, 500), version('v2', 2, 2000)];
    expect(dueRuns(inputs({ versions, triggers: [trigger({ onNewData: false })] }), 10 * MIN)).toEqual([]);
    const fixed = demo();
    fixed.components = fixed.components.map((c) => (c.type === 'ExampleGen' ? ({ ...c, settings: { ...c.settings, version: { number: 1 } } } as ComponentSpec) : c));
    expect(dueRuns(inputs({ versions, pipelines: [{ ...pipelineV(1), spec: fixed }] }), 10 * MIN)).toEqual([]);
  });
});

describe('on a schedule', () => {
  it('is due everyMinutes after its start, then after its last scheduled run', () => {
    const every = trigger({ everyMinutes: 30, scheduledSince: 5 * MIN });
    expect(nextScheduled(every, [])).toBe(35 * MIN);
    const runs = [runOf('pl1', { kind: 'schedule', everyMinutes: 30 }, 36 * MIN), runOf('pl1', { kind: 'manual' }, 50 * MIN)];
    expect(nextScheduled(every, runs)).toBe(66 * MIN);
    expect(dueRuns(inputs({ triggers: [every] }), 34 * MIN)).toEqual([]);
    expect(dueRuns(inputs({ triggers: [every] }), 35 * MIN)).toEqual([{ key: `schedule:penguins:${35 * MIN}`, pipeline: pipelineV(2), trigger: { kind: 'schedule', everyMinutes: 30 } }]);
    expect(dueRuns(inputs({ triggers: [every], runs }), 65 * MIN)).toEqual([]);
  });
});

describe('on drift of the served requests', () => {
  // the production model m1's requests, logged through seq 7 (the newest at t = 5000): Island's shares moved
  // by 0.42 (L-infinity), Body Mass by 0.2 bits (Jensen-Shannon)
  const drift = (over: Partial<ServedDrift> = {}): ServedDrift => ({
    modelId: 'm1',
    trainingVersionId: 'v1',
    requests: 7,
    throughSeq: 7,
    lastAt: 5000,
    columns: [
      { column: 'Body Mass (g)', metric: 'js', distance: 0.2 },
      { column: 'Island', metric: 'linf', distance: 0.42 },
      { column: 'Sex', metric: 'linf', distance: 0.05 },
    ],
    ...over,
  });
  const onDrift = (threshold: number, since = 1000) => [trigger({ onDrift: true, driftThreshold: threshold, onDriftSince: since })];
  const driftTrigger = (throughSeq: number, modelId = 'm1') => ({ kind: 'drift', modelId, throughSeq, requests: throughSeq, column: 'Island', metric: 'linf', distance: 0.42, threshold: 0.3 }) as const;

  it('runs the newest pipeline version when a column crosses, named by the farthest column', () => {
    expect(dueRuns(inputs({ triggers: onDrift(0.1), drift: drift() }), 10 * MIN)).toEqual([
      { key: 'drift:penguins:m1:7', pipeline: pipelineV(2), trigger: { kind: 'drift', modelId: 'm1', throughSeq: 7, requests: 7, column: 'Island', metric: 'linf', distance: 0.42, threshold: 0.1 } },
    ]);
    // 0.3: only Island crosses
    expect(dueRuns(inputs({ triggers: onDrift(0.3), drift: drift() }), 10 * MIN).map((d) => d.trigger)).toEqual([driftTrigger(7)]);
  });

  it('asks for nothing when no column crosses (a distance equal to the threshold does not), when off, or for requests logged before it was on', () => {
    expect(dueRuns(inputs({ triggers: onDrift(0.5), drift: drift() }), 10 * MIN)).toEqual([]);
    expect(dueRuns(inputs({ triggers: onDrift(0.42), drift: drift() }), 10 * MIN)).toEqual([]);
    expect(dueRuns(inputs({ triggers: [trigger({ onDrift: false, driftThreshold: 0.1 })], drift: drift() }), 10 * MIN)).toEqual([]);
    expect(dueRuns(inputs({ triggers: onDrift(0.1, 6000), drift: drift() }), 10 * MIN)).toEqual([]);
    expect(dueRuns(inputs({ triggers: onDrift(0.1), drift: null }), 10 * MIN)).toEqual([]);
  });

  it('runs once per crossing: not again for the same requests, again when newer requests still cross', () => {
    const runs = [runOf('pl2', driftTrigger(7), 6000)];
    expect(dueRuns(inputs({ triggers: onDrift(0.3), drift: drift(), runs }), 10 * MIN)).toEqual([]);
    const newer = drift({ throughSeq: 9, requests: 9, lastAt: 7000 });
    expect(dueRuns(inputs({ triggers: onDrift(0.3), drift: newer, runs }), 10 * MIN).map((d) => d.key)).toEqual(['drift:penguins:m1:9']);
    // newer requests that no longer cross ask for nothing
    const calm = drift({ throughSeq: 9, requests: 9, lastAt: 7000, columns: [{ column: 'Island', metric: 'linf', distance: 0.1 }] });
    expect(dueRuns(inputs({ triggers: onDrift(0.3), drift: calm, runs }), 10 * MIN)).toEqual([]);
    // a run for another production model's requests does not count for this one's
    expect(dueRuns(inputs({ triggers: onDrift(0.3), drift: drift(), runs: [runOf('pl2', driftTrigger(7, 'm0'), 6000)] }), 10 * MIN).map((d) => d.key)).toEqual(['drift:penguins:m1:7']);
  });
});

describe('the triggers record', () => {
  let db: PipetteDB;
  let n = 0;
  beforeEach(async () => {
    db = new PipetteDB(`pipeline-triggers-${n++}`);
    await db.open();
  });
  afterEach(async () => {
    await db.delete();
  });

  it('keeps when "on new data" was switched on while it stays on, and goes with its project', async () => {
    await saveTriggers(db, 'p1', 'penguins', { onNewData: true, everyMinutes: null }, 100);
    await saveTriggers(db, 'p1', 'penguins', { onNewData: true, everyMinutes: 15 }, 200);
    expect(await listTriggers(db, 'p1')).toMatchObject([{ onNewData: true, onNewDataSince: 100, everyMinutes: 15, scheduledSince: 200 }]);
    await saveTriggers(db, 'p1', 'penguins', { onNewData: false, everyMinutes: 15 }, 300);
    await saveTriggers(db, 'p1', 'penguins', { onNewData: true, everyMinutes: 15 }, 400);
    expect(await listTriggers(db, 'p1')).toMatchObject([{ onNewDataSince: 400, scheduledSince: 200, onDrift: false }]);
    // on drift: its threshold and start kept while it stays on, whatever else is saved
    await saveTriggers(db, 'p1', 'penguins', { onNewData: true, everyMinutes: 15, onDrift: true, driftThreshold: 0.25 }, 500);
    await saveTriggers(db, 'p1', 'penguins', { onNewData: false, everyMinutes: null }, 600);
    await saveTriggers(db, 'p1', 'penguins', { onNewData: false, everyMinutes: null, onDrift: true, driftThreshold: 0.25 }, 700);
    expect(await listTriggers(db, 'p1')).toMatchObject([{ onDrift: true, driftThreshold: 0.25, onDriftSince: 500 }]);
    await db.projects.add({ id: 'p1' } as never);
    await deleteProject(db, 'p1');
    expect(await listTriggers(db, 'p1')).toEqual([]);
  });
});
