// The Avro messages on Kafka: every schema round-trips fully populated values (so the hand-written TypeScript
// types match the schemas), older writers are read by the current reader, and an unknown schema is refused.
import assert from 'node:assert/strict';
import avro from 'avsc';
import type { Schema } from 'avsc';
import { activationEventCodec, activationEventSchemas } from '../../shared/avro/activation-event.ts';
import type { ActivationEvent, ActivationEventBody } from '../../shared/avro/activation-event.ts';
import { activationRequestCodec, activationRequestSchemas } from '../../shared/avro/activation-request.ts';
import type { ActivationRequest } from '../../shared/avro/activation-request.ts';
import { createCodec, fingerprintOf, InvalidMessageError, SCHEMA_HEADER, UnknownSchemaError } from '../../shared/avro/codec.ts';
import type { Codec } from '../../shared/avro/codec.ts';
import { pingCodec, pingSchemas } from '../../shared/avro/ping.ts';
import type { Ping } from '../../shared/avro/ping.ts';

/** Decoded records are instances of avsc's generated classes; compare their data only. */
const plain = <T>(value: T): T => structuredClone(value);

const roundTrip = <T>(codec: Codec<T>, value: T): T => {
  const { value: buf, headers } = codec.encode(value);
  return plain(codec.decode(buf, headers));
};

const request: ActivationRequest = {
  activationId: '0123456789abcdef0123456789abcdef',
  transactionId: 'Tx0123456789abcdefghijABCDEFGHIJ',
  action: { namespace: 'guest', name: 'pkg/hello', revision: '3-abc' },
  identity: { subject: 'alice', namespace: 'alice-ns', uuid: '23bc46b1-71f6-4ed5-8c54-816aa4f8c502' },
  apiKey: '23bc46b1-71f6-4ed5-8c54-816aa4f8c502:secret',
  params: '{"name":"World","n":[1,2]}',
  blocking: true,
  controllerId: 7,
  deadline: 1_700_000_060_000,
  cause: 'fedcba9876543210fedcba9876543210',
  initArgs: ['dbUrl', 'token'],
  receivedAt: 1_700_000_000_123,
  binding: 'guest/myBinding',
};

const ping: Ping = {
  invokerId: 3,
  instance: 'invoker3',
  userMemoryMB: 2048,
  freeMemoryMB: 1792,
  warmActions: ['guest/hello', 'guest/pkg/world'],
  status: 'draining',
  sentAt: 1_700_000_000_456,
};

const envelope = {
  subject: 'alice',
  namespace: 'alice-ns',
  userId: '23bc46b1-71f6-4ed5-8c54-816aa4f8c502',
};

const activationBody: ActivationEventBody = {
  name: 'alice-ns/pkg/hello',
  activationId: '0123456789abcdef0123456789abcdef',
  statusCode: 2,
  duration: 41,
  waitTime: 3,
  initTime: 12,
  kind: 'nodejs:24',
  conductor: true,
  memory: 256,
  causedBy: 'sequence',
  size: 1024,
  userDefinedStatusCode: 418,
};

const activationEvent: ActivationEvent = {
  ...envelope,
  source: 'invoker0',
  eventType: 'Activation',
  timestamp: 1_700_000_000_789,
  body: activationBody,
};

const metricEvent: ActivationEvent = {
  ...envelope,
  source: 'controller0',
  eventType: 'Metric',
  timestamp: 1_700_000_000_999,
  body: { metricName: 'ConcurrentRateLimit', metricValue: 1 },
};

describe('Avro messages', () => {
  describe('round trip of fully populated values (the TypeScript types match the current schemas)', () => {
    // A field in the type but not the schema is dropped on encode; a field in the schema but not the type is
    // added on decode (or fails encode): either way the decoded value differs from the original.
    it('ActivationRequest, with every nullable field set', () => {
      assert.deepStrictEqual(roundTrip(activationRequestCodec, request), request);
    });

    it('ActivationRequest, with every nullable field null and empty arrays', () => {
      const sparse: ActivationRequest = { ...request, apiKey: null, cause: null, initArgs: [], blocking: false, binding: null };
      assert.deepStrictEqual(roundTrip(activationRequestCodec, sparse), sparse);
    });

    it('Ping, in both statuses', () => {
      assert.deepStrictEqual(roundTrip(pingCodec, ping), ping);
      const up: Ping = { ...ping, status: 'up', warmActions: [] };
      assert.deepStrictEqual(roundTrip(pingCodec, up), up);
    });

    it('ActivationEvent with an Activation body, optional figures set', () => {
      assert.deepStrictEqual(roundTrip(activationEventCodec, activationEvent), activationEvent);
    });

    it('ActivationEvent with an Activation body, optional figures null', () => {
      const sparse: ActivationEvent = {
        ...activationEvent,
        eventType: 'Activation',
        body: { ...activationBody, conductor: false, causedBy: null, size: null, userDefinedStatusCode: null },
      };
      assert.deepStrictEqual(roundTrip(activationEventCodec, sparse), sparse);
    });

    it('ActivationEvent with a Metric body (the other branch of the union)', () => {
      assert.deepStrictEqual(roundTrip(activationEventCodec, metricEvent), metricEvent);
    });

    it('keeps the OpenWhisk shape: body is the record itself, not a wrapped union', () => {
      const decoded = roundTrip(activationEventCodec, metricEvent);
      assert.deepStrictEqual(Object.keys(decoded.body).sort(), ['metricName', 'metricValue']);
    });
  });

  describe('the schema header', () => {
    it('carries the hex SHA-256 fingerprint of the current schema', () => {
      const { headers } = pingCodec.encode(ping);
      assert.match(headers[SCHEMA_HEADER], /^[0-9a-f]{64}$/);
      assert.equal(headers[SCHEMA_HEADER], fingerprintOf(avro.Type.forSchema(pingSchemas.at(-1) as Schema)));
    });

    it('is accepted as a Buffer (as kafkajs delivers it), a string, or a one-element array', () => {
      const { value, headers } = pingCodec.encode(ping);
      const text = headers[SCHEMA_HEADER];
      for (const header of [Buffer.from(text), text, [Buffer.from(text)], text.toUpperCase()]) {
        assert.deepStrictEqual(plain(pingCodec.decode(value, { [SCHEMA_HEADER]: header })), ping);
      }
    });

    it('refuses a message without the header, naming the header', () => {
      const { value } = pingCodec.encode(ping);
      for (const headers of [undefined, {}, { [SCHEMA_HEADER]: [] }]) {
        assert.throws(
          () => pingCodec.decode(value, headers),
          (err: unknown) => err instanceof UnknownSchemaError && err.fingerprint === undefined && err.message.includes(`"${SCHEMA_HEADER}" header`),
        );
      }
    });

    it('refuses an unknown fingerprint instead of guessing', () => {
      const { value } = pingCodec.encode(ping);
      const unknown = 'ab'.repeat(32);
      assert.throws(
        () => pingCodec.decode(value, { [SCHEMA_HEADER]: Buffer.from(unknown) }),
        (err: unknown) =>
          err instanceof UnknownSchemaError &&
          err.fingerprint === unknown &&
          err.messageType === 'isowhisk.Ping' &&
          err.message.includes(unknown),
      );
    });

    it('refuses a message of another type (its fingerprint is not one of this type\'s versions)', () => {
      const { value, headers } = pingCodec.encode(ping);
      assert.throws(() => activationRequestCodec.decode(value, headers), UnknownSchemaError);
    });

    it('refuses two different fingerprints on one message', () => {
      const { value, headers } = pingCodec.encode(ping);
      assert.throws(() => pingCodec.decode(value, { [SCHEMA_HEADER]: [headers[SCHEMA_HEADER], 'ab'.repeat(32)] }), UnknownSchemaError);
    });
  });

  describe('schema evolution', () => {
    const v1Writer = avro.Type.forSchema(activationRequestSchemas[0] as Schema);
    const { initArgs: _initArgs, receivedAt: _receivedAt, binding: _binding, ...v1Request } = request;
    const v2Writer = avro.Type.forSchema(activationRequestSchemas[1] as Schema);
    const { binding: _v2Binding, ...v2Request } = request;

    it('reads an ActivationRequest written with version 1, filling the later fields with their defaults', () => {
      const decoded = activationRequestCodec.decode(v1Writer.toBuffer(v1Request), { [SCHEMA_HEADER]: fingerprintOf(v1Writer) });
      assert.deepStrictEqual(plain(decoded), { ...v1Request, initArgs: [], receivedAt: 0, binding: null });
    });

    it('reads an ActivationRequest written with version 2: no binding', () => {
      const decoded = activationRequestCodec.decode(v2Writer.toBuffer(v2Request), { [SCHEMA_HEADER]: fingerprintOf(v2Writer) });
      assert.deepStrictEqual(plain(decoded), { ...v2Request, binding: null });
    });

    it('writes with the current (last) version', () => {
      const { headers } = activationRequestCodec.encode(request);
      assert.notEqual(headers[SCHEMA_HEADER], fingerprintOf(v1Writer));
      assert.equal(headers[SCHEMA_HEADER], activationRequestCodec.fingerprints.at(-1));
    });

    it('reads a v1 ping with the current reader, and carries the v2 status `unhealthy`', () => {
      const pingV1 = avro.Type.forSchema(pingSchemas[0] as Schema);
      const old = pingCodec.decode(pingV1.toBuffer({ ...ping, status: 'draining' }), { [SCHEMA_HEADER]: fingerprintOf(pingV1) });
      assert.equal(old.status, 'draining');
      assert.equal(roundTrip(pingCodec, { ...ping, status: 'unhealthy' }).status, 'unhealthy');
      assert.throws(() => pingV1.toBuffer({ ...ping, status: 'unhealthy' }), 'v1 has no such symbol');
    });

    // Shipped versions are immutable: messages already on Kafka carry these fingerprints. Editing a shipped
    // version (instead of appending a new one) changes one of them and makes its old messages unreadable.
    it('keeps every shipped schema version byte-for-byte (pinned fingerprints)', () => {
      assert.deepStrictEqual(activationRequestCodec.fingerprints, [
        '657ff385545f586776206bd9219d387ddf787e3f186dae8f61ebb79c7d8bb255',
        '27e9b3f9b18dbcefc1ef9b6bacc2994840aaa198f955ad1779bb3c889a995687',
        '36e354ad6023890b2f3f8bc9da06537dc7ba2a2d2b60c7a2b0b34557d3d661ca',
      ]);
      assert.deepStrictEqual(pingCodec.fingerprints, [
        'd851bf7b82f890b4de5fe475737cd04d07ae39c570f057418e041349faa9666b',
        '62fc3106ceab97a2c7bf83180a755baa0cb64f1fa5312cb39e6f479f01f7cb65',
      ]);
      assert.deepStrictEqual(activationEventCodec.fingerprints, ['353e6fe54dbad691b7f89f7af5a08d8bbb3d18ceb1630593d5975f293e7627fd']);
      assert.equal(activationEventSchemas.length, 1);
    });

    const record = (fields: object[]) => ({ type: 'record', name: 'T', namespace: 'test', fields });

    it('rejects at creation a new version whose added field has no default', () => {
      const v1 = record([{ name: 'a', type: 'string' }]);
      const v2 = record([{ name: 'a', type: 'string' }, { name: 'b', type: 'int' }]);
      assert.throws(() => createCodec([v1, v2]), /schema version 1 cannot be read by the current version/);
      assert.doesNotThrow(() => createCodec([v1, record([{ name: 'a', type: 'string' }, { name: 'b', type: 'int', default: 0 }])]));
    });

    it('rejects at creation two versions that are the same on the wire', () => {
      const v1 = record([{ name: 'a', type: 'string' }]);
      const v2 = record([{ name: 'a', type: 'string', doc: 'only the docs changed' }]);
      assert.throws(() => createCodec([v1, v2]), /versions 1 and 2 are the same on the wire/);
    });
  });

  describe('invalid values', () => {
    it('refuses to encode a value that does not match, naming the field', () => {
      const bad = { ...request, action: { ...request.action, revision: 42 } } as unknown as ActivationRequest;
      assert.throws(
        () => activationRequestCodec.encode(bad),
        (err: unknown) => err instanceof InvalidMessageError && err.problems.length === 1 && /^action\.revision must be "string", got 42$/.test(err.problems[0] ?? ''),
      );
    });

    it('refuses an ActivationEvent whose eventType contradicts its body', () => {
      const writer = avro.Type.forSchema(activationEventSchemas[0] as Schema);
      const { body, ...envelope } = metricEvent;
      const contradictory = writer.toBuffer({ ...envelope, eventType: 'Activation', body: { 'isowhisk.Metric': body } });
      assert.throws(() => activationEventCodec.decode(contradictory, { [SCHEMA_HEADER]: fingerprintOf(writer) }), /eventType Activation does not match its body/);
    });
  });
});
