// 节假日安排 through the service: loading a year's State Council arrangement (admins; the CLI's `calendar
// load` takes a file path, the console an upload), then correcting the running cycles whose deadline was
// provisional on that year (client/provisional-correction.ts). Both steps are audited.
import { CalendarFileError, installArrangementText, type InstallResult } from '../../runtime/calendar-store';
import { yearsNeededByOpenCycles } from '../../db/provisional-cycles';
import { correctProvisionalCycles, type CorrectionReport } from '../provisional-correction';
import { audited, requireAdmin, workflowActor, type Call, type ServiceDeps } from './context';
import { RefusalError } from './refusal';

/** An arrangement file refused, with every problem (file, field, reason) in Chinese for the page. */
export class ArrangementRefused extends RefusalError {
  constructor(
    readonly problemsZh: string[],
    problems: string[],
  ) {
    super({ field: 'file', code: 'invalid', zh: `节假日安排文件有误，未载入：${problemsZh.join('；')}`, message: problems.join('; ') });
  }
}

export interface ArrangementLoad {
  result: InstallResult;
  correction: CorrectionReport;
}

/** Validates and installs an uploaded arrangement (all or nothing), then corrects the cycles provisional on its year. */
export async function loadArrangement(
  deps: ServiceDeps,
  call: Call,
  upload: { fileName: string; text: string },
  dirs: { shipped?: string; installed?: string } = {},
): Promise<ArrangementLoad> {
  const actor = await requireAdmin(deps, call, 'calendar.load', upload.fileName, '载入节假日安排', 'load a holiday arrangement');
  const result = await audited(deps, call, actor, 'calendar.load', upload.fileName, { file: upload.fileName }, async () => {
    try {
      return installArrangementText(upload.fileName, upload.text, dirs);
    } catch (e) {
      if (e instanceof CalendarFileError) throw new ArrangementRefused(e.problemsZh, e.problems);
      throw e;
    }
  });
  let correction: CorrectionReport = { year: result.year, corrected: 0, moved: 0, skipped: 0, failed: 0, cycles: [] };
  // Only asks Temporal when some running cycle waits for this year.
  if ((await yearsNeededByOpenCycles(deps.prisma)).some((w) => w.year === result.year)) {
    correction = await audited(deps, call, actor, 'calendar.correct-provisional', String(result.year), {}, () =>
      correctProvisionalCycles({ client: deps.client, prisma: deps.prisma, year: result.year, actor: workflowActor(actor) }),
    );
  }
  return { result, correction };
}
