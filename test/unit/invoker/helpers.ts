// Helpers for the invoker runtime tests: condition waits, zip archives (the CLI's writer, stored or deflated
// entries), and archives made by the system's own `zip`/`tar` when present.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { zip } from '../../../cli/lib/zip.ts';
import type { ActionDoc } from '../../../shared/action-doc.ts';

/** Polls `condition` until it holds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A stored action document with plain defaults; `fields` replace them. */
export function actionDoc(fields: Partial<ActionDoc> = {}): ActionDoc {
  return {
    revision: 1,
    namespace: 'ns',
    name: 'a',
    exec: { kind: 'nodejs:default', code: 'function main() {}', binary: false },
    parameters: [],
    limits: { timeout: 1000, memory: 128, logs: 1, concurrency: 1 },
    version: '0.0.1',
    publish: false,
    annotations: [],
    updated: 0,
    ...fields,
  };
}

/** A zip archive of `files` (the CLI's writer); `deflate` picks the method of every entry. */
export function makeZip(files: Record<string, string>, deflate = true): Promise<Buffer> {
  const entries = Object.entries(files).map(([name, text]) => ({ name, data: Buffer.from(text, 'utf8'), modified: new Date() }));
  return zip(entries, deflate ? 'deflate' : 'store');
}

export { hasCommand } from '../../../deploy/local/prerequisites.ts';

/** Writes `files` into a temporary folder and archives it with the system tool (`zip -r` or `tar czf`). */
export function archiveWithSystemTool(kind: 'zip' | 'tar.gz', files: Record<string, string>): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'isowhisk-archive-'));
  try {
    const root = join(dir, 'root');
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, name)), { recursive: true });
      writeFileSync(join(root, name), text);
    }
    const out = join(dir, kind === 'zip' ? 'action.zip' : 'action.tgz');
    if (kind === 'zip') execFileSync('zip', ['-q', '-r', out, '.'], { cwd: root });
    else execFileSync('tar', ['czf', out, '.'], { cwd: root });
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
