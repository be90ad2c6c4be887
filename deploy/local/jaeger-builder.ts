// The background Jaeger builder (see deploy/local/jaeger-build.ts): builds the Jaeger binary, or waits for the build
// another process runs, then starts the layout's Jaeger daemon and exits once it answers. Its output is its log.
//
// Usage (by startJaegerBuild): node jaeger-builder.ts '<StackLayout as JSON>'
import { ensureJaegerBinary, jaegerEndpoints, startJaeger } from './jaeger.ts';
import { JAEGER_UP_LINE } from './jaeger-build.ts';
import type { StackLayout } from './layout.ts';

const layout = JSON.parse(process.argv[2] ?? '{}') as StackLayout;
if (!layout.runDir || !layout.jaeger) {
  console.error('usage: jaeger-builder.ts \'<StackLayout as JSON>\'');
  process.exit(2);
}

const stamp = (): string => new Date().toISOString();
try {
  console.error(`${stamp()} isowhisk: Jaeger builder (pid ${process.pid}) for ${layout.runDir}`);
  await ensureJaegerBinary();
  console.error(`${stamp()} isowhisk: starting Jaeger`);
  await startJaeger(layout);
  console.error(`${stamp()} ${JAEGER_UP_LINE} ${jaegerEndpoints(layout).uiUrl}`);
} catch (err) {
  console.error(`${stamp()} isowhisk: ${(err as Error).message}`);
  process.exit(1);
}
