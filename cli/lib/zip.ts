// A minimal zip writer for multi-file actions: `wsk action create name ./folder` zips the folder (deflate,
// node:zlib) and sends it base64-encoded, as OpenWhisk's nodejs runtime accepts zip actions. Only what a reader
// needs: local headers, the central directory and its end record (no zip64, so < 4 GB and < 65535 files).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Path inside the archive, with '/' separators. */
  name: string;
  data: Buffer;
  modified: Date;
}

/** MS-DOS date and time, the format zip headers use (two-second resolution, years 1980–2107). */
function dosDateTime(date: Date): { time: number; day: number } {
  const year = Math.min(Math.max(date.getFullYear(), 1980), 2107);
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    day: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

/**
 * The archive of `entries`. Each entry is deflated unless that does not make it smaller; `method` forces one
 * method for every entry (tests of zip readers use it to cover both).
 */
export function zip(entries: readonly ZipEntry[], method?: 'store' | 'deflate'): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const compressed = method === 'store' ? entry.data : deflateRawSync(entry.data);
    // Store instead of deflate when deflating does not help (already-compressed files).
    const stored = method === 'store' || (method === undefined && compressed.length >= entry.data.length);
    const body = stored ? entry.data : compressed;
    const methodCode = stored ? 0 : 8;
    const crc = crc32(entry.data);
    const { time, day } = dosDateTime(entry.modified);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0
    local.writeUInt16LE(0x0800, 6); // flags: names are UTF-8
    local.writeUInt16LE(methodCode, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(day, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // extra field length
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by: Unix, 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(methodCode, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(day, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    // extra, comment, disk number, internal attributes: 0
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
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
