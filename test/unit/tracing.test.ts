// Tracing never stands in an activation's way: with the backend down, spans are still made and the process
// flushes and stops in bounded time; with OTEL_SDK_DISABLED=true nothing is traced at all. Each case runs in a
// child process, since the SDK registers itself globally.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

const script = `
  import { startTracing, inSpan, activeTraceId } from './shared/tracing.ts';
  const tracing = startTracing('tracing-test', 'test0');
  const ids = new Set();
  for (let i = 0; i < 500; i++) await inSpan('work', {}, async () => { ids.add(activeTraceId() ?? 'none'); });
  await tracing.shutdown();
  console.log(JSON.stringify({ traces: [...ids].length, traced: !ids.has('none') }));
`;

function run(env: NodeJS.ProcessEnv): { traces: number; traced: boolean } {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: new URL('../..', import.meta.url),
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return JSON.parse(out.toString().trim().split('\n').pop()!);
}

describe('tracing bootstrap', function () {
  this.timeout(90_000);

  it('makes spans and shuts down cleanly while the trace backend is unreachable', () => {
    // Small batches, so exports to the dead endpoint happen (and fail) while spans are still being made.
    const result = run({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_EXPORTER_OTLP_TIMEOUT: '1000', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10' });
    assert.equal(result.traced, true);
    assert.equal(result.traces, 500, 'every root span starts its own trace');
  });

  it('traces nothing with OTEL_SDK_DISABLED=true', () => {
    const result = run({ OTEL_SDK_DISABLED: 'true' });
    assert.equal(result.traced, false);
  });
});
