// Errors as typed values. Code anywhere in Isowhisk (controller, activator, stores) throws one of these; the
// controller's error middleware (`controller/middleware/errors.ts`) is the single place that turns a kind into an
// HTTP status and an OpenWhisk `{error, code}` body. A message is optional: without one the HTTP mapping uses
// OpenWhisk's default text for the status (e.g. 404 → "The requested resource does not exist.").

export type ErrorKind =
  | 'bad-request' // 400: validation of names, limits, params, bodies
  | 'unauthenticated' // 401: no or bad credentials
  | 'forbidden' // 403: entitlement
  | 'not-found' // 404: entity, activation or route missing
  | 'method-not-allowed' // 405: verb not served on a known path
  | 'conflict' // 409: exists, concurrent modification, name used by another collection
  | 'too-large' // 413: request, entity field or bus message larger than allowed
  | 'unsupported-media-type' // 415: request body that is not JSON
  | 'unprocessable' // 422: a stored package binding that refers to itself
  | 'throttled' // 429: rate or concurrency limit
  | 'internal' // 500: anything unexpected
  | 'no-invoker' // 503: no healthy invoker can take the activation
  | 'unavailable'; // 503: the message bus or the store does not answer

export class WhiskError extends Error {
  readonly kind: ErrorKind;
  /** The client-facing message, when there is one more specific than the status' default text. */
  readonly detail: string | undefined;

  constructor(kind: ErrorKind, detail?: string, options?: { cause?: unknown }) {
    super(detail ?? kind, options);
    this.name = 'WhiskError';
    this.kind = kind;
    this.detail = detail;
  }
}

export class BadRequestError extends WhiskError {
  constructor(detail: string) {
    super('bad-request', detail);
    this.name = 'BadRequestError';
  }
}

/** The request body or a query parameter could not be read; texts follow the HTTP layer OpenWhisk uses. */
export class MalformedRequestError extends BadRequestError {
  /** `"The request content was malformed:\n<detail>"` */
  static content(detail: string): MalformedRequestError {
    return new MalformedRequestError(`The request content was malformed:\n${detail}`);
  }
  /** `"The query parameter '<name>' was malformed:\n<detail>"` */
  static queryParameter(name: string, detail: string): MalformedRequestError {
    return new MalformedRequestError(`The query parameter '${name}' was malformed:\n${detail}`);
  }
}

export type AuthenticationFailure = 'missing' | 'invalid';

export class AuthenticationError extends WhiskError {
  readonly failure: AuthenticationFailure;
  constructor(failure: AuthenticationFailure) {
    super(
      'unauthenticated',
      failure === 'missing'
        ? 'The resource requires authentication, which was not supplied with the request'
        : 'The supplied authentication is invalid',
    );
    this.name = 'AuthenticationError';
    this.failure = failure;
  }
}

export class ForbiddenError extends WhiskError {
  constructor(detail?: string) {
    super('forbidden', detail);
    this.name = 'ForbiddenError';
  }
  /** `"The supplied authentication is not authorized to access '<resource>'."` */
  static resource(resource: string): ForbiddenError {
    return new ForbiddenError(`The supplied authentication is not authorized to access '${resource}'.`);
  }
}

export class NotFoundError extends WhiskError {
  constructor(detail?: string) {
    super('not-found', detail);
    this.name = 'NotFoundError';
  }
  /** The text for a path no route serves (as opposed to a missing entity). */
  static route(): NotFoundError {
    return new NotFoundError('The requested resource could not be found.');
  }
}

export class MethodNotAllowedError extends WhiskError {
  readonly allowed: readonly string[];
  constructor(allowed: readonly string[]) {
    super('method-not-allowed', `HTTP method not allowed, supported methods: ${allowed.join(', ')}`);
    this.name = 'MethodNotAllowedError';
    this.allowed = allowed;
  }
}

export class ConflictError extends WhiskError {
  constructor(detail?: string) {
    super('conflict', detail);
    this.name = 'ConflictError';
  }
  static exists(): ConflictError {
    return new ConflictError('resource already exists');
  }
  static concurrentModification(): ConflictError {
    return new ConflictError('Concurrent modification to resource detected.');
  }
  static otherCollection(): ConflictError {
    return new ConflictError('Resource by this name exists but is not in this collection.');
  }
}

/** A request that names a stored entity in a state no request could have produced (a self-referring binding). */
export class UnprocessableError extends WhiskError {
  constructor(detail: string) {
    super('unprocessable', detail);
    this.name = 'UnprocessableError';
  }
}

export class TooLargeError extends WhiskError {
  constructor(detail?: string) {
    super('too-large', detail);
    this.name = 'TooLargeError';
  }
  /** `"<field> larger than allowed: N > M bytes."` (OpenWhisk `Messages.entityTooBig`). */
  static field(field: string, size: number, allowed: number): TooLargeError {
    return new TooLargeError(`${field} larger than allowed: ${size} > ${allowed} bytes.`);
  }
}

export class UnsupportedMediaTypeError extends WhiskError {
  constructor(detail?: string) {
    super('unsupported-media-type', detail);
    this.name = 'UnsupportedMediaTypeError';
  }
}

export class ThrottledError extends WhiskError {
  constructor(detail: string) {
    super('throttled', detail);
    this.name = 'ThrottledError';
  }
  static rate(count: number, allowed: number): ThrottledError {
    return new ThrottledError(`Too many requests in the last minute (count: ${count}, allowed: ${allowed}).`);
  }
  static concurrency(count: number, allowed: number): ThrottledError {
    return new ThrottledError(`Too many concurrent requests in flight (count: ${count}, allowed: ${allowed}).`);
  }
}

/** No usable invoker (OpenWhisk's `LoadBalancerException`); answered with 503 and the default text. */
export class NoInvokerError extends WhiskError {
  constructor(detail?: string, options?: { cause?: unknown }) {
    super('no-invoker', detail, options);
    this.name = 'NoInvokerError';
  }
}

/** Kafka or Redis does not answer in time: the request is refused (503) rather than left hanging. */
export class UnavailableError extends WhiskError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('unavailable', detail, options);
    this.name = 'UnavailableError';
  }
}

export class InternalError extends WhiskError {
  constructor(detail?: string, options?: { cause?: unknown }) {
    super('internal', detail, options);
    this.name = 'InternalError';
  }
}

export function isWhiskError(err: unknown): err is WhiskError {
  return err instanceof WhiskError;
}
