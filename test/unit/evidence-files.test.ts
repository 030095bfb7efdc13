// Evidence files: the type read from the bytes (real small files built by test/support/evidence-files),
// names cleaned, limits refused by field and file in Chinese, and the content-addressed store.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkEvidence,
  contentDisposition,
  detectEvidenceType,
  EVIDENCE_FIELD,
  evidenceLimitsFromEnv,
  sanitizeFileName,
  type EvidenceLimits,
} from '../../client/service/evidence-files';
import { RefusalError } from '../../client/service/refusal';
import { FsEvidenceStore, sha256Of } from '../../runtime/evidence-store';
import {
  cfbBytes,
  docxBytes,
  exeBytes,
  htmlBytes,
  jpegBytes,
  pdfBytes,
  plainZipBytes,
  pngBytes,
  svgBytes,
  xlsxBytes,
} from '../support/evidence-files';

const LIMITS: EvidenceLimits = { maxFileBytes: 4096, maxTotalBytes: 6000, maxFiles: 3 };

async function refusalOf(p: Promise<unknown>): Promise<RefusalError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RefusalError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('detectEvidenceType', () => {
  it('accepts PDF, PNG, JPEG, XLSX and DOCX by their bytes', async () => {
    expect((await detectEvidenceType(pdfBytes(), 'a.pdf'))?.mediaType).toBe('application/pdf');
    expect((await detectEvidenceType(pngBytes(), 'a.png'))?.mediaType).toBe('image/png');
    expect((await detectEvidenceType(jpegBytes(), 'a.jpg'))?.mediaType).toBe('image/jpeg');
    expect((await detectEvidenceType(await xlsxBytes(), 'a.xlsx'))?.mediaType).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect((await detectEvidenceType(await docxBytes(), 'a.docx'))?.mediaType).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
  });

  it('goes by content, not by name: a PDF named .png is a PDF, an .exe named .pdf is refused', async () => {
    expect((await detectEvidenceType(pdfBytes(), 'scan.png'))?.mediaType).toBe('application/pdf');
    expect(await detectEvidenceType(exeBytes(), 'report.pdf')).toBeNull();
  });

  it('refuses a zip that is not an Office document, HTML and SVG', async () => {
    expect(await detectEvidenceType(await plainZipBytes(), 'report.docx')).toBeNull();
    expect(await detectEvidenceType(htmlBytes(), 'report.pdf')).toBeNull();
    expect(await detectEvidenceType(svgBytes(), 'chart.png')).toBeNull();
  });

  it('takes an OLE compound file as old Office only under a .doc/.xls/.ppt name', async () => {
    expect((await detectEvidenceType(cfbBytes(), '旧报告.doc'))?.mediaType).toBe('application/msword');
    expect((await detectEvidenceType(cfbBytes(), 'table.XLS'))?.mediaType).toBe('application/vnd.ms-excel');
    expect(await detectEvidenceType(cfbBytes(), 'setup.msi')).toBeNull();
  });
});

describe('sanitizeFileName', () => {
  it('keeps the last path part without control or bidi characters', () => {
    expect(sanitizeFileName('C:\\Users\\clerk\\年度报告.pdf')).toBe('年度报告.pdf');
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFileName('a\u0000b\r\n.pdf')).toBe('ab.pdf');
    expect(sanitizeFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(sanitizeFileName('...hidden.pdf')).toBe('hidden.pdf');
    expect(sanitizeFileName('  /  ')).toBe('证明材料');
  });

  it('shortens a long name to 120 characters, keeping the extension', () => {
    const name = sanitizeFileName(`${'报'.repeat(300)}.docx`);
    expect([...name]).toHaveLength(120);
    expect(name.endsWith('.docx')).toBe(true);
  });
});

describe('contentDisposition', () => {
  it('is an attachment with an ASCII fallback and the UTF-8 name (RFC 5987)', () => {
    expect(contentDisposition('年度报告 (终稿).pdf')).toBe(
      `attachment; filename="____ (__).pdf"; filename*=UTF-8''%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A%20%28%E7%BB%88%E7%A8%BF%29.pdf`,
    );
    expect(contentDisposition('a"b\\c.pdf')).toBe(`attachment; filename="a_b_c.pdf"; filename*=UTF-8''a%22b%5Cc.pdf`);
  });
});

describe('checkEvidence', () => {
  it('answers each accepted file with its type and cleaned name; skips the empty part of an unused input', async () => {
    const out = await checkEvidence(
      [
        { fileName: 'dir/a.pdf', bytes: pdfBytes() },
        { fileName: '', bytes: new Uint8Array() },
        { fileName: 'b.png', bytes: pngBytes() },
      ],
      LIMITS,
    );
    expect(out.map((f) => [f.fileName, f.mediaType])).toEqual([
      ['a.pdf', 'application/pdf'],
      ['b.png', 'image/png'],
    ]);
  });

  it('refuses by field and file: wrong type, too big, too many, too much together, empty', async () => {
    const wrong = await refusalOf(checkEvidence([{ fileName: 'virus.pdf', bytes: exeBytes() }], LIMITS));
    expect(wrong.refusal.field).toBe(EVIDENCE_FIELD);
    expect(wrong.refusal.zh).toContain('证明材料文件“virus.pdf”的类型不被接受');

    const big = new Uint8Array(5000);
    big.set(pdfBytes());
    const tooBig = await refusalOf(checkEvidence([{ fileName: 'big.pdf', bytes: big }], LIMITS));
    expect(tooBig.refusal.zh).toMatch(/证明材料文件“big\.pdf”过大/);

    const many = Array.from({ length: 4 }, (_, i) => ({ fileName: `${i}.png`, bytes: pngBytes(i) }));
    expect((await refusalOf(checkEvidence(many, LIMITS))).refusal.zh).toBe('证明材料文件最多 3 个，本次选择了 4 个');

    const half = new Uint8Array(3500);
    half.set(pdfBytes());
    const together = await refusalOf(
      checkEvidence(
        [
          { fileName: 'a.pdf', bytes: half },
          { fileName: 'b.pdf', bytes: half },
        ],
        LIMITS,
      ),
    );
    expect(together.refusal.zh).toContain('合计过大');

    const empty = await refusalOf(checkEvidence([{ fileName: 'empty.pdf', bytes: new Uint8Array() }], LIMITS));
    expect(empty.refusal.zh).toBe('证明材料文件“empty.pdf”是空文件');
  });

  it('reads its limits from the environment, refusing a bad value by name', () => {
    expect(evidenceLimitsFromEnv({ EVIDENCE_MAX_MB: '2', EVIDENCE_MAX_FILES: '4' })).toEqual({
      maxFileBytes: 2 * 1024 * 1024,
      maxTotalBytes: 50 * 1024 * 1024,
      maxFiles: 4,
    });
    expect(() => evidenceLimitsFromEnv({ EVIDENCE_MAX_MB: 'lots' })).toThrow(/EVIDENCE_MAX_MB/);
  });
});

describe('FsEvidenceStore', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-store-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('stores bytes under their SHA-256, once, with nothing left half-written', async () => {
    const store = new FsEvidenceStore(root);
    const bytes = pdfBytes('once');
    const first = await store.put(bytes);
    const second = await store.put(bytes);
    expect(first).toEqual({ sha256: sha256Of(bytes), size: bytes.byteLength });
    expect(second).toEqual(first);
    const dir = path.join(root, first.sha256.slice(0, 2));
    expect(fs.readdirSync(dir)).toEqual([first.sha256]);
    expect(await store.has(first.sha256)).toBe(true);
    const got = await store.get(first.sha256);
    expect(got?.size).toBe(bytes.byteLength);
    expect(await text(got!.stream)).toBe(Buffer.from(bytes).toString('latin1'));
  });

  it('knows nothing of other hashes and refuses what is not a hash (no path out of its folder)', async () => {
    const store = new FsEvidenceStore(root);
    expect(await store.has('0'.repeat(64))).toBe(false);
    expect(await store.get('0'.repeat(64))).toBeNull();
    await expect(store.get('../../etc/passwd')).rejects.toThrow(/not a SHA-256/);
  });
});
