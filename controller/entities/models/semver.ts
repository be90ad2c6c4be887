// Entity versions (OpenWhisk `E/SemVer.scala`): `major.minor.patch`, missing parts read as 0, never 0.0.0 or
// negative; a create starts at 0.0.1 and every update without a version bumps the patch.

/** Normalised `M.m.p`, or undefined when the text is not a version. */
export function parseSemVer(text: string): string | undefined {
  const parts = text.length > 0 ? text.split('.') : [];
  const nums: number[] = [];
  for (let i = 0; i < 3; i++) {
    const part = parts[i];
    if (part === undefined) {
      nums.push(0);
      continue;
    }
    if (!/^[+-]?\d+$/.test(part)) return undefined;
    const n = Number(part);
    if (!Number.isSafeInteger(n) || n > 2 ** 31 - 1) return undefined;
    nums.push(n);
  }
  const [major = 0, minor = 0, patch = 0] = nums;
  if (major < 0 || minor < 0 || patch < 0 || major + minor + patch === 0) return undefined;
  return `${major}.${minor}.${patch}`;
}

export function bumpPatch(version: string): string {
  const [major = '0', minor = '0', patch = '0'] = version.split('.');
  return `${Number(major)}.${Number(minor)}.${Number(patch) + 1}`;
}
