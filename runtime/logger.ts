// The process logger (pino). LOG_FORMAT=json (the default: one JSON object a line, for a log
// collector) or pretty (a readable line: time, level, message, fields; what `npm start` sets).
// LOG_LEVEL as pino's (default info).
import pino from 'pino';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** Formats one pino JSON line as `12:34:56.789 INFO  message key=value …`. */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { level, time, msg, app: _app, pid: _pid, hostname: _hostname, err, ...fields } = entry;
  const at = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
  const name = (LEVELS[level as number] ?? String(level)).padEnd(5);
  const rest = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const error =
    err && typeof err === 'object' ? `\n${String((err as { stack?: string }).stack ?? (err as { message?: string }).message)}` : '';
  return `${at} ${name} ${String(msg ?? '')}${rest ? ` ${rest}` : ''}${error}\n`;
}

function destination(): pino.DestinationStream | undefined {
  if (process.env.LOG_FORMAT !== 'pretty') return undefined;
  return { write: (line: string) => void process.stdout.write(prettyLine(line)) };
}

const dest = destination();
// Robot credentials (db/robot-channels.ts) never reach a log line, whatever object carries them.
export const REDACTED_PATHS = ['token', 'secret', 'access_token', '*.token', '*.secret', '*.access_token', 'creds', '*.creds'];
const options: pino.LoggerOptions = {
  level: process.env.LOG_LEVEL ?? 'info',
  base: { app: 'duty-ledger' },
  redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
};

export const logger = dest ? pino(options, dest) : pino(options);
