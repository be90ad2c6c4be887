// Encodes and decodes one Kafka message type with Avro (avsc), across the versions of its schema.
//
// The writer's schema travels as its fingerprint (SHA-256 of the schema's Parsing Canonical Form, hex) in the Kafka
// header `avro-schema`. A reader knows every version of the schema its release shipped: it looks the fingerprint up
// and resolves that writer schema to its own current one, so during a rolling upgrade a new reader understands an
// old writer (fields added later take their defaults). A fingerprint it does not know — a writer NEWER than the
// reader, or a foreign producer — is an UnknownSchemaError: the bytes are never decoded with a guessed schema.
// Hence the upgrade order: readers before writers (invokers before controllers for requests, and the reverse for
// pings), or add the new schema version in one release and start writing it in the next.
import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import type { IHeaders } from 'kafkajs';
import { inspect } from 'node:util';

/** The Kafka header that carries the writer schema's fingerprint. */
export const SCHEMA_HEADER = 'avro-schema';

/**
 * An Avro schema as JSON. (avsc's own `Schema` type rejects record literals declared on their own and then nested,
 * which is how the message modules share parts between versions; avsc checks the schema itself at start-up.)
 */
export type AvroSchema = string | readonly AvroSchema[] | { readonly type: AvroSchema; readonly [attribute: string]: unknown };

/** Versions of one message type's schema, oldest first; the last one is what this release writes and reads into. */
export type SchemaVersions = readonly [AvroSchema, ...AvroSchema[]];

export interface EncodedMessage {
  value: Buffer;
  headers: { [SCHEMA_HEADER]: string };
}

export interface Codec<T> {
  /** The record name of the current schema, e.g. `isowhisk.ActivationRequest`. */
  readonly name: string;
  /** Fingerprint of the current schema (what `encode` writes). */
  readonly fingerprint: string;
  /** Fingerprints of every known version, oldest first. */
  readonly fingerprints: readonly string[];
  encode(value: T): EncodedMessage;
  /** Decodes a message value written with any known version; `headers` as kafkajs delivers them. */
  decode(value: Buffer, headers: IHeaders | undefined): T;
}

/**
 * Converts between the message's TypeScript shape and the shape avsc reads and writes, for the rare schema whose
 * natural TypeScript form avsc cannot produce (a union of two records, which avsc wraps as `{ "<name>": record }`).
 */
export interface Adapter<T> {
  toAvro(value: T): unknown;
  fromAvro(value: unknown): T;
}

/** The message's schema fingerprint is missing or not one of the known versions. */
export class UnknownSchemaError extends Error {
  readonly messageType: string;
  /** The header's value; undefined when the header was missing. */
  readonly fingerprint: string | undefined;

  constructor(messageType: string, fingerprint: string | undefined, detail: string) {
    super(`cannot decode ${messageType}: ${detail}`);
    this.name = 'UnknownSchemaError';
    this.messageType = messageType;
    this.fingerprint = fingerprint;
  }
}

/** A value to encode does not match the current schema; `problems` names each offending field. */
export class InvalidMessageError extends Error {
  readonly problems: readonly string[];

  constructor(messageType: string, problems: readonly string[]) {
    super(`invalid ${messageType}: ${problems.join('; ')}`);
    this.name = 'InvalidMessageError';
    this.problems = problems;
  }
}

// wrapUnions 'auto': nullable fields (["null", T]) stay plain values; only ambiguous unions are wrapped.
// omitRecordMethods: decoded records are plain data, without avsc's helper methods on their prototype.
// A fresh object per schema: avsc stores its registry of named types in the options object it is given, and each
// version must have its own (every version defines the same names).
const typeOptions = () => ({ wrapUnions: 'auto', omitRecordMethods: true }) as const;

export function fingerprintOf(type: Type): string {
  return type.fingerprint('sha256').toString('hex');
}

/**
 * A codec for the message type whose schema versions are `versions` (oldest first).
 * Every older version's resolver to the current schema is built here, at start-up, so an incompatible change
 * (a field added without a default, a changed type) fails when the module loads, not on the first old message.
 */
export function createCodec<T>(versions: SchemaVersions, adapter?: Adapter<T>): Codec<T> {
  const types = versions.map((schema) => avro.Type.forSchema(schema as Schema, typeOptions()));
  const current = types[types.length - 1] as Type;
  const name = current.name ?? current.typeName;
  const fingerprints = types.map(fingerprintOf);
  const currentFingerprint = fingerprints[fingerprints.length - 1] as string;

  // fingerprint → how to read bytes written with it: the current type directly, older ones through a resolver.
  const readers = new Map<string, (buf: Buffer) => unknown>();
  types.forEach((writer, i) => {
    const fingerprint = fingerprints[i] as string;
    if (readers.has(fingerprint)) {
      throw new Error(`${name}: schema versions ${fingerprints.indexOf(fingerprint) + 1} and ${i + 1} are the same on the wire (same canonical form)`);
    }
    if (writer === current) {
      readers.set(fingerprint, (buf) => current.fromBuffer(buf));
      return;
    }
    let resolver;
    try {
      resolver = current.createResolver(writer);
    } catch (err) {
      throw new Error(`${name}: schema version ${i + 1} cannot be read by the current version: ${(err as Error).message}`);
    }
    readers.set(fingerprint, (buf) => current.fromBuffer(buf, resolver));
  });

  const toAvro = adapter ? (v: T) => adapter.toAvro(v) : (v: T) => v;
  const fromAvro = adapter ? (v: unknown) => adapter.fromAvro(v) : (v: unknown) => v as T;

  return {
    name,
    fingerprint: currentFingerprint,
    fingerprints,
    encode(value) {
      const avroValue = toAvro(value);
      let buf: Buffer;
      try {
        buf = current.toBuffer(avroValue);
      } catch (err) {
        // avsc's own message ('invalid "int": "x"') has no field path; find the paths only on this slow path.
        throw new InvalidMessageError(name, invalidPaths(current, avroValue, (err as Error).message));
      }
      return { value: buf, headers: { [SCHEMA_HEADER]: currentFingerprint } };
    },
    decode(value, headers) {
      const fingerprint = headerText(name, headers?.[SCHEMA_HEADER]);
      const read = readers.get(fingerprint.toLowerCase());
      if (read === undefined) {
        throw new UnknownSchemaError(
          name,
          fingerprint,
          `schema fingerprint ${fingerprint} is not one of the ${readers.size} versions this release knows (a newer writer, or not an Isowhisk message)`,
        );
      }
      return fromAvro(read(value));
    },
  };
}

/** The header's text; kafkajs hands headers over as Buffers, tests and other clients as strings. */
function headerText(name: string, header: IHeaders[string]): string {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  if (values.length === 0) throw new UnknownSchemaError(name, undefined, `the message has no "${SCHEMA_HEADER}" header, so its schema is unknown`);
  const texts = new Set(values.map((v) => (typeof v === 'string' ? v : v.toString('utf8'))));
  if (texts.size > 1) throw new UnknownSchemaError(name, [...texts].join(','), `the message has several different "${SCHEMA_HEADER}" headers`);
  return [...texts][0] as string;
}

function invalidPaths(type: Type, value: unknown, fallback: string): string[] {
  const problems: string[] = [];
  type.isValid(value, {
    errorHook: (path, val, t) => problems.push(`${path.join('.') || '(value)'} must be ${describeType(t)}, got ${inspect(val, { depth: 1, breakLength: Infinity })}`),
  });
  return problems.length > 0 ? problems : [fallback];
}

function describeType(t: Type): string {
  if (t.name !== undefined) return `${t.typeName} ${t.name}`; // record, enum, fixed
  const schema = JSON.stringify(t.schema());
  return schema.length <= 60 ? schema : `${schema.slice(0, 57)}...`;
}
