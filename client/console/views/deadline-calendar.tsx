// 截止日历 (/calendar?month=YYYY-MM): the month's days, Monday first, with the deadlines of the cycles
// still owing in the reader's scope, each linking to its cycle (or, for many, to the day's cycle list).
import type { Child } from 'hono/jsx';
import { DateTime } from 'luxon';
import { cycleLight, firstReminderAt, LIGHT_LABELS } from '../../../domain/lights';
import { CST } from '../../../domain/time';
import type { Catalog } from '../../../runtime/catalog';
import type { MonthDeadlines } from '../../service/deadline-month';
import type { CycleRow } from '../../service/cycles';
import { lastDay, stateLabel } from '../format';
import type { LayoutContext } from './layout';
import { Page, renderPage } from './page';
import { dutyName, LIGHT_STYLES } from './lights';

const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'];

/** "截止 14:00" for a due instant inside a day (hour windows); nothing for midnight (the whole day). */
function timeOfDue(dueAt: Date): string {
  const d = DateTime.fromJSDate(dueAt).setZone(CST);
  return d.hour === 0 && d.minute === 0 ? '' : `${d.toFormat('HH:mm')}前 `;
}

interface Entry {
  day: string;
  node: Child;
}

function cycleEntry(catalog: Catalog, r: CycleRow, now: Date): Entry {
  const light = cycleLight(r.state, r.dueAt, firstReminderAt(catalog.byCode.get(r.dutyCode), r.period, r.dueAt), now);
  return {
    day: lastDay(r.dueAt),
    node: (
      <li class={`deadline light-${light}`} data-workflow-id={r.workflowId} title={`${LIGHT_LABELS[light]} · ${stateLabel(r.state)}`}>
        <a href={`/cycles/${encodeURIComponent(r.workflowId)}`}>
          {timeOfDue(r.dueAt)}
          {dutyName(catalog, r.dutyCode)} · {r.unit.name}
        </a>
      </li>
    ),
  };
}

function groupEntry(catalog: Catalog, g: { dutyCode: string; dueAt: Date; count: number }): Entry {
  const day = lastDay(g.dueAt);
  const q = new URLSearchParams({ duty: g.dutyCode, due: day });
  return {
    day,
    node: (
      <li class="deadline" data-duty={g.dutyCode}>
        <a href={`/cycles?${q.toString()}`}>
          {timeOfDue(g.dueAt)}
          {dutyName(catalog, g.dutyCode)}：{g.count} 个未办结
        </a>
      </li>
    ),
  };
}

export function calendarPage(ctx: LayoutContext, catalog: Catalog, data: MonthDeadlines, now: Date): string {
  const entries = data.cycles
    ? data.cycles.map((r) => cycleEntry(catalog, r, now))
    : (data.groups ?? []).map((g) => groupEntry(catalog, g));
  const byDay = new Map<string, Child[]>();
  for (const e of entries) byDay.set(e.day, [...(byDay.get(e.day) ?? []), e.node]);
  const first = data.start;
  const gridStart = first.minus({ days: first.weekday - 1 });
  const weeks: DateTime[][] = [];
  for (let d = gridStart; d < first.plus({ months: 1 }); d = d.plus({ weeks: 1 }))
    weeks.push([0, 1, 2, 3, 4, 5, 6].map((i) => d.plus({ days: i })));
  const today = DateTime.fromJSDate(now).setZone(CST).toFormat('yyyy-MM-dd');
  const monthLink = (m: DateTime) => `/calendar?month=${m.toFormat('yyyy-MM')}`;
  return renderPage(
    <Page title="截止日历" ctx={{ ...ctx, nav: 'calendar' }} styles={LIGHT_STYLES}>
      <h1>
        截止日历 · {first.year}年{first.month}月
      </h1>
      <p class="month-nav">
        <a id="prev-month" href={monthLink(first.minus({ months: 1 }))}>
          ‹ 上个月
        </a>
        <a id="this-month" href="/calendar">
          本月
        </a>
        <a id="next-month" href={monthLink(first.plus({ months: 1 }))}>
          下个月 ›
        </a>
      </p>
      <p class="muted small">
        本月共有 {data.total} 个未办结周期到期（待报送、已逾期、已督办；按截止日的最后一天标注，北京时间）。
        {data.groups ? '数量较多，按义务汇总显示，点击查看当日清单。' : ''}
      </p>
      <table class="calendar" id="deadline-calendar" data-month={data.month}>
        <thead>
          <tr>
            {WEEKDAYS.map((w) => (
              <th>周{w}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr>
              {week.map((d) => {
                const day = d.toFormat('yyyy-MM-dd');
                if (d.month !== first.month) return <td class="outside"></td>;
                const items = byDay.get(day);
                return (
                  <td class={day === today ? 'today' : ''} data-day={day}>
                    <div class="day-number">{d.day}</div>
                    {items ? <ul>{items}</ul> : null}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </Page>,
  );
}
