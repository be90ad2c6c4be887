import assert from 'node:assert/strict';
import { ADVISORY_ID, assertPatchedIsolatedVm, installedIsolatedVmVersion, isPatchedVersion } from '../../../invoker/runtime/ivm-version.ts';

describe('isolated-vm version gate (GHSA-864f-rcv7-6rh4)', () => {
  it('accepts 7.0.1 and anything later, prereleases of later versions included', () => {
    for (const v of ['7.0.1', '7.0.2', '7.1.0', '8.0.0', '10.2.3', 'v7.0.1', '7.0.1+build.5', '7.1.0-beta.1', '7.0.2-rc.1']) {
      assert.equal(isPatchedVersion(v), true, v);
    }
  });

  it('refuses 7.0.0, prereleases of 7.0.1, older lines and garbage', () => {
    for (const v of ['7.0.0', '7.0.1-rc.1', '7.0.1-0', '6.2.0', '6.9.9', '5.0.4', '4.7.2', '', 'latest', '7.0', '07.0.1', '7.0.1-']) {
      assert.equal(isPatchedVersion(v), false, v);
    }
  });

  it('orders prereleases by semver rules', () => {
    assert.equal(isPatchedVersion('7.0.2-alpha'), true);
    assert.equal(isPatchedVersion('7.0.1-alpha.beta'), false);
  });

  it('passes for the installed package and names the advisory when it throws', () => {
    assert.ok(isPatchedVersion(installedIsolatedVmVersion()), installedIsolatedVmVersion());
    assert.doesNotThrow(() => assertPatchedIsolatedVm());
    assert.throws(() => assertPatchedIsolatedVm('7.0.0'), (e: Error) => e.message.includes(ADVISORY_ID) && e.message.includes('7.0.0'));
  });
});
