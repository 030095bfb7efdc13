// The readable log line of `npm start` (LOG_FORMAT=pretty); production keeps pino's JSON.
import { describe, expect, it } from 'vitest';
import { prettyLine } from '../../runtime/logger';

describe('prettyLine', () => {
  it('prints time (UTC), level, message and the fields, without pino’s bookkeeping', () => {
    const line = JSON.stringify({
      level: 30,
      time: Date.UTC(2026, 11, 1, 14, 3, 4, 5),
      pid: 1,
      hostname: 'h',
      app: 'duty-ledger',
      msg: 'worker started',
      taskQueue: 'duty-ledger',
      n: 2,
    });
    expect(prettyLine(line)).toBe('14:03:04.005 INFO  worker started taskQueue=duty-ledger n=2\n');
  });

  it('adds an error’s stack on the next lines, and passes through what is not JSON', () => {
    const line = JSON.stringify({ level: 50, time: 0, msg: 'worker failed', err: { message: 'boom', stack: 'Error: boom\n    at x' } });
    expect(prettyLine(line)).toBe('00:00:00.000 ERROR worker failed\nError: boom\n    at x\n');
    expect(prettyLine('plain text\n')).toBe('plain text\n');
  });
});
