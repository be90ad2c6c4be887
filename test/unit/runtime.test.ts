import assert from 'node:assert/strict';
import { assertPatchedIsolatedVm, installedIsolatedVmVersion } from '../../invoker/runtime/ivm-version.ts';

describe('runtime', () => {
  it('runs on Node.js 24 or newer', () => {
    const major = Number(process.versions.node.split('.')[0]);
    assert.ok(major >= 24, `Node ${process.version} is older than 24`);
  });

  it('runs with --no-node-snapshot, which isolated-vm requires', () => {
    const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
    assert.ok(flags.includes('--no-node-snapshot'), `flags were: ${flags.join(' ')}`);
  });

  it('has an isolated-vm without the guest-to-host escape (GHSA-864f-rcv7-6rh4)', () => {
    assert.doesNotThrow(() => assertPatchedIsolatedVm(), `installed: ${installedIsolatedVmVersion()}`);
  });
});
