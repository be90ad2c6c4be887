// Refuses to run action code on an isolated-vm with the guest-to-host escape GHSA-864f-rcv7-6rh4
// (isolated-vm ≤ 7.0.0: guest code holding one ivm.Reference can corrupt host memory through
// ExternalCopy's transferList). The project runs on Node 24, whose only fixed line is 7.0.1 and later;
// the 6.2.0 fix is for Node 22 and is not accepted here.
import { createRequire } from 'node:module';

export const ADVISORY_ID = 'GHSA-864f-rcv7-6rh4';
export const MIN_PATCHED_VERSION = '7.0.1';

interface SemVer {
  core: [number, number, number];
  prerelease: string[];
}

function parseSemVer(version: string): SemVer | undefined {
  const m = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/.exec(
    version.trim(),
  );
  if (!m) return undefined;
  return {
    core: [Number(m[1]), Number(m[2]), Number(m[3])],
    prerelease: m[4] === undefined ? [] : m[4].split('.'),
  };
}

/** Semver precedence (build metadata ignored): negative when a < b, 0 when equal, positive when a > b. */
function compareSemVer(a: SemVer, b: SemVer): number {
  for (let i = 0; i < 3; i++) {
    const d = (a.core[i] ?? 0) - (b.core[i] ?? 0);
    if (d !== 0) return d;
  }
  // A release ranks above any of its prereleases.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length;
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xNum = /^\d+$/.test(x);
    const yNum = /^\d+$/.test(y);
    if (xNum && yNum) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    } else if (xNum !== yNum) {
      return xNum ? -1 : 1; // numeric identifiers rank below alphanumeric ones
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

/** True when `version` is a valid semver at or above 7.0.1 (so 7.0.1-rc.1 and 7.0.0 are not; 7.1.0-beta.1 is). */
export function isPatchedVersion(version: string): boolean {
  const v = parseSemVer(version);
  const min = parseSemVer(MIN_PATCHED_VERSION);
  return v !== undefined && min !== undefined && compareSemVer(v, min) >= 0;
}

/** The version of the isolated-vm package that `import ivm from 'isolated-vm'` loads. */
export function installedIsolatedVmVersion(): string {
  const require = createRequire(import.meta.url);
  const pkg: unknown = require('isolated-vm/package.json');
  const version = typeof pkg === 'object' && pkg !== null ? (pkg as { version?: unknown }).version : undefined;
  return typeof version === 'string' ? version : 'unknown';
}

/** Throws unless the installed isolated-vm carries the fix for GHSA-864f-rcv7-6rh4. Call before creating any isolate. */
export function assertPatchedIsolatedVm(version: string = installedIsolatedVmVersion()): void {
  if (!isPatchedVersion(version)) {
    throw new Error(
      `isolated-vm ${version} is vulnerable to ${ADVISORY_ID} (guest-to-host escape); ` +
        `install isolated-vm ${MIN_PATCHED_VERSION} or newer before running actions.`,
    );
  }
}
