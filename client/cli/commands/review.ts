// review start | status | kinds | list | finding | self-check | close, and review item add | status |
// progress | request-extension | extend | refuse-extension | rectified | accept | reject — ad hoc
// reviews (案卷评查, 抽查, 专项行政执法监督, 法治督察, 整改) and their rectification lists (整改清单).
// Same conventions as the other commands: --json prints only JSON, one-line errors, exit codes
// 0/1/2/3/4, the acting person from the API token (--token / $DUTY_LEDGER_TOKEN), every change audited.
import type { Command } from 'commander';
import { reviewAction, startReview, type ReviewActionName } from '../../service/reviews';
import { toCstIso } from '../../../domain/time';
import { durationLabel, parseDuration, PART_STATE_LABELS, REVIEW_KINDS, reviewUnitWorkflowId } from '../../../domain/review';
import { loadReviewCatalog, ReviewCatalogError, type ReviewCatalog } from '../../../runtime/reviews';
import { itemStatusQuery, reviewStatusQuery, reviewUnitStatusQuery } from '../../../contracts/review';
import { formatCst, validateWorkflowId } from '../format';
import { CliError, EXIT } from '../errors';
import { mapTemporalError, printJson, println, table, type CliContext } from '../context';

const label = (state: string) => PART_STATE_LABELS[state] ?? state;

function reviewsCatalog(): ReviewCatalog {
  try {
    return loadReviewCatalog();
  } catch (e) {
    if (e instanceof ReviewCatalogError) throw new CliError(EXIT.failure, 'the review catalog is invalid', e.problems);
    throw e;
  }
}

async function withReview<T>(workflowId: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const mapped = mapTemporalError(e, workflowId);
    if (mapped instanceof CliError && mapped.code === EXIT.notFound) {
      throw new CliError(EXIT.notFound, `no review workflow "${workflowId}"; list reviews with \`review list\``);
    }
    throw mapped;
  }
}

function reviewIdArg(id: string): string {
  const t = validateWorkflowId(id);
  return t.startsWith('review:') ? t : `review:${t}`;
}

type ItemAction = 'progress' | 'request-extension' | 'extend' | 'refuse-extension' | 'rectified' | 'accept' | 'reject';

export function registerReview(program: Command, ctx: CliContext): void {
  const act = async <N extends ReviewActionName>(name: N, workflowId: string, body: Record<string, string | undefined>) =>
    reviewAction(await ctx.service(), await ctx.call(), name, workflowId, body);

  const cmd = program
    .command('review')
    .description('ad hoc reviews (案卷评查/抽查/专项监督/法治督察/整改) and rectification lists (整改清单)');

  cmd
    .command('kinds')
    .description('the review kinds and their legal basis (catalog/reviews/reviews.yaml)')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) => {
      const r = reviewsCatalog();
      if (opts.json) return printJson({ kinds: r.kinds, notes: r.notes });
      println(
        table(
          ['kind', '名称', '依据'],
          r.kinds.map((k) => [k.code, k.title, k.sources.map((s) => `${s.document} ${s.section}`).join('\n')]),
        ),
      );
    });

  cmd
    .command('start')
    .description('start a review (admin): one part per unit in scope with its self-check due instant')
    .requiredOption('--kind <kind>', `review kind: ${REVIEW_KINDS.join(' / ')}`)
    .requiredOption('--title <title>', 'title of the review')
    .requiredOption('--scope <scope>', 'unit IDs separated by commas, or type:<type>@<parentUnitId>')
    .requiredOption('--due <instant>', 'self-check / material submission due instant, ISO-8601 with offset')
    .option('--basis <text>', 'legal basis (default: the catalog citation of the kind)')
    .option('--reviewing-unit <unitId>', "the reviewing unit (default: the acting admin's unit)")
    .option('--duty <duty>', 'also open an ad hoc cycle of this annual catalog duty for every unit in scope')
    .option('--json', 'machine-readable output')
    .action(
      async (opts: {
        kind: string;
        title: string;
        scope: string;
        due: string;
        basis?: string;
        reviewingUnit?: string;
        duty?: string;
        json?: boolean;
      }) => {
        const { input, existing } = await startReview({ ...(await ctx.service()), reviews: reviewsCatalog }, await ctx.call(), {
          kind: opts.kind,
          title: opts.title,
          scope: opts.scope,
          dueAt: opts.due,
          basis: opts.basis,
          reviewingUnitId: opts.reviewingUnit,
          duty: opts.duty,
        });
        const out = {
          workflowId: input.workflowId,
          existing,
          kind: input.kind,
          title: input.title,
          dueAt: toCstIso(input.dueAt),
          units: input.units.map((u) => ({ unitId: u.id, name: u.name, workflowId: reviewUnitWorkflowId(input.workflowId, u.id) })),
          ...(input.duty ? { duty: input.duty } : {}),
        };
        if (opts.json) return printJson(out);
        println(`${existing ? '评查已存在（未重复发起）' : '已发起'} ${input.kindTitle}：${input.title} ${input.workflowId}`);
        println(`  自查材料报送截止：${formatCst(input.dueAt)}；单位 ${input.units.length} 个`);
        for (const u of out.units) println(`  ${u.name} (${u.unitId}) ${u.workflowId}`);
      },
    );

  cmd
    .command('status')
    .description("live status of a review (every unit's state, findings, rectification items) or of one unit's part")
    .argument('<id>', 'the review (review:<kind>-<hash>) or a unit part (…:unit-<unitId>)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) => {
      const workflowId = reviewIdArg(id);
      const client = await ctx.client();
      if (/:unit-[^:]+$/.test(workflowId)) {
        const p = await withReview(workflowId, () => client.workflow.getHandle(workflowId).query(reviewUnitStatusQuery));
        if (opts.json) return printJson(p);
        println(
          table(
            ['项目', '内容'],
            [
              ['单位', `${p.unit.name} (${p.unit.id})`],
              ['状态', label(p.state)],
              ['自查截止', formatCst(p.dueAt)],
              ['报送', p.submission ? `${p.submission.reference} by ${p.submission.by}, ${formatCst(p.submission.at)}` : '—'],
              ['发现问题', p.findings.map((f) => f.text).join('\n') || '—'],
            ],
          ),
        );
        println(
          table(
            ['时间', '事件', '说明'],
            p.timeline.map((e) => [formatCst(e.at), e.type, e.detail]),
          ),
        );
        return;
      }
      if (/:item-\d+$/.test(workflowId))
        throw new CliError(EXIT.badInput, `${workflowId} is a rectification item: use \`review item status ${workflowId}\``);
      const s = await withReview(workflowId, () => client.workflow.getHandle(workflowId).query(reviewStatusQuery));
      if (opts.json) return printJson(s);
      println(
        table(
          ['项目', '内容'],
          [
            ['评查', `${s.kindTitle}：${s.title}`],
            ['依据', s.basis],
            ['评查单位', `${s.reviewingUnit.name} (${s.reviewingUnit.id})`],
            ['范围', s.scope],
            ['自查截止', formatCst(s.dueAt)],
            ['状态', s.state === 'closed' ? `已结束：${s.summary ?? ''}` : '进行中'],
          ],
        ),
      );
      println(
        table(
          ['单位', '状态', '工作流'],
          s.units.map((u) => [`${u.name} (${u.id})`, label(u.state), u.workflowId]),
        ),
      );
      if (s.findings.length)
        println(
          table(
            ['单位', '发现问题', '记录'],
            s.findings.map((f) => [f.unitId, f.text, `${f.by} ${formatCst(f.at)}`]),
          ),
        );
      if (s.items.length)
        println(
          table(
            ['整改事项', '单位', '时限', '状态'],
            s.items.map((i) => [`${i.n}. ${i.text}\n${i.workflowId}`, i.unitId, formatCst(i.dueAt), label(i.state)]),
          ),
        );
    });

  cmd
    .command('list')
    .description('list reviews from the database')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const rows = await ctx.prisma().review.findMany({ orderBy: { createdAt: 'desc' } });
      const out = rows.map((r) => ({
        workflowId: r.workflowId,
        kind: r.kind,
        title: r.title,
        scope: r.scope,
        dueAt: toCstIso(r.dueAt),
        state: r.state,
      }));
      if (opts.json) return printJson({ total: out.length, reviews: out });
      if (out.length === 0) return println('没有评查');
      println(
        table(
          ['评查', '类型', '范围', '自查截止', '状态'],
          out.map((r) => [`${r.title}\n${r.workflowId}`, r.kind, r.scope, formatCst(r.dueAt), label(r.state)]),
        ),
      );
    });

  cmd
    .command('finding')
    .description('record a finding on a unit (admin)')
    .argument('<id>', 'the review')
    .requiredOption('--unit <unitId>', 'the unit')
    .requiredOption('--text <text>', 'the finding')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { unit: string; text: string; json?: boolean }) => {
      const { result: f } = await act('finding', reviewIdArg(id), { unitId: opts.unit, text: opts.text });
      if (opts.json) return printJson(f);
      println(`已记录 ${f.unitId}：${f.text}`);
    });

  cmd
    .command('self-check')
    .description("submit a unit's self-check / materials (that unit's users, or an admin)")
    .argument('<id>', 'the review')
    .requiredOption('--unit <unitId>', 'the unit')
    .requiredOption('--ref <reference>', '文号 or other reference of the self-check report')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { unit: string; ref: string; json?: boolean }) => {
      const { workflowId: partId, result: r } = await act('self-check', reviewIdArg(id), { unitId: opts.unit, reference: opts.ref });
      const reference = opts.ref.trim();
      if (opts.json) return printJson({ workflowId: partId, ...r, at: r ? toCstIso(r.at) : undefined });
      println(`已报送 ${partId}：${reference}`);
    });

  cmd
    .command('close')
    .description('close a review with a summary (admin); every rectification item must be accepted')
    .argument('<id>', 'the review')
    .requiredOption('--summary <summary>', 'the summary')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { summary: string; json?: boolean }) => {
      const workflowId = reviewIdArg(id);
      const summary = opts.summary.trim();
      const { result: state } = await act('close', workflowId, { summary: opts.summary });
      if (opts.json) return printJson({ workflowId, state, summary });
      println(`已结束 ${workflowId}：${summary}`);
    });

  const item = cmd.command('item').description('rectification items (整改清单)');

  item
    .command('add')
    .description('add a rectification item (admin): owner unit, due instant, optional progress-report cadence')
    .argument('<id>', 'the review')
    .requiredOption('--unit <unitId>', 'the owner unit')
    .requiredOption('--text <text>', 'what must be rectified')
    .requiredOption('--due <instant>', 'rectification due instant, ISO-8601 with offset')
    .option('--report-every <duration>', 'a progress report is due this often, e.g. P14D, 2w, 36h')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { unit: string; text: string; due: string; reportEvery?: string; json?: boolean }) => {
      const { result: added } = await act('item.add', reviewIdArg(id), {
        unitId: opts.unit,
        text: opts.text,
        dueAt: opts.due,
        reportEvery: opts.reportEvery,
      });
      const reportEveryMs = opts.reportEvery !== undefined ? parseDuration(opts.reportEvery) : undefined;
      if (opts.json)
        return printJson({
          ...added,
          dueAt: toCstIso(added.dueAt),
          ...(reportEveryMs ? { reportEvery: durationLabel(reportEveryMs) } : {}),
        });
      println(
        `已添加整改事项 ${added.workflowId}：${added.text}，时限 ${formatCst(added.dueAt)}${reportEveryMs ? `，每${durationLabel(reportEveryMs)}报告进展` : ''}`,
      );
    });

  item
    .command('status')
    .description('live status of a rectification item')
    .argument('<itemId>', 'the item (review:<…>:item-<n>)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) => {
      const itemId = validateWorkflowId(id);
      const client = await ctx.client();
      const s = await withReview(itemId, () => client.workflow.getHandle(itemId).query(itemStatusQuery));
      if (opts.json) return printJson(s);
      println(
        table(
          ['项目', '内容'],
          [
            ['整改事项', `${s.n}. ${s.text}`],
            ['责任单位', `${s.unit.name} (${s.unit.id})`],
            ['状态', label(s.state)],
            ['整改时限', `${formatCst(s.dueAt)}（r${s.revision}）`],
            ['下次进展报告', formatCst(s.nextProgressDueAt)],
            ['未按期报告进展', s.missedProgress.map((m) => formatCst(m)).join('\n') || '—'],
            ['延期申请', s.extensions.map((e) => `${formatCst(e.to)} ${e.decision} ${e.reason}`).join('\n') || '—'],
          ],
        ),
      );
      println(
        table(
          ['时间', '事件', '说明'],
          s.timeline.map((e) => [formatCst(e.at), e.type, e.detail]),
        ),
      );
    });

  const itemUpdate = (
    name: ItemAction,
    description: string,
    done: (o: Record<string, string>) => string,
    body: (o: Record<string, string>) => Record<string, string | undefined>,
    options: [string, string, boolean][],
  ) => {
    const c = item
      .command(name)
      .description(description)
      .argument('<itemId>', 'the item (review:<…>:item-<n>)')
      .option('--json', 'machine-readable output');
    for (const [flag, help, required] of options) {
      if (required) c.requiredOption(flag, help);
      else c.option(flag, help);
    }
    c.action(async (id: string, opts: Record<string, string> & { json?: boolean }) => {
      const itemId = validateWorkflowId(id);
      const { result } = await act(`item.${name}`, itemId, body(opts));
      if (opts.json) return printJson({ workflowId: itemId, result });
      println(`${done(opts)} ${itemId}`);
    });
  };

  itemUpdate(
    'progress',
    "report progress on an item (the owner unit's users, or an admin)",
    () => '已报告进展',
    (o) => ({ text: o.text }),
    [['--text <text>', 'the progress', true]],
  );
  itemUpdate(
    'request-extension',
    'ask for an extension (the owner unit)',
    () => '已提交延期申请',
    (o) => ({ to: o.to, reason: o.reason }),
    [
      ['--to <instant>', 'the new due instant, ISO-8601 with offset', true],
      ['--reason <reason>', 'why', true],
    ],
  );
  itemUpdate(
    'extend',
    'approve an extension / set a new due instant (admin)',
    (o) => `已延期至 ${formatCst(o.to)}`,
    (o) => ({ to: o.to, reason: o.reason }),
    [
      ['--to <instant>', 'the new due instant, ISO-8601 with offset', true],
      ['--reason <reason>', 'why (recorded, sent to the unit)', true],
    ],
  );
  itemUpdate(
    'refuse-extension',
    "refuse a unit's extension request (admin)",
    () => '已不予延期',
    (o) => ({ reason: o.reason }),
    [['--reason <reason>', 'why (recorded, sent to the unit)', true]],
  );
  itemUpdate(
    'rectified',
    'declare an item rectified, for acceptance (the owner unit)',
    () => '已报告整改完成',
    (o) => ({ text: o.text }),
    [['--text <text>', 'what was done', true]],
  );
  itemUpdate(
    'accept',
    'accept an item as rectified (销号, admin)',
    () => '已销号',
    () => ({}),
    [],
  );
  itemUpdate(
    'reject',
    'send an item back (admin), optionally with a new due instant',
    () => '已退回',
    (o) => ({ reason: o.reason, dueAt: o.due }),
    [
      ['--reason <reason>', 'why (recorded, sent to the unit)', true],
      ['--due <instant>', 'a new due instant for the rework', false],
    ],
  );
}
