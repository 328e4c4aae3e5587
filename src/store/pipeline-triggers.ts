/**
 * Continuous training settings of a pipeline (issue 14): run it when its ExampleGen's dataset gets a new
 * ready version, every N minutes while the app is open, and/or when the requests the production model served
 * drift from its training data beyond a threshold. Kept per pipeline name, beside the immutable versions: the
 * triggers run the newest version of the name, and editing the pipeline keeps them.
 */
import { SUGGESTED_THRESHOLDS } from '../core/validate/schema';
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
  /**
   * Run when a column the production model reads has served requests farther from its training data than
   * driftThreshold (L-infinity for categorical columns, Jensen-Shannon for numeric ones, as the Validate
   * stage's drift check). Absent on records saved before this trigger existed: off.
   */
  onDrift?: boolean;
  driftThreshold?: number;
  /** When "on drift" was switched on: only requests logged after it trigger a run. */
  onDriftSince?: number;
  updatedAt: number;
}

/** The drift trigger's threshold until a person sets one: the Validate stage's suggested threshold. */
export const DEFAULT_DRIFT_THRESHOLD = SUGGESTED_THRESHOLDS.linf;

export interface TriggerSettings extends Pick<PipelineTriggerRecord, 'onNewData' | 'everyMinutes'> {
  onDrift?: boolean;
  driftThreshold?: number;
}

export function listTriggers(db: PipetteDB, projectId: string): Promise<PipelineTriggerRecord[]> {
  return db.pipelineTriggers.where('projectId').equals(projectId).toArray();
}

/** Change a pipeline's triggers (drift settings left out stay as they were); the "since" times move only when a trigger is switched on or its period changes. */
export function saveTriggers(db: PipetteDB, projectId: string, pipelineName: string, settings: TriggerSettings, now = Date.now()): Promise<PipelineTriggerRecord> {
  return db.transaction('rw', db.pipelineTriggers, async () => {
    const old = await db.pipelineTriggers.get([projectId, pipelineName]);
    const onDrift = settings.onDrift ?? old?.onDrift ?? false;
    const record: PipelineTriggerRecord = {
      projectId,
      pipelineName,
      onNewData: settings.onNewData,
      onNewDataSince: settings.onNewData && old?.onNewData ? old.onNewDataSince : now,
      everyMinutes: settings.everyMinutes,
      scheduledSince: settings.everyMinutes !== null && old?.everyMinutes === settings.everyMinutes ? old.scheduledSince : now,
      onDrift,
      driftThreshold: settings.driftThreshold ?? old?.driftThreshold ?? DEFAULT_DRIFT_THRESHOLD,
      onDriftSince: onDrift && old?.onDrift ? (old.onDriftSince ?? now) : now,
      updatedAt: now,
    };
    await db.pipelineTriggers.put(record);
    return record;
  });
}
