// Checks for the programs the local stack needs, with a message that says how to get what is missing.
import { execFileSync } from 'node:child_process';

export interface Prerequisite {
  command: string;
  /** What to do when it is missing, e.g. "apt-get install redis-server". */
  hint: string;
}

export const JAVA: Prerequisite = { command: 'java', hint: 'install a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)' };
export const MAVEN: Prerequisite = { command: 'mvn', hint: 'install Apache Maven (Debian: apt-get install maven)' };
export const REDIS: Prerequisite = { command: 'redis-server', hint: 'install Redis (Debian: apt-get install redis-server)' };

export function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Throws one error naming every missing program and how to install it. */
export function requireCommands(...needed: Prerequisite[]): void {
  const missing = needed.filter((p) => !hasCommand(p.command));
  if (missing.length === 0) return;
  const lines = missing.map((p) => `  - ${p.command}: ${p.hint}`);
  throw new Error(`the local stack needs programs that are not on PATH:\n${lines.join('\n')}`);
}
