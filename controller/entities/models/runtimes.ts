// The action kinds this platform accepts (OpenWhisk's runtimes manifest, `E/ExecManifest.scala`).
//
// Isowhisk runs JavaScript in V8 isolates inside a Node.js 24 invoker, so there is one real runtime. We offer it
// as `nodejs:24`, the family default (`nodejs:default` resolves to it, as OpenWhisk maps a family's default
// virtual kind to the blessed version). `nodejs:20` and `nodejs:22` are accepted as aliases so that actions and
// tooling written for OpenWhisk's Node.js 20/22 images deploy unchanged; they run on the same isolate runtime.
// The kind is stored as given (so `wsk action get` and the `exec` annotation show what the user asked for); an
// isolate offers plain ECMAScript, which is the same language for all three kinds (no Node.js APIs in any).
// `sequence` is handled by the controller (controller/runs/sequence-runner.ts); `blackbox` is not supported.

export interface RuntimeManifest {
  kind: string;
  image: string;
  deprecated: boolean;
  default: boolean;
  attached: boolean;
  requireMain: boolean;
}

const ISOLATE_IMAGE = 'isowhisk/isolate-nodejs';

const node = (kind: string, isDefault: boolean): RuntimeManifest => ({
  kind,
  image: ISOLATE_IMAGE,
  deprecated: false,
  default: isDefault,
  attached: true,
  requireMain: false,
});

/** Families and their kinds, in the shape of `GET /` → `runtimes`. */
export const RUNTIMES: Readonly<Record<string, readonly RuntimeManifest[]>> = {
  nodejs: [node('nodejs:24', true), node('nodejs:22', false), node('nodejs:20', false)],
};

const byKind = new Map(Object.values(RUNTIMES).flatMap((family) => family.map((rt) => [rt.kind, rt] as const)));

const defaults = new Map(
  Object.entries(RUNTIMES).flatMap(([family, kinds]) => {
    const def = kinds.find((k) => k.default);
    return def ? [[family, def] as const] : [];
  }),
);

/** Resolves a requested kind (`nodejs:default` → `nodejs:24`); undefined when not supported. */
export function resolveRuntime(kind: string): RuntimeManifest | undefined {
  const m = /^(.+):default$/.exec(kind);
  return m ? defaults.get(m[1] ?? '') : byKind.get(kind);
}

/** The concrete kinds, sorted, for error messages. */
export function knownKinds(): string[] {
  return [...byKind.keys()].sort();
}

/** OpenWhisk's `Messages.invalidRuntimeError`. */
export function unsupportedRuntimeMessage(kind: string): string {
  return `The specified runtime '${kind}' is not supported by this platform. Valid values are: '${knownKinds().join("', '")}'.`;
}
