import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { fileTypeFromStream } from 'file-type/node';
import { evidenceContentType } from './evidence.models';
import { evidenceErrors } from './responses.errors';

/**
 * Decides an upload's type while its bytes pass on to storage: magic-number detection reads from a
 * side stream fed with the same chunks (and holds the upload back only while it is reading), and
 * UTF-8 text is checked chunk by chunk. A file of a refused kind is stopped as soon as that is known,
 * so its bytes are not stored at all; `contentType()` gives the decision once every byte has passed.
 */
export function inspectContent({ filename }: { filename: string }) {
  const side = new PassThrough({ highWaterMark: 256 * 1024 });
  let settled = false;
  let detected: { mime: string; ext: string } | undefined;
  const detection = fileTypeFromStream(side)
    .then((result) => {
      detected = result;
    })
    .catch(() => undefined) // unreadable as any known kind: treated as no signature (then only text passes)
    .finally(() => {
      settled = true;
    });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let text = true;
  let sawBytes = false;

  const checkText = (chunk: Uint8Array, last: boolean) => {
    // Only a file with no signature can be text; once one is found, the check is wasted work.
    if (!text || detected !== undefined) return;
    try {
      if (chunk.includes(0)) text = false;
      else decoder.decode(chunk, { stream: !last });
    } catch {
      text = false;
    }
  };
  const refuseEarly = () => {
    if (!settled) return;
    const decided = evidenceContentType({ detected: detected?.mime, text, filename });
    // Text is only known to be text at the end; anything else is decided by its signature.
    if (decided === null && (detected !== undefined || !text)) throw evidenceErrors.unsupportedType(detected?.ext);
  };

  async function* pass(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
    try {
      for await (const chunk of body) {
        if (chunk.length === 0) continue;
        sawBytes = true;
        if (!settled && !side.destroyed && !side.write(chunk)) await Promise.race([once(side, 'drain'), detection]);
        checkText(chunk, false);
        refuseEarly();
        yield chunk;
      }
      if (!settled && !side.destroyed) side.end();
      await detection;
      checkText(new Uint8Array(0), true);
      refuseEarly();
    } finally {
      if (!side.destroyed) side.destroy();
    }
  }

  return {
    pass,
    /** The content type found, once the body has passed; an empty or refused file throws. */
    contentType: (): string => {
      if (!sawBytes) throw evidenceErrors.empty();
      const decided = evidenceContentType({ detected: detected?.mime, text, filename });
      if (!decided) throw evidenceErrors.unsupportedType(detected?.ext);
      return decided;
    },
  };
}
