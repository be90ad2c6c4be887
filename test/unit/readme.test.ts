// The README's configuration table is the one shared/config.ts renders, so docs and code cannot drift apart.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configVariablesMarkdown } from '../../shared/config.ts';

describe('README', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('starts with the two commands a newcomer runs', () => {
    const firstBlock = readme.slice(readme.indexOf('```'), readme.indexOf('```', readme.indexOf('```') + 3));
    assert.match(firstBlock, /npm start/);
    assert.match(firstBlock, /npm test/);
  });

  it('documents every configuration variable exactly as the code defines it', () => {
    assert.ok(readme.includes(configVariablesMarkdown().trim()), 'regenerate the table with configVariablesMarkdown()');
  });
});
