/**
 * Continuous training settings of a pipeline (issue 14): run it when its ExampleGen's dataset gets a new
 * ready version, and/or every N minutes while the app is open. Kept per pipeline name, beside the immutable
 * versions: the triggers run the newest version of the name, and editing the pipeline keeps them.
 */
import type { PipetteDB } from './db';

export interface PipelineTriggerRecord {
  projectId: string;
  pipelineName: string;
  /** Run when a version of the ExampleGen's dataset newer than `onNewDataSince` becomes ready. */
  onNewData: boolean;
  /** When "on new data" was switched on: versions created before it do not trigger a run. */
  onNewDataSince: number;
  /** Run every this many minutes while the app is open; null: no schedule. */
  everyMinutes: number | null;
  /** When the schedule was set: the first scheduled run is due everyMinutes after it. */
  scheduledSince: number;
  updatedAt: number;
}

export type TriggerSettings = Pick<PipelineTriggerRecord, 'onNewData' | 'everyMinutes'>;

export function listTriggers(db: PipetteDB, projectId: string): Promise<PipelineTriggerRecord[]> {
  return db.pipelineTriggers.where('projectId').equals(projectId).toArray();
}

/** Change a pipeline's triggers; the "since" times move only when a trigger is switched on or its period changes. */
export function saveTriggers(db: PipetteDB, projectId: string, pipelineName: string, settings: TriggerSettings, now = Date.now()): Promise<PipelineTriggerRecord> {
  return db.transaction('rw', db.pipelineTriggers, async () => {
    const old = await db.pipelineTriggers.get([projectId, pipelineName]);
    const record: PipelineTriggerRecord = {
      projectId,
      pipelineName,
      onNewData: settings.onNewData,
      onNewDataSince: settings.onNewData && old?.onNewData ? old.onNewDataSince : now,
      everyMinutes: settings.everyMinutes,
      scheduledSince: settings.everyMinutes !== null && old?.everyMinutes === settings.everyMinutes ? old.scheduledSince : now,
      updatedAt: now,
    };
    await db.pipelineTriggers.put(record);
    return record;
  });
}
