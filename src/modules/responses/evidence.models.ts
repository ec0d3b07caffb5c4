/**
 * The kinds of evidence file a supplier may upload, by the type found in the content: each with
 * how a sentence names it and the extensions a file of that kind is usually given.
 */
export const EVIDENCE_TYPES: Record<string, { kind: string; extensions: string[] }> = {
  'application/pdf': { kind: 'a PDF', extensions: ['pdf'] },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { kind: 'a Word document', extensions: ['docx'] },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { kind: 'an Excel spreadsheet', extensions: ['xlsx'] },
  'application/vnd.oasis.opendocument.text': { kind: 'an OpenDocument text file', extensions: ['odt'] },
  'image/png': { kind: 'a PNG image', extensions: ['png'] },
  'image/jpeg': { kind: 'a JPEG image', extensions: ['jpg', 'jpeg'] },
  'text/plain': { kind: 'a plain text file', extensions: ['txt', 'text', 'md', 'log'] },
  'text/csv': { kind: 'a CSV file', extensions: ['csv'] },
};

/** How many files one question may carry; enough for a policy pack, few enough to read. */
export const MAX_FILES_PER_QUESTION = 20;

// Control characters (C0, DEL, C1) and the bidirectional controls that can make a name read other
// than it is: a right-to-left override shows `invoice\u202Efdp.exe` as "invoiceexe.pdf".
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const UNSAFE_IN_NAME = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c"]/g;

/** A file name safe to show and to send back in Content-Disposition: no path, no control or bidi control characters. */
export function cleanFilename(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(UNSAFE_IN_NAME, '').trim().slice(0, 200);
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'evidence' : cleaned;
}

/**
 * The content type of an upload, decided by its content. `detected` is what magic-number
 * detection found (undefined when it found nothing, as for text); `text` whether every byte was
 * UTF-8 with no NUL, the only content test text has, as it has no signature. Text is CSV when the
 * name says so, plain text otherwise. Returns null when the file is not of an allowed kind,
 * whatever its name claims.
 */
export function evidenceContentType({ detected, text, filename }: { detected: string | undefined; text: boolean; filename: string }): string | null {
  if (detected !== undefined) return detected in EVIDENCE_TYPES ? detected : null;
  if (!text) return null;
  return /\.csv$/i.test(filename) ? 'text/csv' : 'text/plain';
}

/**
 * A file's name as a person should read it: with what it really is when its name says otherwise
 * ("notes.pdf (a plain text file)"), since the type was decided by the content, not the name.
 */
export function filenameWithKind({ filename, contentType }: { filename: string; contentType: string }): string {
  const type = EVIDENCE_TYPES[contentType];
  const extension = /\.([^.]+)$/.exec(filename)?.[1]?.toLowerCase();
  return type && !(extension && type.extensions.includes(extension)) ? `${filename} (${type.kind})` : filename;
}
