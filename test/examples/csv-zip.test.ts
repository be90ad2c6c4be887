// examples/csv-zip on the real platform: the test zips action/ (with yazl, as `zip -r` would) and runs the README's
// commands, which create the zip action and invoke it with a CSV that needs the parser's quoting rules.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { folderEntries, zip } from '../../cli/lib/zip.ts';
import type { CliNamespace } from '../support/cli.ts';
import { exampleNamespace, printedJson, runReadme } from '../support/examples.ts';

describe('example: zip action with a bundled CSV library (real platform)', function () {
  this.timeout(120_000);
  let ns: CliNamespace;

  before(async () => {
    ns = await exampleNamespace('csv-zip');
    writeFileSync(join(ns.dir, 'csv-report.zip'), await zip(folderEntries(join(ns.dir, 'action'))));
  });
  after(() => ns?.cleanup());

  it('parses the CSV with the bundled module and totals it per region', async () => {
    const outputs = await runReadme(ns, 'csv-zip');
    assert.deepEqual(printedJson(outputs.at(-1)!), {
      rows: 4,
      totals: { north: 19.75, south: 12.1 },
      products: ['Coffee', 'Mug "classic"', 'Tea, green'],
    });
  });
});
