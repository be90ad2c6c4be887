// Runs an example of examples/ as its README tells a user to: the `wsk` lines of the README's first `sh` block, in
// a copy of the example's folder, with the CLI (test/support/cli.ts) against a fresh namespace of the test platform.
// So a README whose commands stop working fails its test.
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type CliNamespace, cliNamespace, type WskResult } from './cli.ts';

export const EXAMPLES_DIR = resolve(import.meta.dirname, '..', '..', 'examples');

/** Splits a command line as a POSIX shell would for what the READMEs use: words, '…' and "…" quoting. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unterminated quote in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === ' ' || c === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '#' && word === undefined) {
      break; // a comment
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * The `wsk` commands of an example's README (its first ```sh block), as argument lists without the leading `wsk`.
 * `replace` swaps literal text before splitting: what a test must change (a topic of its own, a port, a faster cron).
 */
export function readmeCommands(example: string, replace: Record<string, string> = {}): string[][] {
  const readme = readFileSync(join(EXAMPLES_DIR, example, 'README.md'), 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error(`examples/${example}/README.md has no sh block`);
  const commands: string[][] = [];
  for (let line of block[1]!.split('\n')) {
    for (const [from, to] of Object.entries(replace)) line = line.split(from).join(to);
    const words = shellWords(line.trim());
    if (words[0] === 'wsk') commands.push(words.slice(1));
  }
  assert.ok(commands.length > 0, `examples/${example}/README.md lists wsk commands`);
  return commands;
}

export interface ExampleRun {
  ns: CliNamespace;
  /** Each command's output, in order. */
  outputs: WskResult[];
}

/** A fresh namespace with the example's files in its folder; the README's commands not yet run. */
export async function exampleNamespace(example: string): Promise<CliNamespace> {
  const ns = await cliNamespace(example);
  cpSync(join(EXAMPLES_DIR, example), ns.dir, { recursive: true });
  return ns;
}

/** Runs the README's commands in `ns`'s folder, each of which must succeed. */
export async function runReadme(ns: CliNamespace, example: string, replace: Record<string, string> = {}): Promise<WskResult[]> {
  const outputs: WskResult[] = [];
  for (const args of readmeCommands(example, replace)) {
    const result = await ns.wsk(args);
    assert.equal(result.code, 0, `wsk ${args.join(' ')}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
    outputs.push(result);
  }
  return outputs;
}

/** The JSON a `wsk ... --result` printed. */
export function printedJson(result: WskResult): unknown {
  return JSON.parse(result.stdout);
}
