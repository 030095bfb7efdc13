// 登记督查检查考核活动: one activity of a window cycle (the scheduleActivity update), from the console's
// form or API and from `window schedule`.
import { activityFields, scheduleActivityUpdate, type ScheduleActivityResult } from '../../contracts/window';
import { activityEntry, type ActivityEntry } from '../entry-input';
import { liveStatus } from './quota';
import { nowOf, requireActor, requireOwnUnitOrAdmin, sendUpdate, workflowActor, type Call, type ServiceDeps } from './context';
import { parseRequest, refuse } from './refusal';

/** The workflow's answer and the activity as recorded (trimmed, its kind defaulted). */
export type ScheduledActivity = ScheduleActivityResult & { entry: ActivityEntry };

export async function scheduleActivity(deps: ServiceDeps, call: Call, workflowId: string, body: unknown): Promise<ScheduledActivity> {
  requireActor(call);
  const req = parseRequest(activityFields.strict(), body);
  const status = await liveStatus(deps, workflowId);
  if (status.kind !== 'window' || !status.window) {
    refuse(
      '',
      'conflict',
      '该周期不是窗口期类义务，不登记督查检查考核活动',
      `${workflowId} is not a window cycle (kind ${status.kind ?? 'annual'})`,
    );
  }
  const actor = await requireOwnUnitOrAdmin(deps, call, 'activity', workflowId, status.unitId, '登记', 'schedule activities');
  const entry = activityEntry(status.window.terms, status.period, req, nowOf(deps));
  const result = await sendUpdate(deps, call, workflowId, '周期', scheduleActivityUpdate, [
    { actor: workflowActor(actor), unitId: status.unitId, ...entry },
  ]);
  return { ...result, entry };
}
