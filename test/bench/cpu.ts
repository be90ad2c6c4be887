// CPU time spent by each process of the stack (and by the bench itself) while a figure runs, from /proc (Linux):
// CPU per operation says which process a throughput limit comes from, however busy the machine is. `other` is
// what the rest of the machine used meanwhile: when it is large, every figure of that stretch is noisy.
import { readFileSync } from 'node:fs';

/** /proc counts in clock ticks, 100 per second on Linux. */
const TICK_MS = 10;

/** User + system CPU ms of a process (all its threads), or undefined when it cannot be read. */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces) start with the state; utime and stime follow.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

/**
 * CPU ms the whole machine spent in processes (every core). Interrupt time is left out: much of it is the
 * loopback traffic of the bench's own processes, which no process is charged for.
 */
function machineCpuMs(): number | undefined {
  try {
    const [, user = 0, nice = 0, system = 0] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
    return (user + nice + system) * TICK_MS;
  } catch {
    return undefined;
  }
}

export interface CpuSnapshot {
  processes: Map<string, number | undefined>;
  machine: number | undefined;
}

/** The CPU used so far by each named process (the bench process is added as `bench`) and by the machine. */
export function cpuSnapshot(pids: Record<string, number | undefined>): CpuSnapshot {
  const named = Object.entries({ ...pids, bench: process.pid });
  return { processes: new Map(named.map(([name, pid]) => [name, pid === undefined ? undefined : processCpuMs(pid)])), machine: machineCpuMs() };
}

/** CPU ms by process between two snapshots, plus `other`: the machine's busy time that none of them used. */
export function cpuSince(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const used: Record<string, number> = {};
  for (const [name, start] of before.processes) {
    const end = after.processes.get(name);
    if (start !== undefined && end !== undefined) used[name] = end - start;
  }
  if (before.machine !== undefined && after.machine !== undefined) {
    const ours = Object.values(used).reduce((a, b) => a + b, 0);
    used.other = Math.max(0, after.machine - before.machine - ours);
  }
  return used;
}

/** Runs `fn` and reports the CPU ms each process used meanwhile (see cpuSince). */
export async function withCpu<T>(pids: Record<string, number | undefined>, fn: () => Promise<T>): Promise<{ result: T; cpuMs: Record<string, number> }> {
  const before = cpuSnapshot(pids);
  const result = await fn();
  return { result, cpuMs: cpuSince(before, cpuSnapshot(pids)) };
}

/** CPU µs per operation, by process. */
export function perOperation(cpuMs: Record<string, number>, operations: number): Record<string, number> {
  return Object.fromEntries(Object.entries(cpuMs).map(([name, used]) => [name, Math.round((used * 1000) / Math.max(1, operations))]));
}

/** "controller 410 µs, invoker 380 µs, ... (total 1200 µs)"; `other` is shown apart and left out of the total. */
export function describeCpu(perOp: Record<string, number>): string {
  const { other, ...ours } = perOp;
  const total = Object.values(ours).reduce((a, b) => a + b, 0);
  const list = Object.entries(ours).map(([name, us]) => `${name} ${us} µs`).join(', ');
  return `${list} (total ${total} µs${other !== undefined ? `; other processes ${other} µs` : ''})`;
}
