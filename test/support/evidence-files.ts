// Small real files of each kind for the evidence tests, built here (no binary fixtures): a PDF, a PNG,
// a JPEG, an XLSX (exceljs), a DOCX and a plain zip (jszip, which exceljs writes its zips with), an old
// Office compound file header, a Windows executable header, HTML and SVG.
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';

export function pdfBytes(text = 'duty-ledger evidence'): Uint8Array {
  const body = `%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% ${text}\ntrailer << /Root 1 0 R >>\n%%EOF\n`;
  return new Uint8Array(Buffer.from(body, 'latin1'));
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typed) >>> 0);
  return Buffer.concat([len, typed, crc]);
}

/** A 1×1 RGB PNG (the colour makes different files). */
export function pngBytes(red = 200): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.from([0, red, 30, 30]);
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      pngChunk('IHDR', ihdr),
      pngChunk('IDAT', zlib.deflateSync(raw)),
      pngChunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

export function jpegBytes(): Uint8Array {
  // SOI, APP0 JFIF header, EOI: enough for a content sniffer, as a camera's file starts the same way.
  return new Uint8Array([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9,
  ]);
}

export async function xlsxBytes(): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('统计');
  ws.addRow(['单位', '案件数']);
  ws.addRow(['秀英区市场监督管理局', 12]);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

export async function docxBytes(): Promise<Uint8Array> {
  const zip = new JSZip();
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  );
  zip.file(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  );
  zip.file(
    'word/document.xml',
    '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
      '<w:body><w:p><w:r><w:t>法治政府建设年度报告</w:t></w:r></w:p></w:body></w:document>',
  );
  return new Uint8Array(await zip.generateAsync({ type: 'uint8array' }));
}

export async function plainZipBytes(): Promise<Uint8Array> {
  const zip = new JSZip();
  zip.file('readme.txt', 'not an office document');
  return new Uint8Array(await zip.generateAsync({ type: 'uint8array' }));
}

/** The 512-byte header of an OLE compound file (old .doc/.xls/.ppt, but also .msi). */
export function cfbBytes(): Uint8Array {
  const b = Buffer.alloc(1536);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(b, 0);
  b.writeUInt16LE(0x3e, 24); // minor version
  b.writeUInt16LE(0x03, 26); // major version 3
  b.writeUInt16LE(0xfffe, 28); // little-endian
  b.writeUInt16LE(9, 30); // 512-byte sectors
  b.writeUInt16LE(6, 32);
  return new Uint8Array(b);
}

/** A DOS/PE executable's start ("MZ" … "PE\0\0"). */
export function exeBytes(): Uint8Array {
  const b = Buffer.alloc(512);
  b.write('MZ', 0, 'ascii');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  return new Uint8Array(b);
}

export const htmlBytes = () => new Uint8Array(Buffer.from('<!DOCTYPE html><html><body><script>alert(1)</script></body></html>'));
export const svgBytes = () => new Uint8Array(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'));
