// The zip writer for multi-file actions: `wsk action create name ./folder` zips the folder with yazl and sends it
// base64-encoded, as OpenWhisk's nodejs runtime accepts zip actions.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ZipFile } from 'yazl';

export interface ZipEntry {
  /** Path inside the archive, with '/' separators. */
  name: string;
  data: Buffer;
  modified: Date;
}

/** The archive of `entries`, deflated unless `method` is 'store' (tests of zip readers use it to cover both). */
export async function zip(entries: readonly ZipEntry[], method: 'store' | 'deflate' = 'deflate'): Promise<Buffer> {
  const archive = new ZipFile();
  for (const entry of entries) archive.addBuffer(entry.data, entry.name, { mtime: entry.modified, compress: method === 'deflate' });
  archive.end();
  const chunks: Buffer[] = [];
  for await (const chunk of archive.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Every regular file below `folder` (recursively, sorted, `.git` left out), as zip entries. */
export function folderEntries(folder: string): ZipEntry[] {
  const entries: ZipEntry[] = [];
  const walk = (dir: string): void => {
    for (const item of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (item.name === '.git') continue;
      const path = join(dir, item.name);
      if (item.isDirectory()) walk(path);
      else if (item.isFile() || (item.isSymbolicLink() && statSync(path).isFile())) {
        entries.push({ name: relative(folder, path).split(sep).join('/'), data: readFileSync(path), modified: statSync(path).mtime });
      }
    }
  };
  walk(folder);
  return entries;
}
