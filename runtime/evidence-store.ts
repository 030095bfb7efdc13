// Where the bytes of evidence files (证明材料) live: content-addressed by SHA-256, so the same file
// handed in twice is stored once and a stored file cannot change under its name. The interface is what
// the console needs; FsEvidenceStore keeps them under <dataDir>/evidence, an object store can follow.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

export interface StoredEvidence {
  sha256: string;
  size: number;
}

export interface EvidenceStore {
  /** Stores the bytes (a no-op when they are there already); answers their hash and size. */
  put(bytes: Uint8Array): Promise<StoredEvidence>;
  has(sha256: string): Promise<boolean>;
  /** The stored bytes as a stream; null when there are none under this hash. */
  get(sha256: string): Promise<{ stream: Readable; size: number } | null>;
}

export const SHA256_SHAPE = /^[0-9a-f]{64}$/;

export const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export class FsEvidenceStore implements EvidenceStore {
  constructor(readonly root: string) {}

  private pathOf(sha256: string): string {
    if (!SHA256_SHAPE.test(sha256)) throw new Error(`not a SHA-256: "${sha256}"`);
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  async put(bytes: Uint8Array): Promise<StoredEvidence> {
    const sha256 = sha256Of(bytes);
    const target = this.pathOf(sha256);
    if (await this.has(sha256)) return { sha256, size: bytes.byteLength };
    await fsp.mkdir(path.dirname(target), { recursive: true });
    // Written beside its final name and renamed: a reader never sees half a file, and two writers of
    // the same bytes both end with the same complete file.
    const temp = `${target}.${randomUUID()}.tmp`;
    try {
      const handle = await fsp.open(temp, 'wx', 0o640);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsp.rename(temp, target);
    } catch (err) {
      await fsp.rm(temp, { force: true });
      throw err;
    }
    return { sha256, size: bytes.byteLength };
  }

  async has(sha256: string): Promise<boolean> {
    try {
      return (await fsp.stat(this.pathOf(sha256))).isFile();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  async get(sha256: string): Promise<{ stream: Readable; size: number } | null> {
    const file = this.pathOf(sha256);
    let size: number;
    try {
      size = (await fsp.stat(file)).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return { stream: fs.createReadStream(file), size };
  }
}
