// 节假日安排 (/admin/holidays): the years whose State Council arrangement is loaded (shipped or installed
// by an admin), the years running cycles wait for (provisional deadlines), and the form that loads a year.
import type { LoadedYear } from '../../../runtime/calendar-store';
import type { ArrangementLoad } from '../../service/calendar';
import type { LayoutContext } from './layout';
import { AdminTabs, Page, renderPage, TableHead } from './page';

export interface HolidaysPageData {
  years: LoadedYear[];
  needed: { year: number; cycles: number }[];
  done?: ArrangementLoad;
  /** Why the upload was refused, each problem with its file and field, in Chinese. */
  problems?: string[];
}

function Done({ done }: { done: ArrangementLoad }) {
  const { result: r, correction: c } = done;
  return (
    <div class="alert alert-ok" role="status" id="holidays-done">
      已载入 {r.year} 年节假日安排：放假 {r.holidays} 天，调休上班 {r.workdays} 天{r.replaced ? '（替换原有安排）' : ''}。 暂定期限更正：
      {c.corrected} 个周期已按本安排更正（其中 {c.moved} 个截止时刻变动，已通知责任单位），跳过 {c.skipped} 个
      {c.failed ? `，失败 ${c.failed} 个（请用同一文件重新载入）` : ''}。
    </div>
  );
}

export function holidaysPage(ctx: LayoutContext, data: HolidaysPageData): string {
  const loaded = new Set(data.years.map((y) => y.year));
  return renderPage(
    <Page title="节假日安排" ctx={{ ...ctx, nav: 'admin' }} styles={['admin.css']}>
      <AdminTabs current="/admin/holidays" />
      <h1>节假日安排</h1>
      {data.done ? <Done done={data.done} /> : null}
      {data.problems ? (
        <div class="alert alert-error" role="alert" id="holidays-problems">
          文件有误，未载入：
          <ul class="reasons">
            {data.problems.map((p) => (
              <li>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <p class="muted">按国务院办公厅每年发布的部分节假日安排通知计算工作日。已载入 {data.years.length} 个年度。</p>
      {data.needed.length ? (
        <ul id="holidays-needed">
          {data.needed.map((n) => (
            <li data-year={n.year}>
              {n.year} 年：{n.cycles} 个进行中的周期按暂定规则计算期限{loaded.has(n.year) ? '' : '（该年安排尚未载入）'}
            </li>
          ))}
        </ul>
      ) : null}
      <form method="post" action="/admin/holidays/load" enctype="multipart/form-data" id="holidays-load-form" class="card">
        <h2>载入年度安排</h2>
        <div class="form-row">
          <label for="holidays-file">安排文件（JSON）*</label>
          <input type="file" id="holidays-file" name="file" accept=".json,application/json" required />
          <div class="hint">
            格式与 calendar/&lt;年度&gt;.json 相同：{'{ "year", "source", "holidays": [{ "date", "name" }], "workdays": [...] }'}
            。载入后，按暂定规则计算期限的进行中周期按本安排更正。
          </div>
        </div>
        <button type="submit">校验并载入</button>
      </form>
      <table class="holiday-years" id="holiday-years">
        <TableHead cols={['年度', '来源', '放假', '调休上班', '通知']} />
        <tbody>
          {[...data.years].reverse().map((y) => (
            <tr data-year={y.year} data-origin={y.origin}>
              <td>{y.year}</td>
              <td>{y.origin === 'installed' ? '管理员载入' : '随系统提供'}</td>
              <td>{y.holidays} 天</td>
              <td>{y.workdays} 天</td>
              <td class="small">{y.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Page>,
  );
}
