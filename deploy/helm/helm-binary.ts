// The pinned Helm the chart's tests run: deploy/helm/install-helm.sh builds it once into .cache/bin (from the Go
// module proxy) and prints its path; later calls return at once. `npm test`'s provision step and the chart test
// both call it, so a fresh clone needs no manual step.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../local/layout.ts';

const INSTALL_SCRIPT = join(PROJECT_ROOT, 'deploy', 'helm', 'install-helm.sh');

/** The path of the pinned helm binary, built first when missing or of another version. */
export async function ensureHelm(): Promise<string> {
  const child = spawn('bash', [INSTALL_SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const path = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || path === '') throw new Error(`deploy/helm/install-helm.sh failed (exit ${code}): see the lines above`);
  return path;
}
