#!/usr/bin/env -S node --no-node-snapshot
// `wsk`, the OpenWhisk command line, for Isowhisk: the commands, flags, output lines and exit codes of the Go
// wsk CLI (apache/openwhisk-cli), over OpenWhisk's REST API. See cli/README.md.
import { enableCompileCache } from 'node:module';
import { exitQuietlyOnBrokenPipe } from './lib/broken-pipe.ts';

// Before anything else loads: later runs reuse the compiled modules (a cache in the OS temp folder).
enableCompileCache();
exitQuietlyOnBrokenPipe();
const { main } = await import('./main.ts');
const code = await main(process.argv.slice(2));
// Exit once stdout and stderr have drained, so piped output is never cut short.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
