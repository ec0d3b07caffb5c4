import { createHash } from 'node:crypto';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createFileBlobStorage, createUploadSlots, readBlob } from '../../../src/platform/storage';
import { blobDirectory } from '../../helpers/uploads';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const store = blobDirectory();
afterAll(() => store.remove());

describe('blob storage as files', () => {
  beforeEach(() => store.clear());

  it('stores a streamed body under a fan-out directory, with its size and SHA-256, and gives the same bytes back', async () => {
    const storage = createFileBlobStorage({ directory: store.dir });
    const bytes = Buffer.from('a'.repeat(200_000) + 'the end');
    async function* body() {
      yield bytes.subarray(0, 100_000);
      yield bytes.subarray(100_000);
    }
    expect(await storage.put({ key: 'evidence/org-1/abcdef12', body: body() })).toEqual({ sizeBytes: bytes.length, sha256: sha256(bytes) });
    expect(store.files().map((f) => path.relative(store.dir, f.path))).toEqual([path.join('evidence', 'org-1', 'ab', 'abcdef12')]);
    const content = await storage.get({ key: 'evidence/org-1/abcdef12' });
    expect(content?.sizeBytes).toBe(bytes.length);
    content?.body.destroy();
    expect((await readBlob(storage, 'evidence/org-1/abcdef12'))?.equals(bytes)).toBe(true);

    await storage.remove({ key: 'evidence/org-1/abcdef12' });
    expect(await storage.get({ key: 'evidence/org-1/abcdef12' })).toBeUndefined();
    await expect(storage.remove({ key: 'evidence/org-1/abcdef12' })).resolves.toBeUndefined();
    expect(store.files()).toEqual([]);
  });

  it('leaves nothing, not even its temporary file, when the body fails part-way', async () => {
    const storage = createFileBlobStorage({ directory: store.dir });
    let written = 0;
    async function* failing() {
      yield Buffer.alloc(300_000, 1);
      written = store.bytes(); // what had reached the disk by then
      throw new Error('the client went away');
    }
    await expect(storage.put({ key: 'evidence/org-1/failed', body: failing() })).rejects.toThrow('the client went away');
    expect(written).toBe(300_000);
    expect(store.files()).toEqual([]);
    expect(await storage.get({ key: 'evidence/org-1/failed' })).toBeUndefined();
  });

  it('refuses a key that could leave its directory', async () => {
    const storage = createFileBlobStorage({ directory: store.dir });
    for (const key of ['../outside', 'evidence/../../outside', '/absolute', 'evidence//x', 'evidence/.hidden']) {
      await expect(storage.put({ key, body: Buffer.from('x') }), key).rejects.toThrow('invalid blob key');
    }
    expect(store.files()).toEqual([]);
  });

  it('clears temporary files left by a crash an hour ago at start, and keeps recent ones', () => {
    const temporary = path.join(store.dir, '.tmp');
    mkdirSync(temporary, { recursive: true });
    writeFileSync(path.join(temporary, 'old.part'), 'x');
    writeFileSync(path.join(temporary, 'new.part'), 'x');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(path.join(temporary, 'old.part'), twoHoursAgo, twoHoursAgo);
    createFileBlobStorage({ directory: store.dir });
    expect(store.files().map((f) => path.basename(f.path))).toEqual(['new.part']);
  });

  it('refuses a directory on a virtual file system at start, where creating it could hang', () => {
    expect(() => createFileBlobStorage({ directory: '/proc/aidd-test/blobs' })).toThrow('virtual file system');
  });
});

describe('upload slots', () => {
  it('refuses past the per-key limit first, then past the total, and frees a slot once (however often it is released)', () => {
    const slots = createUploadSlots({ perKey: 2, total: 3 });
    const a1 = slots.take({ key: 'a' });
    const a2 = slots.take({ key: 'a' });
    expect(slots.take({ key: 'a' })).toEqual({ refused: 'key' });
    const b1 = slots.take({ key: 'b' });
    expect(slots.take({ key: 'c' })).toEqual({ refused: 'total' });
    expect(slots.inFlight()).toBe(3);
    if (!('release' in a1) || !('release' in a2) || !('release' in b1)) throw new Error('expected slots');
    a1.release();
    a1.release();
    expect(slots.inFlight()).toBe(2);
    expect('release' in slots.take({ key: 'c' })).toBe(true);
    expect(slots.take({ key: 'd' })).toEqual({ refused: 'total' });
  });
});
