// Every folder of examples/ has a README whose sh block lists wsk commands, and a test under test/examples/ that
// runs them; the README's command lines split as a shell would split them.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLES_DIR, readmeCommands, shellWords } from '../support/examples.ts';

describe('examples/', () => {
  const folders = readdirSync(EXAMPLES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

  it('each example has wsk commands in its README and a test that runs them', () => {
    assert.ok(folders.length >= 6, `examples: ${folders.join(', ')}`);
    for (const folder of folders) {
      assert.ok(readmeCommands(folder).length > 0);
      assert.ok(existsSync(join(EXAMPLES_DIR, '..', 'test', 'examples', `${folder}.test.ts`)), `test/examples/${folder}.test.ts`);
    }
  });

  it('splits command lines into words: quotes, comments and replacements', () => {
    assert.deepEqual(shellWords(`wsk trigger create t -p cron "0 3 * * *" -p p '{"a": 1}'  # a comment`), [
      'wsk', 'trigger', 'create', 't', '-p', 'cron', '0 3 * * *', '-p', 'p', '{"a": 1}',
    ]);
    assert.deepEqual(shellWords(`a"b c"'d'`), ['ab cd']);
    assert.throws(() => shellWords(`wsk "open`), /unterminated quote/);
    const commands = readmeCommands('nightly-cleanup', { '"0 3 * * *"': '"* * * * * *"' });
    assert.ok(commands.some((args) => args.includes('* * * * * *')));
    assert.ok(commands.every((args) => !args.includes('0 3 * * *')));
  });
});
