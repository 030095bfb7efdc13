// Exit codes and the error type every command throws for an expected failure.

export const EXIT = {
  ok: 0,
  failure: 1,
  badInput: 2,
  notPermitted: 3,
  notFound: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  runtime failure (Temporal or the database unreachable, unexpected error)
  2  bad input (unknown duty, malformed period/instant/flag, rejected update)
  3  not permitted (no valid API token, or its account lacks the access the command needs)
  4  not found (no such workflow, schedule or unit)

The acting person is the account of the API token: --token <token>, else $DUTY_LEDGER_TOKEN, else (on the
embedded database of npm start) the demo admin token in data/cli-token.
Instants are shown in China Standard Time (Asia/Shanghai, +08:00).`;

/** An expected failure: printed as one line `error: <message>` and exits with `code`. */
export class CliError extends Error {
  constructor(
    readonly code: ExitCode,
    message: string,
    /** Extra lines printed after the error line (e.g. every problem of an import). */
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The exit code of a refusal, by its status: bad input 2, not permitted 3, not found 4, a backend not answering 1. */
export function exitOfStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return EXIT.notPermitted;
  if (status === 404) return EXIT.notFound;
  if (status >= 500) return EXIT.failure;
  return EXIT.badInput;
}
