// The `wsk` CLI against the running platform, as a user types it: the seed flow, the action and activation
// commands, their output lines (wsk's texts, JSON indented by four spaces) and exit codes.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zip } from '../../cli/lib/zip.ts';
import { waitFor } from '../../deploy/local/daemon.ts';
import { activationIdIn, cliNamespace, type CliNamespace } from '../support/cli.ts';

const REVERSE = `function main(params) {
  console.log('reversing', params.payload);
  return { payload: params.payload.split('').reverse().join('') };
}
`;
const ECHO = 'function main(params) { return params; }\n';
const FAIL = "function main(params) { return { error: 'no ' + params.what }; }\n";
const GREET = "exports.main = (p) => ({ greeting: require('./lib/greet.js').greet(p.name) });\n";
const GREET_LIB = "exports.greet = (name) => 'Hello ' + name;\n";

/** The JSON after wsk's `ok: ...` line. */
function jsonAfterOkLine(stdout: string): unknown {
  const [first, ...rest] = stdout.split('\n');
  assert.match(first ?? '', /^ok: /);
  return JSON.parse(rest.join('\n'));
}

describe('wsk CLI: actions and activations', function () {
  let ns: CliNamespace;

  before(async function () {
    this.timeout(180_000); // the first suite to run starts the platform
    ns = await cliNamespace('cli');
    writeFileSync(join(ns.dir, 'reverse.js'), REVERSE);
    writeFileSync(join(ns.dir, 'echo.js'), ECHO);
    writeFileSync(join(ns.dir, 'fail.js'), FAIL);
  });

  after(() => ns?.cleanup());

  it('runs the seed flow as typed: create, invoke --result, activation list, logs and result', async () => {
    const created = await ns.wsk(['action', 'create', 'reverse', 'reverse.js']);
    assert.deepEqual(created, { code: 0, stdout: 'ok: created action reverse\n', stderr: '' });

    const invoked = await ns.wsk(['action', 'invoke', 'reverse', '-p', 'payload', 'hello', '--result']);
    assert.equal(invoked.code, 0, invoked.stderr);
    assert.equal(invoked.stdout, '{\n    "payload": "olleh"\n}\n');

    const listed = await ns.wsk(['activation', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    const [header, row] = listed.stdout.split('\n');
    assert.match(header ?? '', /^Datetime\s+Activation ID\s+Kind\s+Start Duration\s+Status\s+Entity$/);
    assert.match(row ?? '', new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [0-9a-f]{32} nodejs:\\S+ +(cold|warm) +\\d+ms +success +${ns.name}/reverse:0\\.0\\.1$`));
    const id = activationIdIn(row ?? '');

    // logs are stored after the blocking answer: wait for them
    const logs = await waitFor(
      'the activation logs',
      async () => {
        const res = await ns.wsk(['activation', 'logs', id]);
        return res.code === 0 && res.stdout.includes('reversing hello') ? res : undefined;
      },
      30_000,
    );
    assert.match(logs.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z +stdout: reversing hello\n$/);
    const stripped = await ns.wsk(['activation', 'logs', id, '--strip']);
    assert.equal(stripped.stdout, 'reversing hello\n');

    const result = await ns.wsk(['activation', 'result', id]);
    assert.deepEqual(result, { code: 0, stdout: '{\n    "payload": "olleh"\n}\n', stderr: '' });
  });

  it('activation get prints "ok: got activation <id>" and the record; --last, --summary and field filters work', async () => {
    const invoked = await ns.wsk(['action', 'invoke', 'reverse', '-p', 'payload', 'abc', '--blocking']);
    assert.equal(invoked.code, 0, invoked.stderr);
    const id = activationIdIn(invoked.stdout);
    assert.ok(invoked.stdout.startsWith(`ok: invoked /_/reverse with id ${id}\n`), invoked.stdout);
    const activation = jsonAfterOkLine(invoked.stdout) as { response: { result: unknown; status: string } };
    assert.deepEqual(activation.response.result, { payload: 'cba' });

    const got = await ns.wsk(['activation', 'get', id]);
    assert.equal(got.code, 0, got.stderr);
    assert.ok(got.stdout.startsWith(`ok: got activation ${id}\n{\n    "namespace": "${ns.name}",\n    "name": "reverse",\n`), got.stdout);
    const record = jsonAfterOkLine(got.stdout) as { activationId: string; response: { status: string } };
    assert.equal(record.activationId, id);
    assert.equal(record.response.status, 'success');

    const last = await ns.wsk(['activation', 'get', '--last']);
    assert.equal(last.code, 0, last.stderr);
    assert.match(last.stdout, /^ok: got activation [0-9a-f]{32}\n/);

    const summary = await ns.wsk(['activation', 'get', id, '--summary']);
    assert.match(summary.stdout, new RegExp(`^activation result for '/${ns.name}/reverse' \\(success at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}.*\\)\n\\{\n    "payload": "cba"\n\\}\n$`));

    const field = await ns.wsk(['activation', 'get', id, 'response']);
    assert.ok(field.stdout.startsWith(`ok: got activation ${id}, displaying field response\n`), field.stdout);

    const badField = await ns.wsk(['activation', 'get', id, 'nosuchfield']);
    assert.deepEqual([badField.code, badField.stderr], [1, "error: Invalid field filter 'nosuchfield'.\n"]);
  });

  it('activation errors come back as wsk error lines with the HTTP status as exit code', async () => {
    const missing = await ns.wsk(['activation', 'get', 'f'.repeat(32)]);
    assert.equal(missing.code, 148); // 404
    assert.match(missing.stderr, new RegExp(`^error: Unable to get activation '${'f'.repeat(32)}': The requested resource does not exist\\. \\(code \\w+\\)\n$`));

    const malformed = await ns.wsk(['activation', 'result', 'abc']);
    assert.equal(malformed.code, 144); // 400
    assert.match(malformed.stderr, /^error: Unable to get result for activation 'abc': Activation id length is 3 but must be 32\. \(code \w+\)\n$/);
  });

  it('-p values are JSON when they parse and strings otherwise; -P reads a JSON file; later values win', async () => {
    assert.equal((await ns.wsk(['action', 'create', 'echo', 'echo.js'])).code, 0);
    writeFileSync(join(ns.dir, 'params.json'), JSON.stringify({ fromFile: true, s: 'file' }));
    const res = await ns.wsk(['action', 'invoke', 'echo', '-r', '-p', 'n', '42', '-p', 's', 'hello world', '-p', 'b', 'true', '--param', 'o', '{"a":[1,"x"]}', '-P', 'params.json', '-p', 'late', 'null']);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(JSON.parse(res.stdout), { n: 42, s: 'file', b: true, o: { a: [1, 'x'] }, fromFile: true, late: null });

    const overridden = await ns.wsk(['action', 'invoke', 'echo', '-r', '-P', 'params.json', '-p', 's', 'cli']);
    assert.deepEqual(JSON.parse(overridden.stdout), { fromFile: true, s: 'cli' });

    // wsk prints map keys sorted, four spaces deep
    const sorted = await ns.wsk(['action', 'invoke', 'echo', '-r', '-p', 'b', '2', '-p', 'a', '{"d":1,"c":[]}']);
    assert.equal(sorted.stdout, '{\n    "a": {\n        "c": [],\n        "d": 1\n    },\n    "b": 2\n}\n');
  });

  it('action get shows the action in wsk field order; update sets parameters, annotations and limits', async () => {
    const got = await ns.wsk(['action', 'get', 'reverse']);
    assert.equal(got.code, 0, got.stderr);
    const action = jsonAfterOkLine(got.stdout) as Record<string, unknown> & { exec: { kind: string; code?: string } };
    assert.deepEqual(Object.keys(action).slice(0, 4), ['namespace', 'name', 'version', 'exec']);
    assert.match(action.exec.kind, /^nodejs:\d+$/, 'kind inferred from .js as nodejs:default, resolved by the server');
    assert.equal(action.exec.code, undefined, 'wsk asks for the action without its code');

    const updated = await ns.wsk(['action', 'update', 'reverse', '-p', 'payload', 'default', '-a', 'description', 'reverses', '-t', '5000', '-m', '128']);
    assert.deepEqual(updated, { code: 0, stdout: 'ok: updated action reverse\n', stderr: '' });
    const after = jsonAfterOkLine((await ns.wsk(['action', 'get', 'reverse'])).stdout) as {
      version: string;
      parameters: unknown;
      limits: { timeout: number; memory: number };
      annotations: Array<{ key: string; value: unknown }>;
    };
    assert.equal(after.version, '0.0.2');
    assert.deepEqual(after.parameters, [{ key: 'payload', value: 'default' }]);
    assert.equal(after.limits.timeout, 5000);
    assert.equal(after.limits.memory, 128);
    assert.ok(after.annotations.some((a) => a.key === 'description' && a.value === 'reverses'));

    const field = await ns.wsk(['action', 'get', 'reverse', 'parameters']);
    assert.equal(field.stdout, 'ok: got action reverse, displaying field parameters\n[\n    {\n        "key": "payload",\n        "value": "default"\n    }\n]\n');
    const summary = await ns.wsk(['action', 'get', 'reverse', '--summary']);
    assert.equal(summary.stdout, `action /${ns.name}/reverse: reverses\n   (parameters: *payload)\n`);
    const url = await ns.wsk(['action', 'get', 'reverse', '--url']);
    assert.equal(url.stdout, `ok: got action reverse\n${ns.apiHost}/api/v1/namespaces/${ns.name}/actions/reverse\n`);

    // the bound default is used when the invoke does not set it
    const invoked = await ns.wsk(['action', 'invoke', 'reverse', '-r']);
    assert.deepEqual(JSON.parse(invoked.stdout), { payload: 'tluafed' });
  });

  it('action create of an existing action is a 409: wsk error line with the request id, exit code 153', async () => {
    const res = await ns.wsk(['action', 'create', 'reverse', 'reverse.js']);
    assert.equal(res.code, 153);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /^error: Unable to create action 'reverse': resource already exists \(code \w+\)\n$/);
  });

  it('a failing action: --result prints the error result on stderr and exits 246 (HTTP 502), --blocking also the ok line', async () => {
    assert.equal((await ns.wsk(['action', 'create', 'fail', 'fail.js'])).code, 0);
    const result = await ns.wsk(['action', 'invoke', 'fail', '-p', 'what', 'luck', '--result']);
    assert.deepEqual(result, { code: 246, stdout: '', stderr: '{\n    "error": "no luck"\n}\n' });

    const blocking = await ns.wsk(['action', 'invoke', 'fail', '-p', 'what', 'luck', '-b']);
    assert.equal(blocking.code, 246);
    assert.equal(blocking.stdout, '');
    const id = activationIdIn(blocking.stderr);
    assert.ok(blocking.stderr.startsWith(`ok: invoked /_/fail with id ${id}\n{\n`), blocking.stderr);
    const activation = jsonAfterOkLine(blocking.stderr) as { response: { status: string; result: unknown } };
    assert.deepEqual(activation.response.result, { error: 'no luck' });
    assert.equal(activation.response.status, 'application error');
  });

  it('a non-blocking invoke prints only the activation id; the record then shows in activation list', async () => {
    const res = await ns.wsk(['action', 'invoke', 'reverse', '-p', 'payload', 'xyz']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^ok: invoked \/_\/reverse with id [0-9a-f]{32}\n$/);
    const id = activationIdIn(res.stdout);
    await waitFor(
      'the activation in the list',
      async () => ((await ns.wsk(['activation', 'list', 'reverse'])).stdout.includes(id) ? true : undefined),
      30_000,
    );
    const result = await waitFor('the activation result', async () => {
      const r = await ns.wsk(['activation', 'result', id]);
      return r.code === 0 ? r : undefined;
    }, 30_000);
    assert.deepEqual(JSON.parse(result.stdout), { payload: 'zyx' });
  });

  it('a folder becomes a zipped multi-file action; a .zip file is a binary Node.js action', async () => {
    mkdirSync(join(ns.dir, 'greeter', 'lib'), { recursive: true });
    writeFileSync(join(ns.dir, 'greeter', 'index.js'), GREET);
    writeFileSync(join(ns.dir, 'greeter', 'lib', 'greet.js'), GREET_LIB);
    writeFileSync(join(ns.dir, 'greeter', 'package.json'), '{"main":"index.js"}');
    const created = await ns.wsk(['action', 'create', 'greeter', 'greeter']);
    assert.deepEqual(created, { code: 0, stdout: 'ok: created action greeter\n', stderr: '' });
    const action = jsonAfterOkLine((await ns.wsk(['action', 'get', 'greeter'])).stdout) as { exec: { kind: string; binary: boolean } };
    assert.equal(action.exec.binary, true);
    assert.match(action.exec.kind, /^nodejs:/);
    const invoked = await ns.wsk(['action', 'invoke', 'greeter', '-p', 'name', 'Ada', '-r']);
    assert.equal(invoked.code, 0, invoked.stderr);
    assert.deepEqual(JSON.parse(invoked.stdout), { greeting: 'Hello Ada' });

    const archive = await zip([
      { name: 'index.js', data: Buffer.from(GREET), modified: new Date() },
      { name: 'lib/greet.js', data: Buffer.from(GREET_LIB), modified: new Date() },
    ]);
    writeFileSync(join(ns.dir, 'greeter.zip'), archive);
    assert.equal((await ns.wsk(['action', 'create', 'zipped', 'greeter.zip'])).code, 0);
    const zipped = await ns.wsk(['action', 'invoke', 'zipped', '-p', 'name', 'Bob', '--result']);
    assert.deepEqual(JSON.parse(zipped.stdout), { greeting: 'Hello Bob' });

    // --save writes the code back: the archive for a binary action
    const saved = await ns.wsk(['action', 'get', 'zipped', '--save']);
    assert.equal(saved.stdout, `ok: saved action code to ${join(ns.dir, 'zipped.zip')}\n`);
  });

  it('action list shows wsk\'s table; delete removes the action; getting it then exits 148', async () => {
    const listed = await ns.wsk(['action', 'list', '--name-sort']);
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'actions');
    const names = lines.slice(1).map((l) => l.split(/\s+/)[0]);
    assert.deepEqual(names, ['echo', 'fail', 'greeter', 'reverse', 'zipped'].map((n) => `/${ns.name}/${n}`));
    assert.match(lines[1] ?? '', new RegExp(`^/${ns.name}/echo {${70 - `/${ns.name}/echo`.length}} private nodejs:\\d+$`));

    const limited = await ns.wsk(['action', 'list', '--limit', '1', '--skip', '1']);
    assert.equal(limited.stdout.trimEnd().split('\n').length, 2);

    assert.deepEqual(await ns.wsk(['action', 'delete', 'echo']), { code: 0, stdout: 'ok: deleted action echo\n', stderr: '' });
    const gone = await ns.wsk(['action', 'get', 'echo']);
    assert.equal(gone.code, 148);
    assert.match(gone.stderr, /^error: Unable to get action 'echo': The requested resource does not exist\. \(code \w+\)\n$/);
    const again = await ns.wsk(['action', 'delete', 'echo']);
    assert.equal(again.code, 148);
    assert.match(again.stderr, /^error: Unable to delete action 'echo': /);
  });

  it('activation poll --exit prints new activations\' logs as they come, then stops by itself', async function () {
    this.timeout(60_000);
    const poll = ns.start(['activation', 'poll', '--exit', '10']);
    await poll.waitForStdout(/Polling for activation logs\n/);
    const invoked = await ns.wsk(['action', 'invoke', 'reverse', '-p', 'payload', 'polled', '-b']);
    const id = activationIdIn(invoked.stdout);
    await poll.waitForStdout(new RegExp(`Activation: 'reverse' \\(${id}\\)\\n\\[\\n    "[^"]*stdout: reversing polled"\\n\\]\\n`), 30_000);
    const done = await poll.exited;
    assert.equal(done.code, 0, done.stderr);
    assert.ok(done.stdout.startsWith('Enter Ctrl-c to exit.\nPolling for activation logs\n'), done.stdout);
    assert.equal(done.stdout.split(`(${id})`).length, 2, 'each activation is shown once');
  });

  it('activation poll stops on Ctrl-C with "Poll terminated"', async () => {
    const poll = ns.start(['activation', 'poll']);
    await poll.waitForStdout(/Polling for activation logs\n/);
    poll.child.kill('SIGINT');
    const done = await poll.exited;
    assert.equal(done.code, 1);
    assert.match(done.stdout, /Poll terminated\n$/);
  });

  it('-v prints each request and response on stderr (the key only with -d); stdout stays the same', async () => {
    assert.equal((await ns.wsk(['action', 'update', 'verbose', 'reverse.js'])).code, 0);
    const plain = await ns.wsk(['action', 'get', 'verbose', 'name']);
    const verbose = await ns.wsk(['-v', 'action', 'get', 'verbose', 'name']);
    assert.equal(verbose.code, 0);
    assert.equal(verbose.stdout, plain.stdout);
    assert.ok(verbose.stderr.startsWith(`REQUEST:\n[GET]\t${ns.apiHost}/api/v1/namespaces/_/actions/verbose?code=false\nReq Headers\n`), verbose.stderr);
    assert.match(verbose.stderr, /"Basic <redacted; --debug shows it>"/);
    assert.match(verbose.stderr, /RESPONSE:\nGot response with code 200\nResp Headers\n[\s\S]*Response body size is \d+ bytes\nResponse body received:\n\{"namespace":/);
    const debug = await ns.wsk(['action', 'get', 'verbose', 'name', '--debug']);
    assert.ok(debug.stderr.includes(`"Basic ${Buffer.from(ns.apiKey).toString('base64')}"`));
  });

  it('namespace list names the caller\'s namespace', async () => {
    assert.deepEqual(await ns.wsk(['namespace', 'list']), { code: 0, stdout: `namespaces\n${ns.name}\n`, stderr: '' });
    const property = await ns.wsk(['property', 'get', '--namespace']);
    assert.equal(property.stdout, `whisk namespace\t\t${ns.name}\n`);
  });
});
