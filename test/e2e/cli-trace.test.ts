// `wsk activation get` naming the activation's trace in the operator's Jaeger UI, and `wsk activation trace`
// printing it as an indented timeline (controller HTTP span → Kafka send → invoker process → run), read through
// the API with the caller's key: never from Jaeger, so a dead trace host changes nothing.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../deploy/local/daemon.ts';
import { activationIdIn, cliNamespace, scratchConfig, type CliNamespace } from '../support/cli.ts';
import { testPlatform } from '../support/stack.ts';

/** The column a span's name starts at (deeper spans start further right; the columns before are aligned). */
function nameColumn(lines: readonly string[], name: string | RegExp): number {
  const line = lines.find((l) => (typeof name === 'string' ? l.includes(`  ${name}`) : name.test(l)));
  assert.ok(line, `no span ${name} in:\n${lines.join('\n')}`);
  const match = typeof name === 'string' ? line.lastIndexOf(`  ${name}`) + 2 : (name.exec(line)?.index ?? -1);
  return match;
}

describe('wsk CLI: activation traces', function () {
  this.timeout(120_000);
  let ns: CliNamespace;
  let jaegerUrl: string;

  before(async function () {
    this.timeout(180_000); // the first suite to run starts the platform
    jaegerUrl = (await testPlatform()).jaegerUrl;
    ns = await cliNamespace('clitrace');
    writeFileSync(join(ns.dir, 'hello.js'), "function main() { return { hello: 'world' }; }\n");
  });

  after(() => ns?.cleanup());

  it('get names the trace; trace prints the timeline from the API, children indented under their parents', async () => {
    assert.equal((await ns.wsk(['action', 'create', 'hello', 'hello.js'])).code, 0);
    const invoked = await ns.wsk(['action', 'invoke', 'hello', '--blocking']);
    assert.equal(invoked.code, 0, invoked.stderr);
    const id = activationIdIn(invoked.stdout);

    const got = await ns.wsk(['activation', 'get', id, '--tracehost', jaegerUrl]);
    assert.equal(got.code, 0, got.stderr);
    const [okLine, ...json] = got.stdout.split('\n');
    assert.equal(okLine, `ok: got activation ${id}`);
    const record = JSON.parse(json.join('\n')) as { annotations: Array<{ key: string; value: unknown }> };
    const traceId = record.annotations.find((a) => a.key === 'traceId')?.value;
    assert.match(String(traceId), /^[0-9a-f]{32}$/);
    assert.equal(got.stderr, `trace: ${jaegerUrl}/trace/${traceId}\n`);

    // spans reach Jaeger in batches, from two processes: run the command until the whole chain is there
    const names = ['send invoker0', 'process invoker0', 'run'];
    const traced = await waitFor(
      `the timeline of trace ${traceId}`,
      async () => {
        const res = await ns.wsk(['activation', 'trace', id]);
        const complete = res.code === 0 && / POST \//.test(res.stdout) && names.every((n) => res.stdout.includes(`  ${n}`));
        return complete ? res : undefined;
      },
      30_000,
      500,
    );
    assert.equal(traced.stderr, '');
    const lines = traced.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', new RegExp(`^trace ${traceId} \\(\\d+ spans, \\d+\\.\\d ms\\)$`));
    assert.equal(Number(/\((\d+) spans/.exec(lines[0] ?? '')?.[1]), lines.length - 1);
    for (const line of lines.slice(1)) assert.match(line, /^ *\d+\.\d ms +\d+\.\d ms  isowhisk-\S+ +\S/);

    const http = nameColumn(lines, /(?<=  )POST \//);
    const send = nameColumn(lines, 'send invoker0');
    const process = nameColumn(lines, 'process invoker0');
    const run = nameColumn(lines, 'run');
    assert.ok(http < send, `send under the HTTP span:\n${traced.stdout}`);
    assert.ok(send < process, `process under send:\n${traced.stdout}`);
    assert.ok(process < run, `run under process:\n${traced.stdout}`);
    const runLine = lines.find((l) => l.includes('  run'))!;
    assert.match(runLine, /faas\.coldstart=(true|false)/);
    assert.match(lines.find((l) => l.includes('  send invoker0'))!, /messaging\.destination\.name=\S+/);

    const last = await ns.wsk(['activation', 'trace', '--last']);
    assert.equal(last.code, 0, last.stderr);
    assert.match(last.stdout, /^trace [0-9a-f]{32} \(\d+ spans/);
  });

  it('reads through the API, not Jaeger: a dead trace host changes nothing, a dead API host is a one-line error', async () => {
    const invoked = await ns.wsk(['action', 'invoke', 'hello', '--blocking']);
    const id = activationIdIn(invoked.stdout);
    const traced = await ns.wsk(['activation', 'trace', id], { env: { WSK_TRACEHOST: 'http://127.0.0.1:1' } });
    assert.equal(traced.code, 0, traced.stderr);
    assert.match(traced.stdout, /^trace [0-9a-f]{32} \(\d+ spans/);

    const res = await ns.wsk(['activation', 'trace', id, '--apihost', 'http://127.0.0.1:1']);
    assert.equal(res.code, 3);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /^error: Unable to get the trace of activation '[0-9a-f]{32}': [^\n]*\n$/);
  });

  it("another namespace's activation id is not found: its trace is not shown", async () => {
    const other = await cliNamespace('clitrace-other');
    try {
      const invoked = await ns.wsk(['action', 'invoke', 'hello', '--blocking']);
      const id = activationIdIn(invoked.stdout);
      const res = await other.wsk(['activation', 'trace', id]);
      assert.notEqual(res.code, 0);
      assert.equal(res.stdout, '');
      assert.match(res.stderr, /^error: Unable to get the trace of activation '[0-9a-f]{32}': The requested resource does not exist\. \(code \S+\)\n$/);
    } finally {
      other.cleanup();
    }
  });

  it('TRACEHOST: property set/get/unset, WSK_TRACEHOST over the file, the local Jaeger by default', async () => {
    const scratch = scratchConfig('clitrace-props');
    try {
      assert.equal((await scratch.wsk(['property', 'get', '--tracehost'])).stdout, 'trace host\t\thttp://127.0.0.1:16686\n');
      assert.equal((await scratch.wsk(['property', 'set', '--tracehost', 'http://jaeger.example:16686/'])).stdout, 'ok: trace host set to http://jaeger.example:16686/\n');
      assert.equal((await scratch.wsk(['property', 'get', '--tracehost', '-o', 'raw'])).stdout, 'http://jaeger.example:16686\n');
      assert.match((await scratch.wsk(['property', 'get'])).stdout, /^trace host\t\thttp:\/\/jaeger\.example:16686$/m);
      const env = await scratch.wsk(['property', 'get', '--tracehost', '-o', 'raw'], { env: { WSK_TRACEHOST: 'http://other:1' } });
      assert.equal(env.stdout, 'http://other:1\n');
      assert.match((await scratch.wsk(['property', 'unset', '--tracehost'])).stdout, /^ok: trace host unset/);
      assert.equal((await scratch.wsk(['property', 'get', '--tracehost', '-o', 'raw'])).stdout, 'http://127.0.0.1:16686\n');
      assert.doesNotMatch((await scratch.wsk(['property', 'get'])).stdout, /trace host/);
    } finally {
      scratch.cleanup();
    }
  });
});
