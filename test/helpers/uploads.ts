import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';

/** The start of a PDF: enough for content sniffing to call the file application/pdf. */
export const PDF_HEAD = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n');

const CRLF = '\r\n';

/** The bytes of a multipart body around one file: the fields and the file's headers, then the closing boundary. */
export function multipartFrame({ fields = {}, filename, contentType = 'application/octet-stream' }: { fields?: Record<string, string>; filename: string; contentType?: string }) {
  const boundary = `----aiddstream${randomBytes(8).toString('hex')}`;
  const parts = Object.entries(fields).map(([name, value]) => `--${boundary}${CRLF}Content-Disposition: form-data; name="${name}"${CRLF}${CRLF}${value}${CRLF}`);
  const head = Buffer.from(`${parts.join('')}--${boundary}${CRLF}Content-Disposition: form-data; name="file"; filename="${filename}"${CRLF}Content-Type: ${contentType}${CRLF}${CRLF}`);
  const tail = Buffer.from(`${CRLF}--${boundary}--${CRLF}`);
  return { head, tail, contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * A multipart upload of `size` bytes made as it is read (`start`, then a filler pattern), so the
 * sender never holds the file: `sha256()` gives the file's hash once the body has been read.
 * Without `content-length`, as a client streaming a file it has not measured would send it.
 * `onChunk` is called as each chunk of the file is made (with the bytes made so far).
 */
export function generatedUpload({ fields, filename, size, start = PDF_HEAD, chunkBytes = 64 * 1024, onChunk }: { fields?: Record<string, string>; filename: string; size: number; start?: Buffer; chunkBytes?: number; onChunk?: (sent: number) => void }) {
  const frame = multipartFrame({ fields, filename });
  const hash = createHash('sha256');
  const filler = Buffer.alloc(chunkBytes, 'evidence text, line after line of it.\n');
  let sent = 0;
  let stage: 'head' | 'file' | 'tail' | 'done' = 'head';
  const body = new Readable({
    read() {
      if (stage === 'head') {
        stage = 'file';
        this.push(frame.head);
      } else if (stage === 'file') {
        const chunk = sent === 0 ? Buffer.concat([start, filler]).subarray(0, Math.min(size, chunkBytes)) : filler.subarray(0, Math.min(size - sent, chunkBytes));
        sent += chunk.length;
        hash.update(chunk);
        if (sent >= size) stage = 'tail';
        onChunk?.(sent);
        this.push(Buffer.from(chunk));
      } else if (stage === 'tail') {
        stage = 'done';
        this.push(frame.tail);
      } else {
        this.push(null);
      }
    },
  });
  let digest: string | undefined;
  return { headers: { 'content-type': frame.contentType }, body, sha256: () => (digest ??= hash.digest('hex')) };
}

/** A multipart upload the test feeds by hand, to hold it open half-sent. */
export function trickledUpload({ fields, filename }: { fields?: Record<string, string>; filename: string }) {
  const frame = multipartFrame({ fields, filename });
  const body = new PassThrough();
  const hash = createHash('sha256');
  let size = 0;
  body.write(frame.head);
  return {
    headers: { 'content-type': frame.contentType },
    body,
    send: (bytes: Buffer) => {
      hash.update(bytes);
      size += bytes.length;
      body.write(bytes);
    },
    finish: () => {
      body.end(frame.tail);
      return { size, sha256: hash.digest('hex') };
    },
  };
}

/** Every file under a directory, hidden ones (temporary uploads) included. */
export function filesUnder(directory: string): Array<{ path: string; size: number }> {
  let entries: string[];
  try {
    entries = readdirSync(directory, { recursive: true }) as string[];
  } catch {
    return [];
  }
  return entries
    .map((entry) => path.join(directory, entry))
    .flatMap((file) => {
      try {
        const stat = statSync(file);
        return stat.isFile() ? [{ path: file, size: stat.size }] : [];
      } catch {
        return []; // renamed or removed while we looked
      }
    });
}

/** A blob directory of the test file's own, to count what is stored; removed with `remove()`. */
export function blobDirectory() {
  const dir = mkdtempSync(path.join(tmpdir(), 'aidd-test-blobs-'));
  return {
    dir,
    files: () => filesUnder(dir),
    bytes: () => filesUnder(dir).reduce((sum, f) => sum + f.size, 0),
    /** Removes every stored file (between tests), keeping the directories. */
    clear: () => filesUnder(dir).forEach((f) => rmSync(f.path, { force: true })),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
