// The part of JSZip's API that apache/openwhisk-client-js's integration tests use to build a zip action
// (`new JSZip()`, `zip.file(name, text)`, `zip.generateAsync({ type: 'nodebuffer' })`), on yazl, which the project
// already depends on. `require('jszip')` in those tests returns this class (test/e2e/openwhisk-client.test.ts).
import { buffer } from 'node:stream/consumers';
import yazl from 'yazl';

class JSZip {
  readonly #files: Array<[string, Buffer]> = [];

  file(name: string, data: string | Buffer): this {
    this.#files.push([name, Buffer.isBuffer(data) ? data : Buffer.from(data)]);
    return this;
  }

  async generateAsync(options: { type: string }): Promise<Buffer> {
    if (options.type !== 'nodebuffer') throw new Error(`jszip adapter: only type 'nodebuffer' is supported, not '${options.type}'`);
    const zip = new yazl.ZipFile();
    for (const [name, data] of this.#files) zip.addBuffer(data, name);
    zip.end();
    return buffer(zip.outputStream);
  }
}

export { JSZip as 'module.exports' };
