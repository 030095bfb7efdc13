// A warning from an activity through the activity's logger (the worker's), or the console when the
// function runs outside an activity (tests calling activities directly).
import { Context } from '@temporalio/activity';

export function activityWarn(message: string, workflowId: string): void {
  let log: Pick<Console, 'warn'> = console;
  try {
    log = Context.current().log;
  } catch {
    // not inside an activity
  }
  log.warn(message, { workflowId });
}
