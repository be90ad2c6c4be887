// Reads a binary action (base64 zip or tar.gz, as OpenWhisk's nodejs runtime accepts) into a map of source files.
// The archive is untrusted: it is read by maintained parsers (yauzl for zip, tar-stream for tar) and inflated by
// node:zlib's streams, which run on libuv's thread pool rather than the event loop. Every byte is counted as it is
// inflated: the sum of the kept files (zip) or the whole tar stream (tar.gz) may not pass `maxTotalBytes`, and the
// entry count may not pass `maxEntries`, so a zip bomb stops at the cap instead of filling host memory.
// Only files the guest's CommonJS loader can use (.js, .cjs, .json) are kept.
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, crc32 } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import yauzl from 'yauzl';

export type ArchiveType = 'zip' | 'tar.gz' | 'unsupported';

export interface ArchiveLimits {
  /** Upper bound for the sum of the kept files' uncompressed sizes (and for a tar.gz's whole tar stream). */
  maxTotalBytes: number;
  /** Upper bound for the entries of the archive, kept or not. Default `DEFAULT_MAX_ARCHIVE_ENTRIES`. */
  maxEntries?: number;
}

export const DEFAULT_MAX_ARCHIVE_ENTRIES = 100_000;

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
const ZIP_FAILURE = 'There was an error uncompressing the action Zip archive.';
const TAR_FAILURE = 'There was an error uncompressing the action Tar GZ archive.';

/** The nodejs runtime's `detectFileType`: by the first four bytes. */
export function detectArchiveType(bytes: Uint8Array): ArchiveType {
  const magic = Buffer.from(bytes.subarray(0, 4)).toString('hex');
  if (magic === '504b0304') return 'zip';
  if (magic === '1f8b0808' || magic === '1f8b0800') return 'tar.gz';
  return 'unsupported';
}

/** Decodes base64 action code and reads it as the archive its first bytes announce. */
export async function readArchive(base64: string, limits: ArchiveLimits): Promise<ArchiveFiles> {
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

function keep(path: string): boolean {
  return path !== '' && KEEP.test(path) && !path.startsWith('__MACOSX/');
}

/** What is left of the inflated-bytes allowance; `take` throws the archive's "too large" text once it is spent. */
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

function checkEntries(count: number, limits: ArchiveLimits, failure: string): void {
  if (count > (limits.maxEntries ?? DEFAULT_MAX_ARCHIVE_ENTRIES)) throw new ArchiveError(`${failure} Too many entries.`);
}

/** Reads a stream to its end, charging every chunk to `budget` before it is kept. */
async function collect(stream: Readable, budget: Budget): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      budget.take(chunk.length);
      chunks.push(chunk);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks);
}

export async function readZip(zip: Buffer, limits: ArchiveLimits): Promise<ArchiveFiles> {
  const fail = (detail: string): never => {
    throw new ArchiveError(`${ZIP_FAILURE} ${detail}`);
  };
  let archive: yauzl.ZipFile;
  try {
    // decodeStrings: false keeps names as bytes, so a name with '..' is normalized below rather than refused.
    archive = await yauzl.fromBufferPromise(zip, { lazyEntries: true, validateEntrySizes: true, decodeStrings: false });
  } catch (error) {
    return fail(`${(error as Error).message}.`);
  }
  try {
    checkEntries(archive.entryCount, limits, ZIP_FAILURE);
    const budget = new Budget(limits, ZIP_FAILURE);
    const files: ArchiveFiles = {};
    for await (const entry of archive.eachEntry()) {
      const raw = entry.fileName as unknown as Buffer; // a Buffer with decodeStrings: false
      const name = raw.toString((entry.generalPurposeBitFlag & 0x800) !== 0 ? 'utf8' : 'latin1');
      const path = normalizePath(name);
      if (name.endsWith('/') || !keep(path)) continue;
      if (entry.isEncrypted()) fail(`Encrypted entry ${path}.`);
      if (!entry.canDecodeFileData()) fail(`Entry ${path} uses unsupported compression method ${entry.compressionMethod}.`);
      budget.take(entry.uncompressedSize); // the declared size, before anything is inflated
      let content: Buffer;
      try {
        // The declared size was charged; collect charges the actual bytes to a budget of exactly that size.
        content = await collect(await archive.openReadStreamPromise(entry), new Budget({ maxTotalBytes: entry.uncompressedSize }, ZIP_FAILURE));
      } catch (error) {
        if (error instanceof ArchiveError) return fail(`Entry ${path} does not inflate to its declared size.`);
        return fail(`Entry ${path} is corrupt: ${(error as Error).message}.`);
      }
      // yauzl checks the sizes; the CRC is ours to check.
      if (crc32(content) !== entry.crc32) fail(`Entry ${path} fails its CRC check.`);
      files[path] = content.toString('utf8');
    }
    return files;
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    return fail(`${(error as Error).message}.`);
  } finally {
    archive.close();
  }
}

/** ustar, GNU and pax tar inside gzip; regular files only (directories, links and globals are skipped). */
export async function readTarGz(gz: Buffer, limits: ArchiveLimits): Promise<ArchiveFiles> {
  const budget = new Budget(limits, TAR_FAILURE);
  const gunzip = createGunzip();
  const extract = tarExtract();
  const files: ArchiveFiles = {};
  let entries = 0;
  // Every inflated byte of the tar stream (headers and skipped entries too) counts against the budget.
  gunzip.on('data', (chunk: Buffer) => {
    try {
      budget.take(chunk.length);
    } catch (error) {
      gunzip.destroy(error as Error);
    }
  });
  const reading = (async () => {
    for await (const entry of extract) {
      checkEntries(++entries, limits, TAR_FAILURE);
      const path = normalizePath(entry.header.name);
      if (entry.header.type !== 'file' || !keep(path)) {
        entry.resume();
        await once(entry, 'end');
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
      files[path] = Buffer.concat(chunks).toString('utf8');
    }
  })();
  try {
    await Promise.all([pipeline([gz], gunzip, extract), reading]);
  } catch (error) {
    gunzip.destroy();
    extract.destroy();
    await reading.catch(() => {});
    if (error instanceof ArchiveError) throw error;
    throw new ArchiveError(`${TAR_FAILURE} The archive is corrupt.`);
  }
  return files;
}
