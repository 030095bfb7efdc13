// Pages other than a cycle's detail: 总览, 义务目录, 周期, 单位.
import { DateTime } from 'luxon';
import type { Duty } from '../../../domain/catalog/schema';
import { dueDate, periodOpenedAt } from '../../../domain/plan';
import { describeDue, describeOpening, KIND_LABELS } from '../../../domain/describe';
import type { Catalog } from '../../../runtime/catalog';
import { cstDateTime, dueLabel, latenessLabel, ladderInWords, roleLabel, STATE_LABELS, stateLabel, STATES, ACCESS_LABELS } from '../format';
import { html, type Html } from '../html';
import type { CycleFilter, CycleRow } from '../../service/cycles';
import { layout, stateBadge, type LayoutContext } from './layout';
import type { Access } from '../../../contracts/cycle';
import { exportLinks } from '../exports/links';
import { LIGHT_LABELS, LIGHT_MEANINGS, LIGHTS } from '../../../domain/lights';

export function cycleLink(workflowId: string, text?: string): Html {
  return html`<a href="/cycles/${encodeURIComponent(workflowId)}">${text ?? workflowId}</a>`;
}

function dutyTitle(catalog: Catalog, code: string): string {
  return catalog.byCode.get(code)?.title ?? code;
}

function cycleTable(rows: CycleRow[], catalog: Catalog, now: Date, opts: { showDuty?: boolean } = {}): Html {
  const showDuty = opts.showDuty ?? true;
  if (rows.length === 0) return html`<p class="muted">没有符合条件的周期。</p>`;
  return html`<table class="cycles">
    <thead>
      <tr>
        <th>单位</th>
        ${showDuty ? html`<th>义务</th>` : ''}
        <th>周期</th>
        <th>截止时间</th>
        <th>状态</th>
        <th>提交时间</th>
        <th>逾期 / 剩余</th>
        <th></th>
      </tr>
    </thead>
    <tbody>
      ${rows.map((r) => {
        const late = latenessLabel(r, now, catalog.byCode.get(r.dutyCode)?.kind);
        return html`<tr data-workflow-id="${r.workflowId}">
          <td>
            ${r.unit.name}
            <div class="muted small">${r.unitId}</div>
          </td>
          ${
            showDuty
              ? html`<td>
                  ${dutyTitle(catalog, r.dutyCode)}
                  <div class="muted small">${r.dutyCode}</div>
                </td>`
              : ''
          }
          <td>${r.period}</td>
          <td>${dueLabel(r.dueAt)}</td>
          <td>${stateBadge(r.state, stateLabel(r.state))}</td>
          <td>${cstDateTime(r.submittedAt)}</td>
          <td class="${late.tone === 'late' ? 'late' : late.tone === 'ok' ? 'ok' : ''}">${late.text}</td>
          <td>${cycleLink(r.workflowId, '详情')}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

// ---------------------------------------------------------------- 总览

export interface OverviewData {
  counts: { dutyCode: string; state: string; count: number }[];
  overdue: CycleRow[];
  overdueTotal: number;
}

export function overviewPage(ctx: LayoutContext, catalog: Catalog, data: OverviewData, now: Date): Html {
  const duties = [...new Set([...catalog.duties.map((d) => d.code), ...data.counts.map((c) => c.dutyCode)])];
  const count = (duty: string, state: string) => data.counts.find((c) => c.dutyCode === duty && c.state === state)?.count ?? 0;
  const total = (duty: string) => data.counts.filter((c) => c.dutyCode === duty).reduce((s, c) => s + c.count, 0);
  const cell = (duty: string | undefined, state: string, n: number) => {
    const params = new URLSearchParams({ ...(duty ? { duty } : {}), state });
    return n === 0 ? html`<td class="num zero">0</td>` : html`<td class="num"><a href="/cycles?${params.toString()}">${n}</a></td>`;
  };
  const body = html`<h1>总览</h1>
    <h2>逾期未报（${data.overdueTotal}）</h2>
    ${
      data.overdueTotal === 0
        ? html`<p class="ok">目前没有逾期未报的周期。</p>`
        : html`${cycleTable(data.overdue, catalog, now)}${
            data.overdueTotal > data.overdue.length
              ? html`<p class="muted small">
                  仅显示最早的 ${data.overdue.length} 条，<a href="/cycles?state=overdue">查看全部逾期</a> ·
                  <a href="/cycles?state=escalated">查看全部已督办</a>
                </p>`
              : ''
          }`
    }
    <h2>各义务周期状态</h2>
    <table class="counts">
      <thead>
        <tr>
          <th>义务</th>
          ${STATES.map((s) => html`<th class="num">${STATE_LABELS[s]}</th>`)}
          <th class="num">合计</th>
        </tr>
      </thead>
      <tbody>
        ${duties.map(
          (d) =>
            html`<tr data-duty="${d}">
              <td>
                <a href="/cycles?duty=${encodeURIComponent(d)}">${dutyTitle(catalog, d)}</a>
                <div class="muted small">${d}</div>
              </td>
              ${STATES.map((s) => cell(d, s, count(d, s)))}
              <td class="num"><strong>${total(d)}</strong></td>
            </tr>`,
        )}
      </tbody>
    </table>
    <p class="muted small">数据来自应用数据库中的周期索引（每个工作流一行，由工作流在状态变化时更新）。实时状态请打开周期详情。</p>`;
  return layout('总览', { ...ctx, nav: 'overview' }, body);
}

// ---------------------------------------------------------------- 义务目录

function dutyCard(duty: Duty, now: Date): Html {
  const period = periodOpenedAt(duty, DateTime.fromJSDate(now));
  const exampleDue = dueDate(duty, period).plus({ days: 1 });
  const jurisdictions = duty.kind === 'annual' ? duty.jurisdictions : [];
  return html`<section class="card" id="duty-${duty.code}">
    <h2 style="margin-top:0">${duty.title} <span class="muted small mono">${duty.code}</span></h2>
    <dl class="facts">
      <dt>类型</dt>
      <dd>${KIND_LABELS[duty.kind] ?? duty.kind}</dd>
      <dt>截止规则</dt>
      <dd>
        ${describeDue(duty)}（北京时间当日24:00前）；例如周期 ${period} ${duty.kind === 'window' ? '窗口结束于' : '截止于'}
        ${dueLabel(exampleDue.toJSDate())}
      </dd>
      ${jurisdictions.map(
        (j) =>
          html`<dt>地方规则</dt>
            <dd>
              <strong>${j.label}</strong>（行政区划
              ${j.regions.join('、')}）：每年${j.due.month}月${j.due.day}日前。同一单位同时适用多条规则时，以最早的截止时间为准，两项依据均列示。
            </dd>`,
      )}
      <dt>周期开启</dt>
      <dd>${describeOpening(duty)}</dd>
      <dt>报送内容</dt>
      <dd>${duty.deliverable}</dd>
      <dt>报送方式</dt>
      <dd>${duty.submitVia}</dd>
      <dt>适用地区</dt>
      <dd>行政区划代码以 ${duty.regions.join('、')} 开头</dd>
      <dt>责任单位</dt>
      <dd>
        ${duty.responsible.map(
          (g) =>
            html`<div>
              <strong>${g.label}</strong>
              <span class="muted small"
                >（${[
                  g.types ? `类型：${g.types.map((t) => TYPE_LABELS[t] ?? t).join('、')}` : '',
                  g.levels ? `层级：${g.levels.map((l) => LEVEL_LABELS[l] ?? l).join('、')}` : '',
                  g.tags ? `标签：${g.tags.map((t) => TAG_LABELS[t] ?? t).join('、')}` : '',
                ]
                  .filter(Boolean)
                  .join('；')}）</span
              >
              → 报送对象：${g.reportTo.join('、')}
            </div>`,
        )}
      </dd>
    </dl>
    <h3>法定依据</h3>
    ${[...duty.sources, ...jurisdictions.flatMap((j) => j.sources)].map(
      (s) =>
        html`<div class="source">
          <div><strong>${s.document}</strong>《${s.title}》${s.section}</div>
          <blockquote>${s.textSimplified ?? s.text}</blockquote>
          ${s.textSimplified && s.textSimplified !== s.text ? html`<div class="muted small">原文（繁体）：${s.text}</div>` : ''}
        </div>`,
    )}
    <h3>提醒与督办</h3>
    <ul class="ladder">
      ${ladderInWords(duty).map((l) => html`<li class="${l.kind}">${l.text}</li>`)}
    </ul>
    ${
      duty.notes.length
        ? html`<h3>说明</h3>
            <ul class="ladder">
              ${duty.notes.map((n) => html`<li class="muted">${n}</li>`)}
            </ul>`
        : ''
    }
  </section>`;
}

export function dutiesPage(ctx: LayoutContext, catalog: Catalog, now: Date): Html {
  const body = html`<h1>义务目录</h1>
    <p class="muted">
      现行目录版本 <code>${catalog.version}</code>（${catalog.files.map((f) => f.name).join('、')}），共 ${catalog.duties.length} 项义务。
    </p>
    ${catalog.duties.map((d) => dutyCard(d, now))}`;
  return layout('义务目录', { ...ctx, nav: 'duties' }, body);
}

// ---------------------------------------------------------------- 周期

export function cyclesPage(
  ctx: LayoutContext,
  catalog: Catalog,
  filter: CycleFilter,
  result: { rows: CycleRow[]; total: number },
  units: { id: string; name: string }[],
  now: Date,
): Html {
  const sel = (a: string | undefined, b: string) => (a === b ? 'selected' : '');
  const body = html`<h1>周期</h1>
    <form class="filters" method="get" action="/cycles">
      <label
        >义务<select name="duty">
          <option value="">全部</option>
          ${catalog.duties.map((d) => html`<option value="${d.code}" ${sel(filter.duty, d.code)}>${d.title}</option>`)}
        </select></label
      >
      <label>周期（年度）<input type="text" name="period" value="${filter.period ?? ''}" placeholder="例如 2025" size="8" /></label>
      <label
        >状态<select name="state">
          <option value="">全部</option>
          ${STATES.map((s) => html`<option value="${s}" ${sel(filter.state, s)}>${STATE_LABELS[s]}</option>`)}
        </select></label
      >
      <label
        >单位<select name="unit">
          <option value="">全部</option>
          ${units.map((u) => html`<option value="${u.id}" ${sel(filter.unit, u.id)}>${u.name}</option>`)}
        </select></label
      >
      <label
        >红黄绿灯<select name="light">
          <option value="">全部</option>
          ${LIGHTS.map((l) => html`<option value="${l}" ${sel(filter.light, l)}>${LIGHT_LABELS[l]}（${LIGHT_MEANINGS[l]}）</option>`)}
        </select></label
      >
      ${filter.under ? html`<input type="hidden" name="under" value="${filter.under}" />` : ''}
      ${filter.due ? html`<input type="hidden" name="due" value="${filter.due}" />` : ''}
      <button type="submit">筛选</button>
      <a href="/cycles">清除</a>
    </form>
    ${
      filter.under || filter.due
        ? html`<p id="active-filters">
            ${filter.under ? html`下辖单位：${units.find((u) => u.id === filter.under)?.name ?? filter.under}（含其下辖单位） ` : ''}
            ${filter.due ? html`截止日：${filter.due} ` : ''}
          </p>`
        : ''
    }
    <p class="muted small">
      共 ${result.total} 个周期${result.total > result.rows.length ? `，显示前 ${result.rows.length} 个` : ''}，按截止时间排序。
    </p>
    ${exportLinks(filter)} ${cycleTable(result.rows, catalog, now)}`;
  return layout('周期', { ...ctx, nav: 'cycles' }, body);
}

// ---------------------------------------------------------------- 单位

export interface UnitNode {
  id: string;
  name: string;
  type: string;
  level: string;
  region: string;
  tags: string[];
  parentId: string | null;
  contacts: { name: string; email: string; role: string; access: string; phone: string | null }[];
}

export const TYPE_LABELS: Record<string, string> = {
  government: '政府',
  department: '部门',
  town: '乡镇（街道）',
  'party-committee': '党委',
  congress: '人大常委会',
  'supervisory-commission': '监察委员会',
  other: '其他',
};
export const LEVEL_LABELS: Record<string, string> = { province: '省级', city: '市级', county: '县级', town: '乡镇级' };
const TAG_LABELS: Record<string, string> = { 'enforcement-agency': '行政执法机关', 'rule-of-law-office': '法治建设办公室' };

export function unitsPage(ctx: LayoutContext, units: UnitNode[]): Html {
  const byParent = new Map<string | null, UnitNode[]>();
  const ids = new Set(units.map((u) => u.id));
  for (const u of units) {
    const key = u.parentId !== null && ids.has(u.parentId) ? u.parentId : null;
    byParent.set(key, [...(byParent.get(key) ?? []), u]);
  }
  const seen = new Set<string>();
  const branch = (parent: string | null): Html => {
    const children = (byParent.get(parent) ?? []).filter((u) => !seen.has(u.id));
    if (!children.length) return html``;
    return html`<ul>
      ${children.map((u) => {
        seen.add(u.id);
        return html`<li id="unit-${u.id}">
          <span class="unit-name">${u.name}</span>
          <span class="muted small"
            >${u.id} · ${TYPE_LABELS[u.type] ?? u.type} · ${LEVEL_LABELS[u.level] ?? u.level} · 区划 ${u.region}</span
          >
          ${u.tags.map((t) => html` <span class="badge st-waived">${TAG_LABELS[t] ?? t}</span>`)}
          <a class="small" href="/cycles?unit=${encodeURIComponent(u.id)}">周期</a>
          ${
            u.contacts.length
              ? html`<div class="contacts">
                  ${u.contacts.map(
                    (c, i) =>
                      html`${i ? '；' : ''}${roleLabel(c.role)} ${c.name}
                      ${c.email ? html`<a href="mailto:${c.email}">${c.email}</a>` : ''}${c.phone ? ` ${c.phone}` : ''}${
                        c.access !== 'unit' ? `（${ACCESS_LABELS[c.access as Access] ?? c.access}）` : ''
                      }`,
                  )}
                </div>`
              : html`<div class="contacts late">无联系人</div>`
          }
          ${branch(u.id)}
        </li>`;
      })}
    </ul>`;
  };
  const body = html`<h1>单位</h1>
    <p class="muted">共 ${units.length} 个单位。联系人的角色决定提醒和督办发给谁（经办人、负责人、督办人）。</p>
    <div class="card tree">${units.length ? branch(null) : html`<p class="muted">尚未导入单位。</p>`}</div>`;
  return layout('单位', { ...ctx, nav: 'units' }, body);
}

// ---------------------------------------------------------------- errors

export function errorPage(ctx: LayoutContext, status: number, message: string): Html {
  const title = status === 404 ? '找不到页面' : status === 403 ? '无权操作' : '出错了';
  return layout(
    title,
    ctx,
    html`<h1>${title}</h1>
      <div class="alert alert-error">${message}</div>
      <p><a href="/">返回总览</a></p>`,
  );
}
