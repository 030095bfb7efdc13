// Setup file for the unit-* projects (vitest.config.ts): fails fast if the project's TZ did not reach this process,
// which would silently turn the multi-timezone runs into three identical ones.
const expected = process.env.TZ;
const actual = Intl.DateTimeFormat().resolvedOptions().timeZone;
if (expected && actual !== expected && !(expected === 'UTC' && actual === 'Etc/UTC')) {
  throw new Error(`tz-guard: expected the test process to run in TZ=${expected}, but it runs in ${actual}`);
}
