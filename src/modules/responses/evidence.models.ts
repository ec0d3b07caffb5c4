/** The kinds of evidence file a supplier may upload, by the type found in the content. */
export const EVIDENCE_TYPES: Record<string, string> = {
  'application/pdf': 'PDF',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word document (DOCX)',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel spreadsheet (XLSX)',
  'application/vnd.oasis.opendocument.text': 'OpenDocument text (ODT)',
  'image/png': 'PNG image',
  'image/jpeg': 'JPEG image',
  'text/plain': 'Plain text (TXT)',
  'text/csv': 'CSV',
};

/** How many files one question may carry; enough for a policy pack, few enough to read. */
export const MAX_FILES_PER_QUESTION = 20;

/** A file name safe to show and to send back in Content-Disposition: no path, no control characters. */
export function cleanFilename(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const cleaned = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 200);
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'evidence' : cleaned;
}

/** True when the bytes are UTF-8 text with no NUL: the only content test text files allow. */
function isPlainText(bytes: Buffer): boolean {
  if (bytes.length === 0 || bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * The content type of an upload, decided by its content. `detected` is what magic-number
 * detection found (undefined when it found nothing, as for text). Text has no signature, so it is
 * accepted only when it decodes as UTF-8; it is CSV when the name says so, plain text otherwise.
 * Returns null when the file is not of an allowed kind, whatever its name claims.
 */
export function evidenceContentType({ detected, bytes, filename }: { detected: string | undefined; bytes: Buffer; filename: string }): string | null {
  if (detected !== undefined) return detected in EVIDENCE_TYPES ? detected : null;
  if (!isPlainText(bytes)) return null;
  return /\.csv$/i.test(filename) ? 'text/csv' : 'text/plain';
}
