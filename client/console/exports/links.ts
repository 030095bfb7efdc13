// The download links above the /cycles table: the list as shown (its filters kept), and the 通报 of a
// duty's period once both are chosen.
import type { CycleFilter } from '../../service/cycles';
import { html, type Html } from '../html';

export function exportLinks(filter: CycleFilter): Html {
  const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => !!e[1])).toString();
  const q = query ? `?${query}` : '';
  const report =
    filter.duty && filter.period ? `/reports/${encodeURIComponent(filter.duty)}/${encodeURIComponent(filter.period)}` : undefined;
  return html`<p class="exports" id="exports">
    <a class="button-link" id="export-xlsx" href="/cycles/export.xlsx${q}" download>导出 Excel</a>
    <a class="button-link" id="export-csv" href="/cycles/export.csv${q}" download>导出 CSV</a>
    ${
      report
        ? html`<a class="button-link" id="circular-xlsx" href="${report}.xlsx" download>通报（Excel）</a>
            <a class="button-link" id="circular-csv" href="${report}.csv" download>通报明细（CSV）</a>`
        : html`<span class="muted small">选择义务和周期后可导出通报。</span>`
    }
  </p>`;
}
