// The guest-side sources an action with a declared signature is initialized with (docs/signatures.md): the shared
// helpers and the platform's adapter, both in invoker/runtime/signatures/. Read from disk the first time a signature
// is used, so a platform whose actions declare none never reads them.
import { readFileSync } from 'node:fs';
import type { Signature } from '../../shared/signatures.ts';

/** What the guest's init needs to run a function of another platform. */
export interface AdapterSpec {
  helpers: string;
  source: string;
  /** The action's limits, which platforms' contexts report (memory, time limit). */
  limits: { memoryMB: number; timeoutMs: number };
}

const sources = new Map<string, string>();

function source(name: string): string {
  let text = sources.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./signatures/${name}.js`, import.meta.url), 'utf8');
    sources.set(name, text);
  }
  return text;
}

export function adapterSpec(signature: Signature, limits: AdapterSpec['limits']): AdapterSpec {
  return { helpers: source('helpers'), source: source(signature), limits };
}
