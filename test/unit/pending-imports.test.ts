// The uploads waiting between a units import's preview and its confirm (client/service/units.ts).
import { describe, expect, it } from 'vitest';
import { PendingImports, uploadKey, type UploadedFile } from '../../client/service/units';

const file = (name: string, text: string): UploadedFile => ({ fileName: name, bytes: new TextEncoder().encode(text) });

function store(over: Partial<{ ttlMs: number; maxEntries: number; maxBytes: number }> = {}) {
  let t = 0;
  const pending = new PendingImports({ ttlMs: 1000, maxEntries: 3, maxBytes: 100, now: () => t, ...over });
  return { pending, advance: (ms: number) => (t += ms) };
}

describe('PendingImports', () => {
  it('keys an upload by its names and bytes: another name, another byte or another order is another key', () => {
    const a = file('units.csv', 'id\n1');
    expect(uploadKey([a])).toMatch(/^[0-9a-f]{64}$/);
    expect(uploadKey([file('units2.csv', 'id\n1')])).not.toBe(uploadKey([a]));
    expect(uploadKey([file('units.csv', 'id\n2')])).not.toBe(uploadKey([a]));
    const b = file('contacts.csv', 'x');
    expect(uploadKey([a, b])).not.toBe(uploadKey([b, a]));
    // Names and bytes cannot be shifted into one another.
    expect(uploadKey([file('ab', 'c')])).not.toBe(uploadKey([file('a', 'bc')]));
  });

  it('gives the files once, to the admin who uploaded them, until they expire', () => {
    const { pending, advance } = store();
    const key = pending.put('admin@a', [file('u.csv', 'x')]);
    expect(pending.take('admin@b', key)).toBeUndefined();
    expect(pending.take('admin@a', key)?.files[0]?.fileName).toBe('u.csv');
    expect(pending.take('admin@a', key)).toBeUndefined();
    const again = pending.put('admin@a', [file('u.csv', 'x')]);
    advance(1000);
    expect(pending.take('admin@a', again)).toBeUndefined();
  });

  it('holds at most maxEntries uploads and maxBytes, dropping the oldest', () => {
    const { pending } = store();
    const keys = ['1', '2', '3', '4'].map((n) => pending.put('a', [file(`${n}.csv`, n)]));
    expect(pending.take('a', keys[0]!)).toBeUndefined();
    expect(pending.take('a', keys[3]!)).toBeDefined();
    const big = store();
    const first = big.pending.put('a', [file('1.csv', 'x'.repeat(60))]);
    const second = big.pending.put('a', [file('2.csv', 'y'.repeat(60))]);
    expect(big.pending.take('a', first)).toBeUndefined();
    expect(big.pending.take('a', second)).toBeDefined();
  });
});
