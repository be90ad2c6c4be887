// Function signatures of other platforms an action may declare (the `signature` annotation, `wsk action create
// ... --signature NAME`): the controller checks the name on PUT and serves the HTTP-shaped ones as raw web actions,
// the invoker runs the action through that platform's adapter (invoker/runtime/signatures/). No annotation, or
// `openwhisk`, is OpenWhisk's own `main(params)` and costs nothing extra. See docs/signatures.md.

/** The annotation naming an action's signature. */
export const SIGNATURE_ANNOTATION = 'signature';

/** OpenWhisk's own calling convention: the same as no annotation. */
export const NATIVE_SIGNATURE = 'openwhisk';

export const SIGNATURES = ['aws-lambda', 'gcp-http', 'azure', 'aliyun-fc', 'tencent-scf', 'openfaas', 'kubeless'] as const;

export type Signature = (typeof SIGNATURES)[number];

/**
 * Signatures whose functions answer HTTP: their web actions always get the request raw (`__ow_query`, `__ow_body`,
 * as with `raw-http`), so the adapter can hand the function the platform's own request, body bytes included.
 */
export const HTTP_SIGNATURES: ReadonlySet<Signature> = new Set<Signature>(['aws-lambda', 'gcp-http', 'azure', 'openfaas']);

export function isSignature(value: unknown): value is Signature {
  return typeof value === 'string' && (SIGNATURES as readonly string[]).includes(value);
}

/**
 * The adapter an annotation value asks for: undefined for the native convention (absent, `openwhisk`), else the
 * signature. Throws for anything else, with the text the controller answers a PUT with.
 */
export function signatureOf(value: unknown): Signature | undefined {
  if (value === undefined || value === null || value === NATIVE_SIGNATURE) return undefined;
  if (isSignature(value)) return value;
  throw new Error(unknownSignatureMessage(value));
}

export function unknownSignatureMessage(value: unknown): string {
  const shown = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  return `The signature ${shown} is not known; known signatures: ${[NATIVE_SIGNATURE, ...SIGNATURES].join(', ')}.`;
}
