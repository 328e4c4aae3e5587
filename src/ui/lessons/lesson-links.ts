/** Words and links the lesson components share. */
import { t } from '../../app/i18n.svelte';
import { href, STAGES, type Stage } from '../../app/router.svelte';
import type { StepLink, Unavailable } from '../../core/lessons';

const isStage = (id: string): id is Stage => (STAGES as readonly string[]).includes(id);

/** A stage's name for any stage id a lesson names (an unknown id is shown as it is). */
export function stageName(id: string): string {
  return isStage(id) ? t(`stage.${id}`) : id;
}

export function stepHref(projectId: string, link: StepLink): string {
  const stage = isStage(link.stage) ? link.stage : 'scope';
  return href({ page: 'project', projectId, stage, ...(link.query ? { query: link.query } : {}) });
}

export function whyNotOffered(missing: NonNullable<Unavailable>): string {
  if ('stage' in missing) return t('lessons.needsStage', { stage: stageName(missing.stage) });
  return t('lessons.needsCapability', { capability: missing.capability === 'automl' ? t('lessons.capability.automl') : missing.capability });
}
