import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * The number format that marks a cell as formula-like text: the built-in Text format (`@`, id 49).
 * exceljs (4.4) cannot write the cell style's `quotePrefix`, so `withQuotePrefix` adds it to every
 * cell style using this format once the file is written. Nothing else in our workbooks uses `@`.
 */
export const QUOTE_PREFIX_FORMAT = '@';
const QUOTE_PREFIX_FORMAT_ID = '49';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_DIRECTORY = 0x06054b50;
const DEFLATE = 8;
const DATA_DESCRIPTOR_FLAG = 0x8;

const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

// zlib.crc32 is Node 20.15 and later; the service runs on any Node 20 from 20.10.
function crc32(data: Buffer): number {
  let c = -1;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/**
 * The zip with the entry `name` replaced by `change(its text)`, every other entry's bytes kept. Each
 * entry is written again from its central directory record (sizes in the local header, no data
 * descriptor), so the offsets after the changed entry stay right. Small files only: no Zip64.
 */
function rewriteZipEntry(zip: Buffer, name: string, change: (text: string) => string): Buffer {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0 || zip.readUInt32LE(end) !== END_OF_DIRECTORY) throw new Error('not a zip file: no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const parts: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < count; i += 1) {
    if (zip.readUInt32LE(at) !== CENTRAL_HEADER) throw new Error('not a zip file: bad central directory');
    const nameLength = zip.readUInt16LE(at + 28);
    const central = Buffer.from(zip.subarray(at, at + 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32)));
    at += central.length;
    const localAt = central.readUInt32LE(42);
    const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
    let data = zip.subarray(dataAt, dataAt + central.readUInt32LE(20));
    if (central.toString('utf8', 46, 46 + nameLength) === name) {
      const before = central.readUInt16LE(10) === DEFLATE ? inflateRawSync(data) : data;
      const after = Buffer.from(change(before.toString('utf8')), 'utf8');
      data = deflateRawSync(after);
      central.writeUInt16LE(DEFLATE, 10);
      central.writeUInt32LE(crc32(after), 16);
      central.writeUInt32LE(data.length, 20);
      central.writeUInt32LE(after.length, 24);
    }
    central.writeUInt16LE(central.readUInt16LE(8) & ~DATA_DESCRIPTOR_FLAG, 8);
    central.writeUInt32LE(offset, 42);
    // A local header is the central record's fields from "version needed" to the name's length, then the name.
    const local = Buffer.alloc(30 + nameLength);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    central.copy(local, 4, 6, 30);
    central.copy(local, 30, 46, 46 + nameLength);
    parts.push(local, data);
    offset += local.length + data.length;
    directory.push(central);
  }
  const records = Buffer.concat(directory);
  const tail = Buffer.alloc(22);
  tail.writeUInt32LE(END_OF_DIRECTORY, 0);
  tail.writeUInt16LE(count, 8);
  tail.writeUInt16LE(count, 10);
  tail.writeUInt32LE(records.length, 12);
  tail.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, records, tail]);
}

/**
 * Sets `quotePrefix="1"` on the cell styles (`cellXfs`) that use the Text format, so Excel keeps
 * such a cell as text even when someone edits it, as a typed leading `'` would, without the `'`
 * being part of the value that a program reading the file gets.
 */
export function withQuotePrefix(xlsx: Buffer): Buffer {
  return rewriteZipEntry(xlsx, 'xl/styles.xml', (xml) =>
    xml.replace(/<cellXfs\b[\s\S]*?<\/cellXfs>/, (cellXfs) =>
      cellXfs.replace(new RegExp(`<xf (?=[^>]*\\bnumFmtId="${QUOTE_PREFIX_FORMAT_ID}")(?![^>]*\\bquotePrefix=)`, 'g'), '<xf quotePrefix="1" '),
    ),
  );
}
