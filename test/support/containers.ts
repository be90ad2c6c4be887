// Podman for the image test (test/image/): builds Isowhisk's image through deploy/docker/build-image.sh and runs
// containers from it on the host network, each command through `podman --runtime runc` as this machine needs
// (deploy/docker/podman-host.sh says why).
import { resolve } from 'node:path';
import { run, type CommandRun } from './command-run.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const PODMAN = ['podman', '--runtime', 'runc'] as const;

export const podman = (args: readonly string[]): Promise<CommandRun> => run(PODMAN[0], [...PODMAN.slice(1), ...args]);

/** Like `podman`, but a non-zero exit rejects with the command's output. */
export async function podmanOk(args: readonly string[]): Promise<string> {
  const result = await podman(args);
  if (result.code !== 0) throw new Error(`podman ${args.join(' ')} exited with ${result.code}\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** Builds the image (and, once per machine, its local base image); resolves with its tag and the build's duration. */
export async function buildImage(): Promise<{ tag: string; seconds: number }> {
  const started = Date.now();
  const result = await run('bash', [resolve(ROOT, 'deploy', 'docker', 'build-image.sh')]);
  const tag = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.code !== 0 || tag === '') {
    throw new Error(`deploy/docker/build-image.sh exited with ${result.code}\n${result.stderr.split('\n').slice(-40).join('\n')}`);
  }
  return { tag, seconds: Math.round((Date.now() - started) / 1000) };
}

/** `-e NAME=value` for each variable. */
const envArgs = (env: Readonly<Record<string, string>>): string[] => Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);

/**
 * What a restrictive Kubernetes securityContext gives a pod: a read-only root filesystem with no tmpfs added, no
 * capabilities, no privilege gain. Health checks are not timed by podman (that needs systemd, which CI machines
 * may lack); the test runs them itself (`podman healthcheck run`).
 */
const RESTRICTED = ['--read-only', '--read-only-tmpfs=false', '--cap-drop=ALL', '--security-opt=no-new-privileges', '--health-interval=disable'];

/** Starts a container in the background on the host network, restricted (any earlier one of that name removed first). */
export async function startContainer(name: string, image: string, env: Readonly<Record<string, string>>, args: readonly string[]): Promise<void> {
  await removeContainers([name]);
  await podmanOk(['run', '-d', '--name', name, '--network', 'host', ...RESTRICTED, ...envArgs(env), image, ...args]);
}

/** Runs a container to its end (removed after) on the host network. */
export function runContainer(image: string, env: Readonly<Record<string, string>>, args: readonly string[]): Promise<CommandRun> {
  return podman(['run', '--rm', '--network', 'host', ...RESTRICTED, ...envArgs(env), image, ...args]);
}

export async function removeContainers(names: readonly string[]): Promise<void> {
  if (names.length > 0) await podmanOk(['rm', '--force', '--ignore', ...names]);
}

/** Whether the container runs now. */
export async function isRunning(name: string): Promise<boolean> {
  const result = await podman(['inspect', '--format', '{{.State.Running}}', name]);
  return result.code === 0 && result.stdout.trim() === 'true';
}

/** The container's last log lines, for error messages. */
export async function containerLogs(name: string, lines = 40): Promise<string> {
  const result = await podman(['logs', '--tail', String(lines), name]);
  return `${result.stdout}${result.stderr}`.trimEnd();
}
