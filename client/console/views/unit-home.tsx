// 本单位待办: a unit user's landing page (/): what the unit owes and by when, the earliest due first,
// each with its light, the time left or how late it is, and the way to hand it in.
import { cycleLight, firstReminderAt, LIGHT_LABELS, type Light } from '../../../domain/lights';
import type { Catalog } from '../../../runtime/catalog';
import type { CycleRow } from '../../service/cycles';
import { dueLabel, latenessLabel, stateLabel } from '../format';
import type { LayoutContext } from './layout';
import { Page, renderPage } from './page';
import { dutyName, LIGHT_STYLES } from './lights';

/** What the unit does on the cycle's page: submit, or record occurrences / activities for quota and window duties. */
function actionOf(catalog: Catalog, r: CycleRow): { text: string; anchor: string } {
  const kind = catalog.byCode.get(r.dutyCode)?.kind;
  if (kind === 'quota') return { text: '登记开展情况', anchor: '#occurrence-form' };
  if (kind === 'window') return { text: '登记活动', anchor: '#activity-form' };
  return { text: '去报送', anchor: '#submit-form' };
}

export function unitHomePage(
  ctx: LayoutContext,
  catalog: Catalog,
  data: { rows: CycleRow[]; total: number },
  unitName: string,
  now: Date,
): string {
  return renderPage(
    <Page title="本单位待办" ctx={{ ...ctx, nav: 'overview' }} styles={LIGHT_STYLES}>
      <h1>本单位待办 · {unitName}</h1>
      <p class="muted">
        本单位尚未办结的周期共 {data.total} 个，按截止时间排序{data.total > data.rows.length ? `，显示前 ${data.rows.length} 个` : ''}
        。时间为北京时间。
      </p>
      {data.rows.length === 0 ? (
        <p class="ok" id="nothing-owed">
          本单位目前没有待办的报送事项。
        </p>
      ) : (
        <table class="cycles dues" id="unit-dues">
          <thead>
            <tr>
              <th>灯</th>
              <th>义务</th>
              <th>周期</th>
              <th>截止时间</th>
              <th>状态</th>
              <th>剩余 / 逾期</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {data.rows.map((r) => {
              const light: Light = cycleLight(r.state, r.dueAt, firstReminderAt(catalog.byCode.get(r.dutyCode), r.period, r.dueAt), now);
              const left = latenessLabel(r, now, catalog.byCode.get(r.dutyCode)?.kind);
              const action = actionOf(catalog, r);
              const href = `/cycles/${encodeURIComponent(r.workflowId)}`;
              return (
                <tr data-workflow-id={r.workflowId} data-light={light}>
                  <td>
                    <span class={`light light-${light}`}>{LIGHT_LABELS[light]}</span>
                  </td>
                  <td>
                    <a href={href}>{dutyName(catalog, r.dutyCode)}</a>
                    <div class="muted small">{r.dutyCode}</div>
                  </td>
                  <td>{r.period}</td>
                  <td>{dueLabel(r.dueAt)}</td>
                  <td>{stateLabel(r.state)}</td>
                  <td class={left.tone === 'late' ? 'late' : ''}>{left.text}</td>
                  <td>
                    <a class="button-link" href={`${href}${action.anchor}`}>
                      {action.text}
                    </a>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <p class="small">
        <a href="/calendar">截止日历</a> · <a href="/lights">红黄绿灯</a> · <a href="/cycles">本单位全部周期</a>
      </p>
    </Page>,
  );
}
