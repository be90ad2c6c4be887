// `POST /api/v1/namespaces/whisk.system/actions/messaging/kafkaFeed`: the Kafka feed action. Feed lifecycle
// requests arrive as invokes of this action (that is how wsk and the openwhisk client configure a trigger's feed);
// the controller carries them out itself and answers like an invoke, with an activation record stored for each.
// A request the feed refuses is an application error; a failure to reach Kafka or Redis a whisk internal error.
import type { Router } from '@koa/router';
import { newRouter } from './router.ts';
import {
  type ActivationRecord,
  type StoredActivationResponse,
  STATUS_APPLICATION_ERROR,
  STATUS_SUCCESS,
  STATUS_WHISK_ERROR,
} from '../../shared/activation-record.ts';
import { newActivationId } from '../../shared/ids.ts';
import { activeTraceId } from '../../shared/tracing.ts';
import type { StoreRecord } from '../activation/record-writer.ts';
import { FeedError, KAFKA_FEED, KAFKA_FEED_ACTION, KAFKA_FEED_NAMESPACE, KAFKA_FEED_PACKAGE } from '../feeds/kafka-feed.ts';
import type { FeedProvider } from '../feeds/feed-service.ts';
import type { SystemLimits } from '../entities/limits.ts';
import { invokePayloadLimit, readInvokePayload } from '../middleware/body.ts';
import type { Logger } from '../middleware/logging.ts';
import { identityOf } from '../middleware/state.ts';
import { answerInvoke } from './actions.ts';
import { booleanParam } from './query.ts';

export interface FeedRoutesDeps {
  feeds: FeedProvider;
  storeRecord: StoreRecord;
  limits: SystemLimits;
  logger: Logger;
}

const PATH = `/api/v1/namespaces/${KAFKA_FEED_NAMESPACE}/actions/${KAFKA_FEED_PACKAGE}/${KAFKA_FEED_ACTION}`;

export function feedRoutes(deps: FeedRoutesDeps): Router {
  const router = newRouter();

  router.post(PATH, invokePayloadLimit(deps.limits), async (ctx) => {
    const blocking = booleanParam(ctx, 'blocking', false);
    const resultOnly = booleanParam(ctx, 'result', false);
    const payload = await readInvokePayload(ctx, deps.limits);
    const identity = identityOf(ctx);
    const start = Date.now();

    let response: StoredActivationResponse;
    try {
      response = { statusCode: STATUS_SUCCESS, result: await deps.feeds.handle(identity, payload) };
    } catch (err) {
      if (err instanceof FeedError) {
        response = { statusCode: STATUS_APPLICATION_ERROR, result: { error: err.message } };
      } else {
        deps.logger.error({ err }, 'the Kafka feed request failed');
        response = { statusCode: STATUS_WHISK_ERROR, result: { error: `The Kafka feed could not be configured: ${(err as Error).message}` } };
      }
    }
    const traceId = activeTraceId();
    const record: ActivationRecord = {
      namespace: identity.namespace,
      name: KAFKA_FEED_ACTION,
      subject: identity.subject,
      activationId: newActivationId(),
      start,
      end: Date.now(),
      response,
      logs: [],
      version: '0.0.1',
      publish: false,
      annotations: [{ key: 'path', value: KAFKA_FEED.slice(1) }, ...(traceId ? [{ key: 'traceId', value: traceId }] : [])],
    };
    await deps.storeRecord(record);

    answerInvoke(ctx, record.activationId, blocking ? record : undefined, resultOnly);
  });

  return router;
}
