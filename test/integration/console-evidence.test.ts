// 证明材料 through the real console (Temporal dev server, worker, SQLite, loopback HTTP): files posted
// with the submit form as multipart, stored once by their SHA-256, downloaded back byte-identical by
// those who may see the cycle (404 for anyone else), and every refusal before anything is written.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, BRANCH_CLERK, MARKET_CLERK, OPERATOR, startConsoleBackend, type ConsoleBackend } from '../support/console-backend';
import { sessionCookieFor } from '../support/accounts';
import { FsEvidenceStore, sha256Of } from '../../runtime/evidence-store';
import type { EvidenceLimits } from '../../client/service/evidence-files';
import { exeBytes, pdfBytes, pngBytes, xlsxBytes } from '../support/evidence-files';
import { runCli } from '../support/cli-process';

const LIMITS: EvidenceLimits = { maxFileBytes: 64 * 1024, maxTotalBytes: 100 * 1024, maxFiles: 3 };

let backend: ConsoleBackend;
let storeRoot: string;

beforeAll(async () => {
  storeRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'console-evidence-'));
  backend = await startConsoleBackend({
    taskQueue: 'console-evidence-it',
    temporalUiUrl: 'http://temporal-ui.test',
    evidence: { store: new FsEvidenceStore(storeRoot), limits: LIMITS },
  });
});

afterAll(async () => {
  await backend?.stop();
  if (storeRoot) fs.rmSync(storeRoot, { recursive: true, force: true });
});

const cyclePath = (id: string) => `/cycles/${encodeURIComponent(id)}`;

/** The files in the store, as <sha256> names. */
function storedHashes(): string[] {
  if (!fs.existsSync(storeRoot)) return [];
  return fs.readdirSync(storeRoot).flatMap((d) => fs.readdirSync(path.join(storeRoot, d)));
}

function form(fields: Record<string, string>, files: { name: string; bytes: Uint8Array; type?: string }[]): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  // The browser's Content-Type is deliberately wrong: only the bytes count.
  for (const f of files) fd.append('evidenceFiles', new Blob([f.bytes], { type: f.type ?? 'application/pdf' }), f.name);
  return fd;
}

async function postSubmit(workflowId: string, user: string | undefined, body: FormData | Uint8Array, contentType?: string) {
  const headers: Record<string, string> = { origin: new URL(backend.consoleApp.url).origin };
  if (user) headers.cookie = await sessionCookieFor(backend.db.prisma, user);
  if (contentType) headers['content-type'] = contentType;
  return fetch(`${backend.consoleApp.url}${cyclePath(workflowId)}/submit`, { method: 'POST', headers, body, redirect: 'manual' });
}

async function get(pathname: string, user: string) {
  return fetch(`${backend.consoleApp.url}${pathname}`, {
    headers: { cookie: await sessionCookieFor(backend.db.prisma, user) },
    redirect: 'manual',
  });
}

/** A multipart body of `size` bytes with a declared length, built by hand (fetch would not stream FormData with a length). */
function bigMultipart(size: number): { body: Uint8Array; type: string } {
  const boundary = 'evidence-test-boundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="reference"\r\n\r\nx\r\n--${boundary}\r\nContent-Disposition: form-data; name="evidenceFiles"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const filler = Buffer.alloc(size - head.length - tail.length, 0x41);
  return { body: new Uint8Array(Buffer.concat([head, filler, tail])), type: `multipart/form-data; boundary=${boundary}` };
}

describe('console: evidence files with a submission', () => {
  it('refuses a large body from someone not signed in before reading it (413), storing nothing', async () => {
    const { body, type } = bigMultipart(1024 * 1024);
    const res = await postSubmit(backend.openId, undefined, body, type);
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('请求内容过大（上限 256 KB）');
    expect(storedHashes()).toEqual([]);
  });

  it("holds another unit's clerk to the default limit (413), and refuses their small submit as for a cycle not theirs (404)", async () => {
    const { body, type } = bigMultipart(300 * 1024);
    expect((await postSubmit(backend.openId, BRANCH_CLERK, body, type)).status).toBe(413);
    const small = await postSubmit(
      backend.openId,
      BRANCH_CLERK,
      form({ reference: '秀综执〔2026〕1号' }, [{ name: 'a.pdf', bytes: pdfBytes() }]),
    );
    expect(small.status).toBe(404);
    expect(storedHashes()).toEqual([]);
  });

  it('refuses, by field and file in Chinese, a wrong type, a too big file, too many files and a body over the upload limit', async () => {
    const wrong = await postSubmit(
      backend.openId,
      MARKET_CLERK,
      form({ reference: '秀市监〔2026〕7号' }, [
        { name: 'ok.png', bytes: pngBytes() },
        { name: '报告.pdf', bytes: exeBytes() },
      ]),
    );
    expect(wrong.status).toBe(400);
    const page = await wrong.text();
    expect(page).toContain('证明材料文件“报告.pdf”的类型不被接受');
    expect(page).toContain('id="submit-evidenceFiles-error"');
    // What was typed is shown again.
    expect(page).toContain('value="秀市监〔2026〕7号"');

    const big = new Uint8Array(70 * 1024);
    big.set(pdfBytes());
    const tooBig = await postSubmit(backend.openId, MARKET_CLERK, form({ reference: 'x' }, [{ name: 'big.pdf', bytes: big }]));
    expect(tooBig.status).toBe(400);
    expect(await tooBig.text()).toContain('证明材料文件“big.pdf”过大');

    const many = Array.from({ length: 4 }, (_, i) => ({ name: `${i}.png`, bytes: pngBytes(i), type: 'image/png' }));
    const tooMany = await postSubmit(backend.openId, MARKET_CLERK, form({ reference: 'x' }, many));
    expect(tooMany.status).toBe(400);
    expect(await tooMany.text()).toContain('证明材料文件最多 3 个，本次选择了 4 个');

    const { body, type } = bigMultipart(400 * 1024);
    const overLimit = await postSubmit(backend.openId, MARKET_CLERK, body, type);
    expect(overLimit.status).toBe(413);
    expect(await overLimit.text()).toContain('请求内容过大（上限');

    expect(storedHashes()).toEqual([]);
    expect(await backend.db.prisma.evidenceFile.count()).toBe(0);
    const row = await backend.db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: backend.openId } });
    expect(row.state).toBe('open');
  });

  const pdf = pdfBytes('秀英区 2026 annual report');
  const png = pngBytes(7);
  let xlsx: Uint8Array;

  it("stores the unit clerk's files with the submission, lists them on the page and in the API, downloads them byte-identical", async () => {
    xlsx = await xlsxBytes();
    const res = await postSubmit(
      backend.openId,
      MARKET_CLERK,
      form({ reference: '秀市监〔2026〕8号', note: '附件三份' }, [
        { name: 'C:\\材料\\年度报告.pdf', bytes: pdf },
        { name: '现场照片.png', bytes: png, type: 'image/png' },
        { name: '统计表.xlsx', bytes: xlsx, type: 'application/octet-stream' },
      ]),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${cyclePath(backend.openId)}?done=submit`);

    const rows = await backend.db.prisma.evidenceFile.findMany({ where: { workflowId: backend.openId }, orderBy: { fileName: 'asc' } });
    expect(rows.map((r) => [r.fileName, r.mediaType, r.size, r.uploadedBy])).toEqual([
      ['年度报告.pdf', 'application/pdf', pdf.byteLength, MARKET_CLERK],
      ['现场照片.png', 'image/png', png.byteLength, MARKET_CLERK],
      ['统计表.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', xlsx.byteLength, MARKET_CLERK],
    ]);
    const submission = await backend.db.prisma.submission.findFirstOrThrow({ where: { workflowId: backend.openId } });
    expect(rows.every((r) => r.submittedAt.getTime() === submission.submittedAt.getTime())).toBe(true);
    expect(storedHashes().sort()).toEqual([sha256Of(pdf), sha256Of(png), sha256Of(xlsx)].sort());

    const page = await (await get(cyclePath(backend.openId), MARKET_CLERK)).text();
    expect(page).toContain('年度报告.pdf');
    expect(page).toContain(`${cyclePath(backend.openId)}/evidence/${sha256Of(xlsx)}`);
    expect(page).toContain('Excel');

    const api = (await (await get(`/api${cyclePath(backend.openId)}`, MARKET_CLERK)).json()) as {
      evidence: { fileName: string; sha256: string; url: string }[];
    };
    expect(api.evidence.map((e) => e.fileName).sort()).toEqual(['年度报告.pdf', '现场照片.png', '统计表.xlsx']);

    for (const [bytes, type, name] of [
      [pdf, 'application/pdf', '年度报告.pdf'],
      [xlsx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', '统计表.xlsx'],
    ] as const) {
      const dl = await get(`${cyclePath(backend.openId)}/evidence/${sha256Of(bytes)}`, MARKET_CLERK);
      expect(dl.status).toBe(200);
      expect(dl.headers.get('content-type')).toBe(type);
      expect(dl.headers.get('x-content-type-options')).toBe('nosniff');
      expect(dl.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent(name)}`);
      expect(dl.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(Buffer.from(await dl.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('lets those who see the cycle download (the district operator, an admin); 404 for another unit and for a file not of this cycle', async () => {
    const url = `${cyclePath(backend.openId)}/evidence/${sha256Of(png)}`;
    expect((await get(url, OPERATOR)).status).toBe(200);
    expect((await get(url, ADMIN)).status).toBe(200);
    const other = await get(url, BRANCH_CLERK);
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain('现场照片');
    // The overdue cycle has no files: the same hash under it is not found, even for an admin.
    expect((await get(`${cyclePath(backend.overdueId)}/evidence/${sha256Of(png)}`, ADMIN)).status).toBe(404);
    expect((await get(`${cyclePath(backend.openId)}/evidence/not-a-hash`, ADMIN)).status).toBe(404);
  });

  it('stores the same file handed in twice once: a second submission refers to the same bytes', async () => {
    const res = await postSubmit(
      backend.overdueId,
      ADMIN,
      form({ reference: '秀综执〔2026〕2号' }, [{ name: '同一份报告.pdf', bytes: pdf }]),
    );
    expect(res.status).toBe(303);
    const rows = await backend.db.prisma.evidenceFile.findMany({ where: { sha256: sha256Of(pdf) } });
    expect(rows.map((r) => r.workflowId).sort()).toEqual([backend.openId, backend.overdueId].sort());
    expect(storedHashes().filter((h) => h === sha256Of(pdf))).toHaveLength(1);
    expect(storedHashes()).toHaveLength(3);
    const dl = await get(`${cyclePath(backend.overdueId)}/evidence/${sha256Of(pdf)}`, BRANCH_CLERK);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-disposition')).toContain(encodeURIComponent('同一份报告.pdf'));
    expect(Buffer.from(await dl.arrayBuffer()).equals(Buffer.from(pdf))).toBe(true);
  });

  it("shows the files in the CLI's status, as a table and in --json", async () => {
    const vars = { TEMPORAL_ADDRESS: backend.env.address, TASK_QUEUE: backend.taskQueue, DATABASE_URL: backend.db.url };
    const human = await runCli(['status', backend.openId], vars);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('证明材料文件');
    expect(human.stdout).toMatch(/年度报告\.pdf.*PDF.*scjgj\.clerk/);
    expect(human.stdout).toContain(sha256Of(png).slice(0, 12));
    const json = await runCli(['status', backend.openId, '--json'], vars);
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout) as { evidence: { fileName: string; sha256: string; size: number }[] };
    expect(out.evidence.map((e) => [e.fileName, e.sha256, e.size]).sort()).toEqual(
      [
        ['年度报告.pdf', sha256Of(pdf), pdf.byteLength],
        ['现场照片.png', sha256Of(png), png.byteLength],
        ['统计表.xlsx', sha256Of(xlsx), xlsx.byteLength],
      ].sort(),
    );
  });
});
