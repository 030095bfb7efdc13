// 单位导入 (/admin/units): the unit tree with its contacts counted, the upload form, the preview of what
// an upload would change (or every problem by file, row and field), and the confirm that writes it.
import type { ChangeKind, ContactChange, FieldChange, ImportCounts, ImportPlan, UnitChange } from '../../import/units';
import { CONTACT_FIELD_ZH, UNIT_FIELD_ZH, formatProblemZh, type ImportProblem } from '../../import/parse';
import { ACCESS_LABELS, roleLabel, cstDateTimeSeconds } from '../format';
import type { LayoutContext } from './layout';
import type { Child } from 'hono/jsx';
import { AdminTabs, Page, renderPage, TableHead } from './page';
import { LEVEL_LABELS, TYPE_LABELS } from './pages';

const STYLES = ['admin.css'];
/** Rows of added or changed units (contacts) listed on the preview; the rest are counted. */
const LISTED_ROWS = 500;

export interface UnitTreeRow {
  id: string;
  name: string;
  type: string;
  level: string;
  depth: number;
  contacts: number;
}

export interface LastImport {
  at: Date;
  actor: string;
  target: string;
  counts: Partial<ImportCounts>;
}

export interface UnitsImportPageData {
  tree: UnitTreeRow[];
  contacts: number;
  last: LastImport | null;
  done?: boolean;
  /** A refusal of the upload or the confirm (not the files' problems: those have the preview page). */
  error?: string;
  maxBytes: number;
}

const sizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`);

function CountsTable({ counts }: { counts: Partial<ImportCounts> }) {
  return (
    <table class="import-counts" id="import-counts">
      <TableHead cols={['', '新增', '变更', '未变']} />
      <tbody>
        <tr data-kind="units">
          <th>单位</th>
          <td>{counts.unitsCreated ?? 0}</td>
          <td>{counts.unitsUpdated ?? 0}</td>
          <td>{counts.unitsUnchanged ?? 0}</td>
        </tr>
        <tr data-kind="contacts">
          <th>联系人</th>
          <td>{counts.contactsCreated ?? 0}</td>
          <td>{counts.contactsUpdated ?? 0}</td>
          <td>{counts.contactsUnchanged ?? 0}</td>
        </tr>
      </tbody>
    </table>
  );
}

function UploadForm({ maxBytes }: { maxBytes: number }) {
  return (
    <form method="post" action="/admin/units/preview" enctype="multipart/form-data" id="units-upload-form" class="card">
      <h2>导入单位和联系人</h2>
      <div class="form-row">
        <label for="units-file">文件 *</label>
        <input type="file" id="units-file" name="file" multiple accept=".csv,.xlsx,.json" required />
        <div class="hint">
          CSV（UTF-8 或 Excel 保存的 GBK）、XLSX 或 JSON，最多 5 个文件，合计不超过 {sizeText(maxBytes)}
          。单位表的列：编码、名称、类型、层级、行政区划代码、上级编码、标签；
          联系人表的列：单位编码、姓名、邮箱、角色、权限、电话（表头也可以用英文 id,name,type,level,region,parentId,tags /
          unitId,name,email,role,access,phone）。XLSX 的每个工作表是一张表。
        </div>
      </div>
      <p class="small muted">
        上传后先显示预览，确认后才写入。导入不会删除任何单位或联系人：文件中没有的保持不变；有一处错误则整批不导入。
      </p>
      <button type="submit">上传并预览</button>
    </form>
  );
}

export function unitsImportPage(ctx: LayoutContext, data: UnitsImportPageData): string {
  return renderPage(
    <Page title="单位导入" ctx={{ ...ctx, nav: 'admin' }} styles={STYLES}>
      <AdminTabs current="/admin/units" />
      <h1>单位和联系人导入</h1>
      {data.done ? (
        <div class="alert alert-ok" role="status" id="import-done">
          已导入。
        </div>
      ) : null}
      {data.error ? (
        <div class="alert alert-error" role="alert" id="import-error">
          {data.error}
        </div>
      ) : null}
      <p class="muted" id="units-summary">
        系统中共有 {data.tree.length} 个单位、{data.contacts} 位联系人。
      </p>
      {data.last ? (
        <div class="card" id="last-import">
          <h2>最近一次导入</h2>
          <p class="small">
            {cstDateTimeSeconds(data.last.at)}，{data.last.actor}，文件 {data.last.target}
          </p>
          <CountsTable counts={data.last.counts} />
        </div>
      ) : null}
      <UploadForm maxBytes={data.maxBytes} />
      <h2>单位树</h2>
      <table class="unit-tree" id="unit-tree">
        <TableHead cols={['单位', '编码', '类型', '层级', '联系人']} />
        <tbody>
          {data.tree.map((u) => (
            <tr data-unit={u.id}>
              <td class={`depth-${Math.min(u.depth, 6)}`}>{u.name}</td>
              <td class="mono small">{u.id}</td>
              <td>{TYPE_LABELS[u.type] ?? u.type}</td>
              <td>{LEVEL_LABELS[u.level] ?? u.level}</td>
              <td class={u.contacts === 0 ? 'no-contacts' : ''}>{u.contacts}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.tree.length === 0 ? <p class="muted">尚无单位，请先导入单位表。</p> : null}
    </Page>,
  );
}

const KIND_LABEL: Record<ChangeKind, string> = { added: '新增', changed: '变更', unchanged: '未变' };

/** Words for the coded values, shown beside the code. */
const UNIT_VALUES: Record<string, Record<string, string>> = { type: TYPE_LABELS, level: LEVEL_LABELS };
const CONTACT_VALUES: Record<string, Record<string, string>> = { access: ACCESS_LABELS };

function Value({ v, words }: { v: string | null; words?: Record<string, string> }) {
  if (v === null) return <span class="muted">（空）</span>;
  const word = words?.[v];
  return word ? (
    <span>
      {word}（<span class="mono">{v}</span>）
    </span>
  ) : (
    <span class="mono">{v}</span>
  );
}

function Changes({
  changes,
  labels,
  values,
  kind,
}: {
  changes: FieldChange[];
  labels: Record<string, string>;
  values: Record<string, Record<string, string>>;
  kind: ChangeKind;
}) {
  return (
    <ul class="changes">
      {changes.map((c) => (
        <li data-field={c.field}>
          {labels[c.field] ?? c.field}：
          {kind === 'added' ? (
            <Value v={c.to} words={values[c.field]} />
          ) : (
            <>
              <Value v={c.from} words={values[c.field]} /> → <Value v={c.to} words={values[c.field]} />
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

/** One row of the preview: who it is about, and the change. */
interface PreviewRow {
  kind: ChangeKind;
  changes: FieldChange[];
  /** data-unit / data-contact: what tests and readers find the row by. */
  data: Record<string, string>;
  who: Child;
}

/** The added and changed rows of one kind (units or contacts), the first LISTED_ROWS of them. */
function PreviewTable({
  id,
  what,
  rows,
  labels,
  values,
}: {
  id: string;
  what: string;
  rows: PreviewRow[];
  labels: Record<string, string>;
  values: Record<string, Record<string, string>>;
}) {
  const shown = rows.filter((r) => r.kind !== 'unchanged');
  if (shown.length === 0) return null;
  return (
    <table class="preview" id={id}>
      <TableHead cols={[what, '操作', '内容']} />
      <tbody>
        {shown.slice(0, LISTED_ROWS).map((r) => (
          <tr {...r.data} data-kind={r.kind}>
            <td>{r.who}</td>
            <td>
              <span class={`badge import-${r.kind}`}>{KIND_LABEL[r.kind]}</span>
            </td>
            <td>
              <Changes changes={r.changes} labels={labels} values={values} kind={r.kind} />
            </td>
          </tr>
        ))}
        {shown.length > LISTED_ROWS ? (
          <tr>
            <td colspan={3} class="muted">
              另有 {shown.length - LISTED_ROWS} 行未列出。
            </td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}

const unitRow = (u: UnitChange): PreviewRow => ({
  kind: u.kind,
  changes: u.changes,
  data: { 'data-unit': u.id },
  who: (
    <>
      {u.name}
      <div class="mono small muted">{u.id}</div>
    </>
  ),
});

const contactRow = (c: ContactChange): PreviewRow => ({
  kind: c.kind,
  changes: c.changes,
  data: { 'data-contact': `${c.unitId}|${c.email}|${c.role}` },
  who: (
    <>
      {c.name}（{roleLabel(c.role)}）<div class="mono small muted">{c.email}</div>
      <div class="mono small muted">{c.unitId}</div>
    </>
  ),
});

export function importPreviewPage(ctx: LayoutContext, files: string[], preview: { key: string; plan: ImportPlan }): string {
  const { plan } = preview;
  const c = plan.counts;
  const changes = c.unitsCreated + c.unitsUpdated + c.contactsCreated + c.contactsUpdated;
  return renderPage(
    <Page title="导入预览" ctx={{ ...ctx, nav: 'admin' }} styles={STYLES}>
      <AdminTabs current="/admin/units" />
      <h1>导入预览</h1>
      <p class="muted">
        文件：<span class="mono">{files.join('、')}</span>。以下是确认后将写入的变更，目前尚未写入任何内容；导入不删除任何单位或联系人。
      </p>
      <CountsTable counts={c} />
      <PreviewTable id="preview-units" what="单位" rows={plan.units.map(unitRow)} labels={UNIT_FIELD_ZH} values={UNIT_VALUES} />
      <PreviewTable
        id="preview-contacts"
        what="联系人"
        rows={plan.contacts.map(contactRow)}
        labels={CONTACT_FIELD_ZH}
        values={CONTACT_VALUES}
      />
      {changes > 0 ? (
        <form method="post" action="/admin/units/confirm" id="import-confirm-form" class="card">
          <input type="hidden" name="key" value={preview.key} />
          <input type="hidden" name="digest" value={plan.digest} />
          <p>确认后按上面的预览一次写入（全部成功或全部不写入），并记入审计日志。预览 15 分钟内有效。</p>
          <button type="submit">确认导入</button> <a href="/admin/units">取消</a>
        </form>
      ) : (
        <div class="alert alert-info" id="import-nothing">
          文件与系统中的单位和联系人一致，没有需要写入的变更。<a href="/admin/units">返回</a>
        </div>
      )}
    </Page>,
  );
}

export function importProblemsPage(ctx: LayoutContext, files: string[], problems: ImportProblem[]): string {
  const names = files.length ? files : [...new Set(problems.map((p) => p.where.file))];
  return renderPage(
    <Page title="导入预览" ctx={{ ...ctx, nav: 'admin' }} styles={STYLES}>
      <AdminTabs current="/admin/units" />
      <h1>文件有误，未导入</h1>
      <div class="alert alert-error" role="alert" id="import-problems-summary">
        {names.join('、')} 中有 {problems.length} 处问题，未写入任何内容。请改正后重新上传。
      </div>
      <table class="problems" id="import-problems">
        <TableHead cols={['文件', '位置', '字段', '问题']} />
        <tbody>
          {problems.map((p) => (
            <tr data-field={p.field ?? ''} title={formatProblemZh(p)}>
              <td class="mono small">{p.where.file}</td>
              <td>{'line' in p.where ? `第 ${p.where.line} 行` : 'path' in p.where ? p.where.path : ''}</td>
              <td>{p.field ? (p.fieldZh ? `${p.fieldZh}（${p.field}）` : p.field) : ''}</td>
              <td>{p.zh}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <a href="/admin/units">返回重新上传</a>
      </p>
    </Page>,
  );
}
