// `wsk sdk install bashauto`: the bash completion script, exercised in a real bash the way the shell calls it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchConfig } from '../support/cli.ts';
import { BASH_COMPLETION_FILE } from '../../cli/commands/sdk.ts';

describe('wsk CLI: bash completion', () => {
  const scratch = scratchConfig('completion');
  let script = '';

  before(async () => {
    const res = await scratch.wsk(['sdk', 'install', 'bashauto', '--stdout']);
    assert.equal(res.code, 0, res.stderr);
    script = res.stdout;
    writeFileSync(join(scratch.dir, 'completion.sh'), script);
  });

  after(() => scratch.cleanup());

  /** What bash offers for the words typed so far (the last one being completed). */
  const complete = (...words: string[]): string[] => {
    const quoted = ['wsk', ...words].map((w) => `'${w}'`).join(' ');
    const out = execFileSync('bash', ['-c', `source completion.sh; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length}; _wsk_completion; printf '%s\\n' "\${COMPREPLY[@]}"`], { cwd: scratch.dir, encoding: 'utf8' });
    return out.split('\n').filter((l) => l !== '');
  };

  it('completes command groups, subcommands and flags', () => {
    assert.deepEqual(complete('act'), ['action', 'activation']);
    assert.deepEqual(complete('action', 'cr'), ['create']);
    assert.ok(complete('action', 'create', 'hello', 'hello.js', '--').includes('--timeout'));
    assert.ok(complete('trigger', 'create', 't', '--f').includes('--feed'));
    assert.ok(complete('rule', '').includes('enable'));
  });

  it('keeps offering a command\'s flags after its arguments and flag values', () => {
    assert.ok(complete('action', 'invoke', 'hello', '-p', 'name', 'x', '--res').includes('--result'));
  });

  it('installs the script into the current folder', async () => {
    const res = await scratch.wsk(['sdk', 'install', 'bashauto']);
    assert.equal(res.code, 0, res.stderr);
    assert.ok(existsSync(join(scratch.dir, BASH_COMPLETION_FILE)));
    assert.equal(readFileSync(join(scratch.dir, BASH_COMPLETION_FILE), 'utf8'), script);
    const bad = await scratch.wsk(['sdk', 'install', 'nothing']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /The SDK component argument 'nothing' is invalid/);
  });
});
