// Whether a pid names a process that runs. `kill(pid, 0)` alone cannot tell: it succeeds for a zombie too (a
// process that exited but that its parent has not reaped yet), and a zombie serves nothing. On Linux the state
// letter in /proc/<pid>/stat tells them apart; elsewhere the signal check is all there is.
import { readFileSync } from 'node:fs';

export type ProcessState = 'running' | 'zombie' | 'gone';

/**
 * The state letter of a /proc/<pid>/stat line (`R`, `S`, `D`, `Z`, `X`, ...). The command name in parentheses may
 * itself hold spaces and parentheses, so the letter is read after the LAST `)`.
 */
export function procStatState(stat: string): string | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  return /^\s+(\S)/.exec(stat.slice(close + 1))?.[1];
}

function signalReaches(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function processState(pid: number): ProcessState {
  if (!signalReaches(pid)) return 'gone';
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    // No /proc (not Linux): the signal check is the answer. On Linux, a pid gone between the two checks.
    return (err as NodeJS.ErrnoException).code === 'ENOENT' && process.platform === 'linux' ? 'gone' : 'running';
  }
  const state = procStatState(stat);
  return state === 'Z' || state === 'X' ? 'zombie' : 'running';
}

/** A pid that runs: alive and not a zombie. */
export const isRunning = (pid: number): boolean => processState(pid) === 'running';
