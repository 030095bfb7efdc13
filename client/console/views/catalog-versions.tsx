// 目录版本 (/admin/catalog, read-only): the obligation catalog versions recorded (the one in force first),
// with their files' hashes and when each was loaded, and the catalogs on disk that were rejected, with why.
import type { CatalogRejection, CatalogVersionRow } from '../../../db/catalog-versions';
import { cstDateTimeSeconds } from '../format';
import type { LayoutContext } from './layout';
import { AdminTabs, Page, renderPage, TableHead } from './page';

const WHEN_LABEL: Record<string, string> = { start: '启动时', reload: '运行中重新读取时' };

export function catalogVersionsPage(ctx: LayoutContext, versions: CatalogVersionRow[], rejections: CatalogRejection[]): string {
  return renderPage(
    <Page title="目录版本" ctx={{ ...ctx, nav: 'admin' }} styles={['admin.css']}>
      <AdminTabs current="/admin/catalog" />
      <h1>义务目录版本</h1>
      <p class="muted">
        版本号是目录文件名称与内容的 SHA-256。新开启的周期使用生效中的版本；目录文件有误时不会生效，原版本继续有效。此页只读。
      </p>
      <h2>已记录的版本</h2>
      <table class="catalog-versions" id="catalog-versions">
        <TableHead cols={['版本（哈希）', '状态', '载入时间', '文件']} />
        <tbody>
          {versions.map((v) => (
            <tr data-version={v.id} data-in-force={String(v.inForce)}>
              <td class="hash">{v.id}</td>
              <td>{v.inForce ? <span class="badge in-force">生效中</span> : <span class="muted">已停用</span>}</td>
              <td class="nowrap">{cstDateTimeSeconds(v.loadedAt)}</td>
              <td>
                <ul class="reasons">
                  {v.files.map((f) => (
                    <li>
                      <span class="mono">{f.name}</span> <span class="hash muted">{f.sha256}</span>
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {versions.length === 0 ? <p class="muted">尚未记录任何版本。</p> : null}
      <h2>未生效（被拒绝）的目录</h2>
      <table class="catalog-versions" id="catalog-rejections">
        <TableHead cols={['内容哈希', '发现时间', '原因', '仍在生效的版本']} />
        <tbody>
          {rejections.map((r) => (
            <tr data-content-key={r.contentKey}>
              <td class="hash">
                {r.contentKey} <span class="badge rejected">已拒绝</span>
              </td>
              <td class="nowrap">
                {cstDateTimeSeconds(r.at)}
                <div class="small muted">
                  {r.actor}，{WHEN_LABEL[r.when] ?? r.when}，{r.dir}
                </div>
              </td>
              <td>
                <ul class="reasons">
                  {r.problems.map((p) => (
                    <li class="mono">{p}</li>
                  ))}
                </ul>
              </td>
              <td class="hash">{r.inForce ?? '（无）'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rejections.length === 0 ? <p class="muted">没有被拒绝的目录。</p> : null}
    </Page>,
  );
}
