// What a recorded workflow history holds, in the terms a replay test checks: the workflow type, how it
// closed, the updates it completed, the timers that fired, the activities, signals and children it ran.
import { temporal } from '@temporalio/proto';

const { EventType } = temporal.api.enums.v1;
type History = temporal.api.history.v1.IHistory;

export interface HistorySummary {
  workflowType: string;
  events: number;
  /** The last event, e.g. 'WORKFLOW_EXECUTION_COMPLETED'. */
  close: string;
  /** Names of the updates that completed successfully, in order. */
  updates: string[];
  timersFired: number;
  /** Scheduled activities by activity type. */
  activities: Record<string, number>;
  /** Received signals, in order. */
  signals: string[];
  /** Started children by workflow type. */
  children: Record<string, number>;
  /** Child starts refused by the server (e.g. already started), by workflow type. */
  childStartsFailed: Record<string, number>;
  searchAttributeUpserts: number;
}

const eventName = (t: number | null | undefined) => String(EventType[t ?? 0]).replace(/^EVENT_TYPE_/, '');
const count = (into: Record<string, number>, key: string) => {
  into[key] = (into[key] ?? 0) + 1;
};

export function summariseHistory(history: History): HistorySummary {
  const events = history.events ?? [];
  const accepted = new Map<string, string>();
  const s: HistorySummary = {
    workflowType: events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '',
    events: events.length,
    close: eventName(events.at(-1)?.eventType),
    updates: [],
    timersFired: 0,
    activities: {},
    signals: [],
    children: {},
    childStartsFailed: {},
    searchAttributeUpserts: 0,
  };
  for (const e of events) {
    switch (e.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
      {
        const req = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
        accepted.set(req?.meta?.updateId ?? '', req?.input?.name ?? '');
      }
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED: {
        const a = e.workflowExecutionUpdateCompletedEventAttributes;
        if (a?.outcome?.success) s.updates.push(accepted.get(a.meta?.updateId ?? '') ?? '?');
        break;
      }
      case EventType.EVENT_TYPE_TIMER_FIRED:
        s.timersFired += 1;
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        count(s.activities, e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        s.signals.push(e.workflowExecutionSignaledEventAttributes?.signalName ?? '?');
        break;
      case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
        count(s.children, e.childWorkflowExecutionStartedEventAttributes?.workflowType?.name ?? '?');
        break;
      case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED:
        count(s.childStartsFailed, e.startChildWorkflowExecutionFailedEventAttributes?.workflowType?.name ?? '?');
        break;
      case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        s.searchAttributeUpserts += 1;
        break;
    }
  }
  return s;
}
