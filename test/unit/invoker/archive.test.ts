import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import { ArchiveError, readArchive, readTarGz, readZip } from '../../../invoker/runtime/archive.ts';
import { makeZip } from './helpers.ts';

const MiB = 1024 * 1024;

/** A tar.gz of `files` written by tar-stream (an independent writer). */
async function makeTarGz(files: Record<string, string>): Promise<Buffer> {
  const pack = tarPack();
  for (const [name, text] of Object.entries(files)) pack.entry({ name }, text);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as AsyncIterable<Buffer>) chunks.push(chunk);
  return gzipSync(Buffer.concat(chunks));
}

/** Rewrites every central-directory record's uncompressed size (offset 24), as a lying archive would. */
function declareSize(zip: Buffer, size: number): Buffer {
  const out = Buffer.from(zip);
  for (let at = out.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at >= 0; at = out.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4)) {
    out.writeUInt32LE(size, at + 24);
  }
  return out;
}

async function refusal(reading: Promise<unknown>): Promise<string> {
  const error = await reading.then(
    () => assert.fail('the archive was read'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ArchiveError, String(error));
  return error.message;
}

describe('action archives', () => {
  it('reads a zip: kept files by path, other files skipped', async () => {
    const zip = await makeZip({ 'index.js': 'exports.main = 1', 'lib/a.js': 'a', 'lib/data.json': '{}', 'README.md': 'skip', '__MACOSX/x.js': 'skip' });
    assert.deepEqual(await readZip(zip, { maxTotalBytes: MiB }), { 'index.js': 'exports.main = 1', 'lib/a.js': 'a', 'lib/data.json': '{}' });
  });

  it('reads a tar.gz written by another tool, long names included', async () => {
    const long = `${'d'.repeat(120)}/deep.js`;
    const tgz = await makeTarGz({ 'index.js': 'exports.main = 1', [long]: 'deep', 'notes.txt': 'skip' });
    assert.deepEqual(await readArchive(tgz.toString('base64'), { maxTotalBytes: MiB }), { 'index.js': 'exports.main = 1', [long]: 'deep' });
  });

  it('refuses a zip whose declared sizes pass the cap, before inflating', async () => {
    const zip = await makeZip({ 'index.js': 'x', 'big.js': 'y'.repeat(2 * MiB) });
    assert.match(await refusal(readZip(zip, { maxTotalBytes: MiB })), /Zip archive\. The uncompressed action is too large\.$/);
  });

  it('refuses a zip bomb that lies about its sizes: inflation stops at the declared size', async () => {
    // 64 MiB of zeros deflates to about 64 KiB; the central directory claims 10 bytes.
    const bomb = declareSize(await makeZip({ 'index.js': '\0'.repeat(64 * MiB) }), 10);
    assert.ok(bomb.length < MiB);
    assert.match(await refusal(readZip(bomb, { maxTotalBytes: 128 * MiB })), /^There was an error uncompressing the action Zip archive\. /);
  });

  it('refuses a zip with more entries than allowed', async () => {
    const files = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}.js`, '']));
    assert.match(await refusal(readZip(await makeZip(files), { maxTotalBytes: MiB, maxEntries: 10 })), /Too many entries\.$/);
  });

  it('refuses a zip whose content fails its CRC', async () => {
    const zip = await makeZip({ 'index.js': 'exports.main = 1' }, false);
    const at = zip.indexOf('exports.main');
    zip[at] = 'E'.charCodeAt(0);
    assert.match(await refusal(readZip(zip, { maxTotalBytes: MiB })), /fails its CRC check\.$/);
  });

  it('refuses a corrupt zip with the runtime text', async () => {
    const zip = (await makeZip({ 'index.js': 'x' })).subarray(0, 40);
    assert.match(await refusal(readZip(zip, { maxTotalBytes: MiB })), /^There was an error uncompressing the action Zip archive\./);
  });

  it('refuses a tar.gz bomb: the inflated stream stops at the cap', async () => {
    const tgz = await makeTarGz({ 'index.js': '\0'.repeat(32 * MiB) });
    assert.ok(tgz.length < MiB);
    assert.match(await refusal(readTarGz(tgz, { maxTotalBytes: MiB })), /Tar GZ archive\. The uncompressed action is too large\.$/);
  });

  it('refuses a tar.gz with more entries than allowed, and a corrupt one', async () => {
    const files = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}.js`, '']));
    assert.match(await refusal(readTarGz(await makeTarGz(files), { maxTotalBytes: MiB, maxEntries: 10 })), /Too many entries\.$/);
    const corrupt = (await makeTarGz({ 'index.js': 'x' })).subarray(0, 30);
    assert.match(await refusal(readTarGz(corrupt, { maxTotalBytes: MiB })), /^There was an error uncompressing the action Tar GZ archive\./);
  });
});
