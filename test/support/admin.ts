// Runs the admin command (deploy/admin/admin.ts) as `npm run admin` does: a process of its own, its output captured.
import { resolve } from 'node:path';
import { run, type CommandRun } from './command-run.ts';

const ADMIN = resolve(import.meta.dirname, '..', '..', 'deploy', 'admin', 'admin.ts');

export type AdminRun = CommandRun;

export const adminProcess = (args: string[], env: NodeJS.ProcessEnv = process.env): Promise<AdminRun> =>
  run(process.execPath, ['--no-node-snapshot', ADMIN, ...args], env);
