// The feed key (client/feeds/key.ts): from CALENDAR_FEED_KEY when set (a bad value names the
// variable), else one key file in the data folder, created once with mode 600 and then reused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FEED_KEY_FILE, FeedKeyError, loadFeedKey } from '../../client/feeds/key';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'feed-key-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('loadFeedKey', () => {
  it('reads 32 bytes as hex or base64 from CALENDAR_FEED_KEY and writes no file', () => {
    const dir = tmp();
    const hex = 'ab'.repeat(32);
    expect(loadFeedKey({ CALENDAR_FEED_KEY: hex }, dir).toString('hex')).toBe(hex);
    const b64 = Buffer.alloc(32, 7).toString('base64');
    expect(loadFeedKey({ CALENDAR_FEED_KEY: b64 }, dir)).toEqual(Buffer.alloc(32, 7));
    expect(loadFeedKey({ CALENDAR_FEED_KEY: Buffer.alloc(32, 9).toString('base64url') }, dir)).toEqual(Buffer.alloc(32, 9));
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses a key of the wrong size or form, naming the variable', () => {
    for (const bad of ['ab'.repeat(16), 'not a key', Buffer.alloc(16).toString('base64')]) {
      expect(() => loadFeedKey({ CALENDAR_FEED_KEY: bad }, tmp())).toThrow(FeedKeyError);
      expect(() => loadFeedKey({ CALENDAR_FEED_KEY: bad }, tmp())).toThrow(/^CALENDAR_FEED_KEY: expected 32 bytes/);
    }
  });

  it('creates the key file once (mode 600) and reads the same key back', () => {
    const dir = path.join(tmp(), 'data');
    const first = loadFeedKey({}, dir);
    expect(first).toHaveLength(32);
    const file = path.join(dir, FEED_KEY_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadFeedKey({ CALENDAR_FEED_KEY: '' }, dir)).toEqual(first);
    fs.writeFileSync(file, 'garbage\n');
    expect(() => loadFeedKey({}, dir)).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: expected 32 bytes`));
  });
});
