// OpenWhisk's user events: with ISOWHISK_USER_EVENTS on, every activation record the invoker stores is also
// published as an Avro ActivationEvent on the `events` topic, for metrics consumers (OpenWhisk's user-events).
import type { Logger } from 'pino';
import { activationEventCodec, type ActivationEvent } from '../shared/avro/activation-event.ts';
import type { ActivationRequest } from '../shared/avro/activation-request.ts';
import type { MessageProducer } from '../shared/kafka/client.ts';
import type { ActivationRecord } from '../shared/activation-record.ts';

const numberAnnotation = (record: ActivationRecord, key: string): number => {
  const value = record.annotations.find((a) => a.key === key)?.value;
  return typeof value === 'number' ? value : 0;
};

export function activationEvent(source: string, request: ActivationRequest, record: ActivationRecord): ActivationEvent {
  const limits = record.annotations.find((a) => a.key === 'limits')?.value as { memory?: number } | undefined;
  return {
    eventType: 'Activation',
    source,
    subject: request.identity.subject,
    namespace: request.identity.namespace,
    userId: request.identity.uuid,
    timestamp: record.end,
    body: {
      name: `${request.action.namespace}/${request.action.name}`,
      activationId: record.activationId,
      statusCode: record.response.statusCode,
      duration: record.duration ?? 0,
      waitTime: numberAnnotation(record, 'waitTime'),
      initTime: numberAnnotation(record, 'initTime'),
      kind: String(record.annotations.find((a) => a.key === 'kind')?.value ?? 'unknown'),
      conductor: false,
      memory: limits?.memory ?? 0,
      causedBy: record.cause !== undefined ? 'sequence' : null,
      size: record.response.size ?? null,
      userDefinedStatusCode: null,
    },
  };
}

export type EventSink = (request: ActivationRequest, record: ActivationRecord) => void;

/** An EventSink that publishes to `topic`; a failed publish is logged, never retried (events are best effort). */
export function kafkaEventSink(producer: MessageProducer, topic: string, source: string, logger: Logger): EventSink {
  return (request, record) => {
    const { value, headers } = activationEventCodec.encode(activationEvent(source, request, record));
    producer.send(topic, [{ key: record.activationId, value, headers }]).catch((err) => logger.warn({ err }, 'publishing a user event failed'));
  };
}
