// The `wsk` CLI's building blocks, checked in process (no platform): wsk's JSON layout, names, parameters,
// exit codes, error texts, durations and the zip writer (read back with the invoker's own zip reader).
import assert from 'node:assert/strict';
import { ApiError, httpExitCode } from '../../cli/lib/errors.ts';
import { apiErrorOf, networkReason } from '../../cli/lib/http.ts';
import { fullyQualified, parseQualifiedName } from '../../cli/lib/names.ts';
import { ACTION_SHAPE, formatJson, goDuration, Output } from '../../cli/lib/output.ts';
import { extractParamArgs, keyValueJson, mergeJsonObjects } from '../../cli/lib/params.ts';
import { readProps } from '../../cli/lib/props.ts';
import { truncate } from '../../cli/lib/render.ts';
import { zip } from '../../cli/lib/zip.ts';
import { stripTimestamp } from '../../cli/commands/activation.ts';
import { readZip } from '../../invoker/runtime/archive.ts';
import { apiBaseUrl } from '../../cli/lib/config.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('wsk CLI building blocks', () => {
  it('exit codes for HTTP errors are the status minus 256, as Go truncates it', () => {
    assert.deepEqual([400, 401, 403, 404, 409, 500, 502, 202].map(httpExitCode), [144, 145, 147, 148, 153, 244, 246, 202]);
  });

  it('error answers read as wsk reads them', () => {
    const withCode = apiErrorOf({ status: 404, headers: {}, text: '{"error":"gone","code":"abc"}', json: { error: 'gone', code: 'abc' } });
    assert.ok(withCode instanceof ApiError);
    assert.deepEqual([withCode.message, withCode.exitCode, withCode.requestId], ['gone (code abc)', 148, 'abc']);
    assert.equal(apiErrorOf({ status: 500, headers: {}, text: '', json: undefined }).message, 'Command failed due to an HTTP failure');
    assert.equal(apiErrorOf({ status: 503, headers: {}, text: '<html>', json: undefined }).message, 'The connection failed, or timed out. (HTTP status code 503)');
    assert.equal(networkReason(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })), 'connection refused');
    assert.equal(networkReason(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], '')), 'connection refused');
    assert.equal(networkReason(Object.assign(new Error('getaddrinfo ENOTFOUND nohost'), { code: 'ENOTFOUND' })), 'host not found');
  });

  it('JSON is printed as wsk prints it: four spaces, struct order for entities, sorted keys for maps', () => {
    assert.equal(formatJson({ b: 1, a: [true, null, 'x'], c: {}, d: [] }), '{\n    "a": [\n        true,\n        null,\n        "x"\n    ],\n    "b": 1,\n    "c": {},\n    "d": []\n}');
    const action = { updated: 1, name: 'n', namespace: 'ns', version: '0.0.1', publish: false, parameters: [], exec: { binary: false, kind: 'nodejs:24' }, annotations: [{ value: { z: 1, y: 2 }, key: 'k' }] };
    const text = formatJson(action, ACTION_SHAPE);
    assert.deepEqual(Object.keys(JSON.parse(text)), ['namespace', 'name', 'version', 'exec', 'annotations', 'publish', 'updated'], 'empty parameters left out (omitempty)');
    assert.match(text, /"exec": \{\n {8}"kind": "nodejs:24",\n {8}"binary": false\n {4}\}/);
    assert.match(text, /\{\n {12}"key": "k",\n {12}"value": \{\n {16}"y": 2,\n {16}"z": 1/);
    assert.equal(formatJson('a\u2028b'), '"a\\u2028b"');
  });

  it('durations read as Go prints them', () => {
    assert.deepEqual([0, 7, 999, 1000, 1500, 61_000, 3_600_000, 3_723_004].map(goDuration), ['0s', '7ms', '999ms', '1s', '1.5s', '1m1s', '1h0m0s', '1h2m3.004s']);
    assert.deepEqual([truncate('abc', 6), truncate('abcdefghij', 6), truncate('abcdefghijklmnopqrstuvwxyz', 11)], ['abc', 'abc...', 'abcdef...yz']);
  });

  it('names: default namespace, packages, fully qualified forms', () => {
    assert.deepEqual(parseQualifiedName('hello', '_'), { namespace: '_', packageName: '', entity: 'hello', entityName: 'hello' });
    assert.deepEqual(parseQualifiedName('pkg/hello', 'guest'), { namespace: 'guest', packageName: 'pkg', entity: 'hello', entityName: 'pkg/hello' });
    assert.deepEqual(parseQualifiedName('/ns/hello', '_'), { namespace: 'ns', packageName: '', entity: 'hello', entityName: 'hello' });
    assert.deepEqual(parseQualifiedName('ns/pkg/hello', '_'), { namespace: 'ns', packageName: 'pkg', entity: 'hello', entityName: 'pkg/hello' });
    assert.deepEqual(parseQualifiedName('/ns', '_'), { namespace: 'ns', packageName: '', entity: 'ns', entityName: '' });
    for (const bad of ['', '/', '/ns/', '/a/b/c/d', 'a//b']) assert.throws(() => parseQualifiedName(bad, '_'), /is not a valid qualified name/, bad);
    assert.equal(fullyQualified('a', '_'), '/_/a');
    assert.equal(fullyQualified('ns/pkg/a', '_'), '/ns/pkg/a');
  });

  it('parameters: taken off the command line anywhere, JSON values when they parse', () => {
    const got = extractParamArgs(['action', '-p', 'a', '1', 'invoke', 'x', '--param', 'b', 'text', '-a', 'c', '{"d":2}', '-r', '--', '-p']);
    assert.deepEqual(got.rest, ['action', 'invoke', 'x', '-r', '--', '-p']);
    assert.deepEqual(mergeJsonObjects(got.params, 'parameter'), { a: 1, b: 'text' });
    assert.deepEqual(mergeJsonObjects(got.annotations, 'annotation'), { c: { d: 2 } });
    assert.deepEqual(got.seen, ['-p', '--param', '-a']);
    assert.equal(keyValueJson('q', '"quoted"'), '{"q":"quoted"}');
    assert.equal(keyValueJson('s', 'he said "hi"'), '{"s":"he said \\"hi\\""}');
    assert.throws(() => mergeJsonObjects(['[1]'], 'parameter'), /Invalid parameter argument/);
  });

  it('the properties file: comments, blanks, case and values with "="', () => {
    const dir = mkdtempSync(join(tmpdir(), 'isowhisk-props-'));
    try {
      writeFileSync(join(dir, 'p'), '# comment\n\napihost = host:1 # trailing\nAUTH=a:b==\nbroken\n');
      assert.deepEqual([...readProps(join(dir, 'p'))], [['APIHOST', 'host:1'], ['AUTH', 'a:b==']]);
      assert.deepEqual([...readProps(join(dir, 'missing'))], []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(apiBaseUrl('host:1234')?.href, 'https://host:1234/api');
    assert.equal(apiBaseUrl('http://127.0.0.1:3233/')?.href, 'http://127.0.0.1:3233/api');
    assert.equal(apiBaseUrl(''), undefined);
  });

  it('log lines lose their timestamp and stream with --strip', () => {
    assert.equal(stripTimestamp('2024-01-01T00:00:00.123456789Z stdout: hello world'), 'hello world');
    assert.equal(stripTimestamp('2024-01-01T00:00:00.1Z     stderr: oops'), 'oops');
    assert.equal(stripTimestamp('plain'), 'plain');
  });

  it('the zip writer makes archives the invoker reads', async () => {
    const big = 'x'.repeat(10_000);
    const archive = await zip([
      { name: 'index.js', data: Buffer.from('exports.main = () => ({})'), modified: new Date(2024, 0, 2, 3, 4, 6) },
      { name: 'lib/big.js', data: Buffer.from(big), modified: new Date() },
      { name: 'empty.json', data: Buffer.alloc(0), modified: new Date() },
    ]);
    assert.ok(archive.length < big.length, 'compressed');
    assert.deepEqual(await readZip(archive, { maxTotalBytes: 1 << 20 }), { 'index.js': 'exports.main = () => ({})', 'lib/big.js': big, 'empty.json': '' });
  });

  it('colour only on a terminal, and never with NO_COLOR', () => {
    const capture = (isTTY: boolean, env: NodeJS.ProcessEnv) => {
      let text = '';
      const stream = { write: (t: string) => void (text += t), isTTY };
      new Output(stream, stream, env).ok(`created action ${new Output(stream, stream, env).bold('x')}`);
      return text;
    };
    assert.equal(capture(true, {}), 'ok: created action x\n'.replace('ok:', '\x1b[32mok:\x1b[39m').replace(' x', ' \x1b[1mx\x1b[22m'));
    assert.equal(capture(true, { NO_COLOR: '1' }), 'ok: created action x\n');
    assert.equal(capture(false, {}), 'ok: created action x\n');
  });
});
