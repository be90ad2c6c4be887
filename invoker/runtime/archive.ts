// Reads a binary action (base64 zip or tar.gz, as OpenWhisk's nodejs runtime accepts) into a map of
// source files, with node:zlib and no other dependency. Bounded: the declared and the actual
// uncompressed sizes both count against `maxTotalBytes`, so a zip bomb fails before it fills host memory.
// Only files the guest's CommonJS loader can use (.js, .cjs, .json) are kept.
import { crc32, gunzipSync, inflateRawSync } from 'node:zlib';

export type ArchiveType = 'zip' | 'tar.gz' | 'unsupported';

export interface ArchiveLimits {
  /** Upper bound for the sum of the kept files' uncompressed sizes (and for a tar.gz's whole tar stream). */
  maxTotalBytes: number;
  maxEntries?: number;
}

/** Source files by normalized path inside the archive ('index.js', 'lib/a.js', 'node_modules/x/package.json'). */
export type ArchiveFiles = Record<string, string>;

/** Raised for an unreadable archive; `message` is the runtime's text for the init failure. */
export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveError';
  }
}

const KEEP = /\.(?:js|cjs|json)$/;

/** The nodejs runtime's `detectFileType`: by the first four bytes. */
export function detectArchiveType(bytes: Uint8Array): ArchiveType {
  const magic = Buffer.from(bytes.subarray(0, 4)).toString('hex');
  if (magic === '504b0304') return 'zip';
  if (magic === '1f8b0808' || magic === '1f8b0800') return 'tar.gz';
  return 'unsupported';
}

/** Decodes base64 action code and reads it as the archive its first bytes announce. */
export function readArchive(base64: string, limits: ArchiveLimits): ArchiveFiles {
  const bytes = Buffer.from(base64, 'base64');
  switch (detectArchiveType(bytes)) {
    case 'zip':
      return readZip(bytes, limits);
    case 'tar.gz':
      return readTarGz(bytes, limits);
    case 'unsupported':
      throw new ArchiveError('There was an error uncompressing the action archive. The file type is unsupported');
  }
}

/** Archive paths are kept relative to the root; '.', empty and '..' segments are dropped. */
function normalizePath(name: string): string {
  const out: string[] = [];
  for (const part of name.replaceAll('\\', '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

class Budget {
  #left: number;
  readonly #failure: string;
  constructor(limits: ArchiveLimits, failure: string) {
    this.#left = limits.maxTotalBytes;
    this.#failure = failure;
  }
  take(bytes: number): void {
    this.#left -= bytes;
    if (this.#left < 0) throw new ArchiveError(`${this.#failure} The uncompressed action is too large.`);
  }
}

const ZIP_FAILURE = 'There was an error uncompressing the action Zip archive.';

export function readZip(zip: Buffer, limits: ArchiveLimits): ArchiveFiles {
  const fail = (detail: string): never => {
    throw new ArchiveError(`${ZIP_FAILURE} ${detail}`);
  };
  // End of central directory: 22 bytes plus a comment of up to 65535 bytes, at the very end.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('No end of central directory.');
  const entries = zip.readUInt16LE(eocd + 10);
  const directoryOffset = zip.readUInt32LE(eocd + 16);
  if (entries === 0xffff || directoryOffset === 0xffffffff) fail('ZIP64 archives are not supported.');
  if (entries > (limits.maxEntries ?? 100_000)) fail('Too many entries.');

  const budget = new Budget(limits, ZIP_FAILURE);
  const files: ArchiveFiles = {};
  let at = directoryOffset;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) fail('Corrupt central directory.');
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const expectedCrc = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const rawName = zip.subarray(at + 46, at + 46 + nameLength).toString((flags & 0x800) !== 0 ? 'utf8' : 'latin1');
    at += 46 + nameLength + extraLength + commentLength;

    const path = normalizePath(rawName);
    if (rawName.endsWith('/') || path === '' || !KEEP.test(path) || path.startsWith('__MACOSX/')) continue;
    if ((flags & 0x1) !== 0) fail(`Encrypted entry ${path}.`);
    if (localOffset + 30 > zip.length || zip.readUInt32LE(localOffset) !== 0x04034b50) fail(`Corrupt entry ${path}.`);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    if (data.length !== compressedSize) fail(`Truncated entry ${path}.`);

    budget.take(size);
    let content: Buffer;
    if (method === 0) content = data;
    else if (method === 8) {
      try {
        content = inflateRawSync(data, { maxOutputLength: Math.max(1, size) });
      } catch {
        return fail(`Entry ${path} does not inflate to its declared size.`);
      }
    } else return fail(`Entry ${path} uses unsupported compression method ${method}.`);
    if (content.length !== size) fail(`Entry ${path} does not inflate to its declared size.`);
    if (crc32(content) !== expectedCrc) fail(`Entry ${path} fails its CRC check.`);
    files[path] = content.toString('utf8');
  }
  return files;
}

const TAR_FAILURE = 'There was an error uncompressing the action Tar GZ archive.';

function tarString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}

/** ustar, with GNU long names ('L') and pax `path` records ('x'). */
export function readTarGz(gz: Buffer, limits: ArchiveLimits): ArchiveFiles {
  let tar: Buffer;
  try {
    tar = gunzipSync(gz, { maxOutputLength: Math.max(1024, limits.maxTotalBytes) });
  } catch {
    throw new ArchiveError(`${TAR_FAILURE} The archive is corrupt or too large.`);
  }
  const files: ArchiveFiles = {};
  let longName: string | undefined;
  let entries = 0;
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    if (++entries > (limits.maxEntries ?? 100_000)) throw new ArchiveError(`${TAR_FAILURE} Too many entries.`);
    const size = parseInt(tarString(header, 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) throw new ArchiveError(`${TAR_FAILURE} Corrupt header.`);
    const type = String.fromCharCode(header[156] ?? 0);
    const body = tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = tarString(body, 0, body.length);
      continue;
    }
    if (type === 'x') {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      if (path?.[1] !== undefined) longName = path[1];
      continue;
    }
    const prefix = tarString(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${tarString(header, 0, 100)}` : tarString(header, 0, 100));
    longName = undefined;
    if (type !== '0' && type !== '\0') continue; // directories, links, globals
    const path = normalizePath(name);
    if (path === '' || !KEEP.test(path)) continue;
    files[path] = body.toString('utf8');
  }
  return files;
}
