// A reader that stops early (`wsk activation list | head -5`) closes the pipe under stdout or stderr; the next write
// then fails with EPIPE, which Node raises as an 'error' event that nothing handles. The Go wsk simply stops
// there: so does this one, quietly and with exit code 0, whichever of the two streams broke.
import type { Writable } from 'node:stream';

/** Ends the process with `exitCode` (0) on EPIPE from any of `streams`; other stream errors stay fatal. */
export function exitQuietlyOnBrokenPipe(streams: readonly Writable[] = [process.stdout, process.stderr], exitCode = 0): void {
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(exitCode);
      throw err;
    });
  }
}
