// Runs the admin command (deploy/admin/admin.ts) as `npm run admin` does: a process of its own, its output captured.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ADMIN = resolve(import.meta.dirname, '..', '..', 'deploy', 'admin', 'admin.ts');

export interface AdminRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function adminProcess(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<AdminRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--no-node-snapshot', ADMIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}
