// 红黄绿灯 (/lights): one level of the reader's unit tree by duty, each cell the count of red, yellow and
// green cycles, each count a link to the cycle list with the same filters (/cycles?light=…&duty=…&under=…).
import { LIGHT_LABELS, LIGHT_MEANINGS, LIGHTS, type Light } from '../../../domain/lights';
import type { Catalog } from '../../../runtime/catalog';
import type { BoardRow, LightCounts, LightsBoard } from '../../service/lights';
import { cstDateTime } from '../format';
import type { LayoutContext } from './layout';
import { Page, renderPage } from './page';

export const LIGHT_STYLES = ['lights.css'];

/** The duty's title in the catalog (recurring or event-triggered), else its code. */
export function dutyName(catalog: Catalog, code: string): string {
  return catalog.byCode.get(code)?.title ?? catalog.triggeredByCode.get(code)?.title ?? code;
}

/** Where a count leads: the cycle list with the row's units, the duty and the light. */
export function drillHref(light: Light, where: { unit?: string; under?: string }, duty?: string): string {
  const q = new URLSearchParams({ light, ...(duty ? { duty } : {}), ...where });
  return `/cycles?${q.toString()}`;
}

function Counts({ counts, where, duty }: { counts: LightCounts | undefined; where: { unit?: string; under?: string }; duty?: string }) {
  return (
    <div class="lights">
      {LIGHTS.map((l) => {
        const n = counts?.[l] ?? 0;
        return n === 0 ? (
          <span class={`light light-${l} light-zero`} title={LIGHT_MEANINGS[l]}>
            {LIGHT_LABELS[l]} 0
          </span>
        ) : (
          <a class={`light light-${l}`} href={drillHref(l, where, duty)} title={LIGHT_MEANINGS[l]} data-light={l} data-count={String(n)}>
            {LIGHT_LABELS[l]} {n}
          </a>
        );
      })}
    </div>
  );
}

const rowWhere = (r: BoardRow) => (r.own || !r.hasChildren ? { unit: r.unitId } : { under: r.unitId });

function UnitCell({ row }: { row: BoardRow }) {
  return (
    <td class="unit">
      {row.hasChildren ? <a href={`/lights?unit=${row.unitId}`}>{row.unitName}</a> : row.unitName}
      {row.own ? <span class="muted small">（本级）</span> : row.hasChildren ? <span class="muted small">（含下辖单位）</span> : null}
      <div class="muted small">{row.unitId}</div>
    </td>
  );
}

export function lightsPage(ctx: LayoutContext, catalog: Catalog, board: LightsBoard, now: Date): string {
  const totalWhere = board.focus ? { under: board.focus.id } : {};
  return renderPage(
    <Page title="红黄绿灯" ctx={{ ...ctx, nav: 'lights' }} styles={LIGHT_STYLES}>
      <h1>红黄绿灯{board.focus ? ` · ${board.focus.name}` : ''}</h1>
      <p class="muted">
        {LIGHTS.map((l) => `${LIGHT_LABELS[l]}：${LIGHT_MEANINGS[l]}`).join('；')}。统计时间 {cstDateTime(now)}
        （北京时间）。点击数字查看对应周期。
      </p>
      {board.focus ? (
        <p id="level-up">
          <a href={board.focus.parentId ? `/lights?unit=${board.focus.parentId}` : '/lights'}>返回上一级</a>
        </p>
      ) : null}
      {board.rows.length === 0 ? (
        <p class="muted">您的查看范围内没有单位。</p>
      ) : (
        <div class="board-wrap">
          <table class="board" id="lights-board">
            <thead>
              <tr>
                <th>单位</th>
                <th>合计</th>
                {board.duties.map((d) => (
                  <th data-duty={d}>
                    {dutyName(catalog, d)}
                    <div class="muted small">{d}</div>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {board.rows.map((r) => (
                <tr data-unit={r.unitId}>
                  <UnitCell row={r} />
                  <td class="total">
                    <Counts counts={r.total} where={rowWhere(r)} />
                  </td>
                  {board.duties.map((d) => (
                    <td data-duty={d}>
                      <Counts counts={r.byDuty.get(d)} where={rowWhere(r)} duty={d} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr data-unit="all">
                <th>全部</th>
                <td class="total">
                  <Counts counts={board.total} where={totalWhere} />
                </td>
                {board.duties.map((d) => (
                  <td data-duty={d}>
                    <Counts counts={board.byDuty.get(d)} where={totalWhere} duty={d} />
                  </td>
                ))}
              </tr>
            </tfoot>
          </table>
        </div>
      )}
      <p class="muted small">
        提醒期自该义务提醒阶梯的第一次提醒起算（依现行义务目录）；突发事件、评查等事件类周期不设提醒期，到期前为绿灯。
      </p>
    </Page>,
  );
}
