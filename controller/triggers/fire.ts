// Firing a trigger (`CTL/Triggers.scala activate`): every rule in the trigger's map is tried — active
// ones invoke their action (non-blocking, as the caller, so the caller's entitlement applies), inactive ones are
// reported — and the trigger's own activation record lists the outcome of each as a JSON log line. The caller gets
// the trigger activation id as soon as the fire is accepted; the record is stored when every rule has been tried.
//
// OpenWhisk posts each rule's invoke back to its own HTTP API; here the controller calls the same invoke path in
// process, which keeps one trace across fire → rule → action without a loopback hop.
import { SpanKind } from '@opentelemetry/api';
import { type ActivationRecord, type Annotation, STATUS_SUCCESS } from '../../shared/activation-record.ts';
import { newActivationId } from '../../shared/ids.ts';
import { activeTraceId, inSpan } from '../../shared/tracing.ts';
import type { InvokeAction } from '../invoke/invoke-action.ts';
import type { StoreRecord } from '../invoke/record-writer.ts';
import type { Identity } from '../../shared/identity.ts';
import { actionRefOf, fqnOf } from '../entities/models/entity-path.ts';
import { parametersObject } from '../entities/models/parameters.ts';
import type { ReducedRule, TriggerDoc } from '../entities/models/trigger.ts';
import { toHttpError } from '../middleware/errors.ts';
import type { Throttles } from '../throttles/throttles.ts';

export interface FireRequest {
  identity: Identity;
  trigger: TriggerDoc;
  /** The fire's body, a JSON object. */
  payload: Record<string, unknown>;
  /** Request headers, lower-cased, passed to the actions as `__ow_headers`. */
  headers: Record<string, string>;
  transactionId: string;
  receivedAt: number;
  /** The trigger activation's id when the caller chose it beforehand (an alarm's claimed tick); a new one otherwise. */
  activationId?: string;
  /** Added to the trigger record's annotations (an alarm's tick). */
  annotations?: Annotation[];
}

export interface Fired {
  activationId: string;
  /** Settles with the stored trigger record once every rule has been tried. */
  recorded: Promise<ActivationRecord>;
}

/** One log line of a trigger record. */
export interface RuleOutcome {
  statusCode: number;
  success: boolean;
  activationId?: string;
  error?: string;
  rule: string;
  action: string;
}

export interface TriggerFirerDeps {
  invoke: InvokeAction;
  throttles?: Throttles;
  storeRecord: StoreRecord;
  /** Most a rule's action waits before the fire gives up on it (the blocking wait limit). */
  waitMs: number;
  onError?: (err: unknown, trigger: string) => void;
}

/** Undefined when no rule is active (the API answers 204 and records nothing); 429 when the fire rate is used up. */
export type FireTrigger = (req: FireRequest) => Promise<Fired | undefined>;

/** Headers not handed to actions: the caller's credentials. */
const PRIVATE_HEADERS = new Set(['authorization', 'cookie']);

export function actionHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (value === undefined || PRIVATE_HEADERS.has(key)) continue;
    out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function triggerFirer(deps: TriggerFirerDeps): FireTrigger {
  const runRule = async (req: FireRequest, key: string, rule: ReducedRule, args: Record<string, unknown>): Promise<RuleOutcome> => {
    const action = fqnOf(rule.action);
    if (rule.status !== 'active') {
      return { statusCode: 1, success: false, error: `Rule '${key}' is inactive, action '${action}' was not activated.`, rule: key, action };
    }
    return inSpan(`rule ${key}`, { kind: SpanKind.INTERNAL, attributes: { 'isowhisk.rule': key, 'faas.invoked_name': action } }, async () => {
      try {
        const started = await deps.invoke({
          identity: req.identity,
          ref: actionRefOf(rule.action),
          payload: args,
          blocking: false,
          waitMs: deps.waitMs,
          transactionId: req.transactionId,
          receivedAt: req.receivedAt,
        });
        return { statusCode: STATUS_SUCCESS, success: true, activationId: started.activationId, rule: key, action };
      } catch (err) {
        const { status, message } = toHttpError(err);
        return { statusCode: status >= 500 ? 3 : 1, success: false, error: message, rule: key, action };
      }
    });
  };

  return async (req) => {
    await deps.throttles?.fire(req.identity);
    const rules = Object.entries(req.trigger.rules ?? {});
    if (!rules.some(([, rule]) => rule.status === 'active')) return undefined;
    const activationId = req.activationId ?? newActivationId();
    const start = Date.now();
    const traceId = activeTraceId();
    const args = { ...parametersObject(req.trigger.parameters), __ow_headers: req.headers, ...req.payload };

    const recorded = (async () => {
      const outcomes = await Promise.all(rules.map(([key, rule]) => runRule(req, key, rule, args)));
      const annotations: Annotation[] = [...(req.annotations ?? []), ...(traceId ? [{ key: 'traceId', value: traceId }] : [])];
      const record: ActivationRecord = {
        namespace: req.identity.namespace,
        name: req.trigger.name,
        subject: req.identity.subject,
        activationId,
        start,
        end: 0,
        response: { statusCode: STATUS_SUCCESS, result: req.payload },
        logs: outcomes.map((o) => JSON.stringify(o)),
        version: req.trigger.version,
        publish: false,
        annotations,
      };
      await deps.storeRecord(record);
      return record;
    })();
    recorded.catch((err) => deps.onError?.(err, `${req.trigger.namespace}/${req.trigger.name}`));
    return { activationId, recorded };
  };
}
