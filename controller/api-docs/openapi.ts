// The OpenAPI 3 description of the controller's REST API, served at `GET /api/v1/api-docs` (the `swagger_paths`
// that `GET /api/v1` advertises, as OpenWhisk's `CTL/RestAPIs.scala` serves its `apiv1swagger.json`). Paths use the
// routers' own parameter names (`:ns` → `{ns}`), and test/unit/controller/api-docs.test.ts compares them with the
// routers' registered routes both ways, so the document cannot drift from the code. A route also registered with a
// trailing slash (`/actions` and `/actions/`) is documented once, without it.
import type { BuildInfo } from '../routes/system.ts';

type Json = Record<string, unknown>;

export const API_DOCS_PATH = '/api/v1/api-docs';
export const DOCS_PAGE_PATH = '/api/v1/docs';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const param = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const query = (name: string, description: string, schema: Json) => ({ name, in: 'query', required: false, description, schema });

const NS = param('ns', 'The namespace, or `_` for the namespace of the key presented.');
const NAME = param('name', 'The entity name.');
const PKG = param('pkg', 'The package the action is in.');
const SKIP = query('skip', 'Entries to skip.', { type: 'integer', minimum: 0, default: 0 });
const LIMIT = query('limit', 'Most entries to return (0 means the most allowed, 200).', { type: 'integer', minimum: 0, maximum: 200, default: 30 });
const COUNT = query('count', 'Answer only the number of entries.', { type: 'boolean', default: false });
const OVERWRITE = query('overwrite', 'Replace an existing entity (else 409).', { type: 'boolean', default: false });
const BLOCKING = query('blocking', 'Wait for the result (up to the blocking wait limit).', { type: 'boolean', default: false });
const RESULT = query('result', 'With blocking: answer only the result.', { type: 'boolean', default: false });
const TIMEOUT = query('timeout', 'Longest blocking wait, in ms.', { type: 'integer', minimum: 0 });

const error = (description: string) => ({ description, content: json(ref('ErrorMessage')) });
/** The errors every authenticated route may answer (`CTL/RestAPIs.scala`, `CTL/BasicAuthenticationDirective.scala`). */
const AUTH_ERRORS = {
  '401': error('No credentials, or credentials that name no valid key.'),
  '403': error('The key may not act on this namespace or entity.'),
};
const ENTITY_ERRORS = { ...AUTH_ERRORS, '400': error('A malformed name, query parameter or body.'), '404': error('No such entity.') };

const ok = (schema: unknown, description = 'OK') => ({ '200': { description, content: json(schema) } });
const list = (item: string) => ok({ type: 'array', items: ref(item) }, 'The entries, newest first; with `count=true` an object with their number.');

interface Operation {
  tags: string[];
  summary: string;
  operationId: string;
  parameters?: unknown[];
  requestBody?: Json;
  responses: Json;
  security?: unknown[];
}

/** An operation of the authenticated API under `/api/v1/namespaces`. */
function api(tag: string, operationId: string, summary: string, parameters: unknown[], responses: Json, requestBody?: Json): Operation {
  return { tags: [tag], summary, operationId, parameters, ...(requestBody ? { requestBody } : {}), responses: { ...responses, ...ENTITY_ERRORS } };
}

/** A route outside the authenticated API: no credentials. */
function open(operationId: string, summary: string, responses: Json): Operation {
  return { tags: ['platform'], summary, operationId, responses, security: [] };
}

const body = (schema: string, description: string) => ({ required: true, description, content: json(ref(schema)) });
const payload = { required: false, description: 'The parameters of the activation, a JSON object.', content: json({ type: 'object', additionalProperties: true }) };
const text = (description: string, example: string) => ({ description, content: { 'text/plain': { schema: { type: 'string', example } } } });

function paths(): Record<string, Record<string, Operation>> {
  const invoke = (operationId: string, params: unknown[]): Operation =>
    api('actions', operationId, 'Invoke an action', params, {
      '200': { description: 'Blocking: the activation record (or only its result with `result=true`).', content: json(ref('Activation')) },
      '202': { description: 'Accepted: the activation id; blocking invokes that outlast the wait answer this too.', content: json(ref('ActivationId')) },
      '429': error('Too many invokes in the last minute, or too many activations in flight.'),
      '502': error('Blocking: the action failed (application or developer error); the body is the activation.'),
      '503': error('No invoker can run the action.'),
    }, payload);
  const action = (params: unknown[], suffix: string): Record<string, Operation> => ({
    get: api('actions', `getAction${suffix}`, 'Get an action', [...params, query('code', 'Include the code.', { type: 'boolean', default: true })], ok(ref('Action'))),
    put: api('actions', `updateAction${suffix}`, 'Create or update an action', [...params, OVERWRITE], { ...ok(ref('Action')), '409': error('The action exists and `overwrite` is not set.') }, body('ActionPut', 'The action.')),
    delete: api('actions', `deleteAction${suffix}`, 'Delete an action', params, ok(ref('Action'))),
    post: invoke(`invokeAction${suffix}`, [...params, BLOCKING, RESULT, TIMEOUT]),
  });
  return {
    '/ping': { get: open('ping', 'Liveness of the controller', { '200': text('Alive.', 'pong') }) },
    '/': { get: open('getPlatformInfo', 'The platform: its API paths, limits and runtimes', ok({ type: 'object' })) },
    '/api/v1': { get: open('getApiInfo', 'The API: version, build, `swagger_paths` and `web_url`', ok({ type: 'object' })) },
    [API_DOCS_PATH]: { get: open('getApiDocs', 'This document (OpenAPI 3)', ok({ type: 'object' })) },
    [DOCS_PAGE_PATH]: { get: open('getApiDocsPage', 'This document as a page to read', { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } }) },
    '/invokers': { get: open('getInvokers', 'Every invoker and its state as the load balancer sees it', ok({ type: 'object', additionalProperties: { type: 'string', enum: ['up', 'unhealthy', 'unresponsive', 'down'] } })) },
    '/invokers/healthy/count': { get: open('countHealthyInvokers', 'The number of healthy invokers', ok({ type: 'integer' })) },
    '/invokers/ready': {
      get: open('invokersReady', 'Whether every invoker is healthy', {
        ...ok({ type: 'object', properties: { healthy: { type: 'string', example: '1/1' } } }),
        '500': { description: 'Some invoker is not healthy.', content: json({ type: 'object', properties: { unhealthy: { type: 'string' } } }) },
      }),
    },
    '/metrics': { get: open('getMetrics', 'Prometheus metrics of the controller', { '200': text('Prometheus text exposition.', 'isowhisk_http_requests_total{...} 1') }) },

    '/api/v1/namespaces': { get: { tags: ['namespaces'], summary: 'The namespaces of the key presented', operationId: 'getNamespaces', responses: { ...ok({ type: 'array', items: { type: 'string' } }), ...AUTH_ERRORS } } },
    '/api/v1/namespaces/{ns}/limits': { get: api('namespaces', 'getLimits', "The namespace's limits in force", [NS], ok(ref('Limits'))) },

    '/api/v1/namespaces/{ns}/actions': { get: api('actions', 'getAllActions', 'List actions', [NS, SKIP, LIMIT, COUNT], list('EntityBrief')) },
    '/api/v1/namespaces/{ns}/actions/{name}/': { get: api('actions', 'getActionsInPackage', "List a package's actions (the trailing slash marks `name` as a package)", [NS, { ...NAME, description: 'The package.' }, SKIP, LIMIT, COUNT], list('EntityBrief')) },
    '/api/v1/namespaces/{ns}/actions/{name}': action([NS, NAME], ''),
    '/api/v1/namespaces/{ns}/actions/{pkg}/{name}': action([NS, PKG, NAME], 'InPackage'),
    '/api/v1/namespaces/whisk.system/actions/messaging/kafkaFeed': {
      post: api('feeds', 'kafkaFeed', "The Kafka feed action: creates, reads, updates or deletes a trigger's feed (`lifecycleEvent`)", [], {
        ...ok(ref('Activation'), 'The activation of the feed action.'),
        '502': error('The feed refused the request; the body is the activation.'),
      }, { required: true, content: json(ref('FeedRequest')) }),
    },

    '/api/v1/namespaces/{ns}/packages': { get: api('packages', 'getAllPackages', 'List packages', [NS, SKIP, LIMIT, COUNT, query('public', 'Only published packages.', { type: 'boolean' })], list('EntityBrief')) },
    '/api/v1/namespaces/{ns}/packages/{name}': {
      get: api('packages', 'getPackage', 'Get a package (or binding)', [NS, NAME], ok(ref('Package'))),
      put: api('packages', 'updatePackage', 'Create or update a package or binding', [NS, NAME, OVERWRITE], { ...ok(ref('Package')), '409': error('The package exists and `overwrite` is not set.') }, body('PackagePut', 'The package.')),
      delete: api('packages', 'deletePackage', 'Delete a package (it must be empty)', [NS, NAME], { ...ok(ref('Package')), '409': error('The package still has actions.') }),
    },

    '/api/v1/namespaces/{ns}/triggers': { get: api('triggers', 'getAllTriggers', 'List triggers', [NS, SKIP, LIMIT, COUNT], list('EntityBrief')) },
    '/api/v1/namespaces/{ns}/triggers/{name}': {
      get: api('triggers', 'getTrigger', 'Get a trigger', [NS, NAME], ok(ref('Trigger'))),
      put: api('triggers', 'updateTrigger', 'Create or update a trigger', [NS, NAME, OVERWRITE], { ...ok(ref('Trigger')), '409': error('The trigger exists and `overwrite` is not set.') }, body('TriggerPut', 'The trigger.')),
      delete: api('triggers', 'deleteTrigger', 'Delete a trigger', [NS, NAME], ok(ref('Trigger'))),
      post: api('triggers', 'fireTrigger', 'Fire a trigger: runs the action of every active rule', [NS, NAME], {
        '202': { description: "The trigger's activation id.", content: json(ref('ActivationId')) },
        '204': { description: 'No active rule: nothing ran.' },
        '429': error('Too many fires in the last minute.'),
      }, payload),
    },

    '/api/v1/namespaces/{ns}/rules': { get: api('rules', 'getAllRules', 'List rules', [NS, SKIP, LIMIT, COUNT], list('EntityBrief')) },
    '/api/v1/namespaces/{ns}/rules/{name}': {
      get: api('rules', 'getRule', 'Get a rule and its status', [NS, NAME], ok(ref('Rule'))),
      put: api('rules', 'updateRule', 'Create or update a rule', [NS, NAME, OVERWRITE], { ...ok(ref('Rule')), '409': error('The rule exists and `overwrite` is not set.') }, body('RulePut', 'The rule.')),
      post: api('rules', 'setState', 'Enable or disable a rule', [NS, NAME], { '200': text('Done.', 'OK') }, { required: true, content: json({ type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['active', 'inactive'] } } }) }),
      delete: api('rules', 'deleteRule', 'Delete a rule', [NS, NAME], ok(ref('Rule'))),
    },

    '/api/v1/namespaces/{ns}/activations': {
      get: api('activations', 'getActivations', 'List activations, newest first', [
        NS, SKIP, LIMIT, COUNT,
        query('name', 'Only activations of this entity (`name` or `pkg/name`).', { type: 'string' }),
        query('since', 'Only activations started at or after this time (ms since the epoch).', { type: 'integer' }),
        query('upto', 'Only activations started at or before this time (ms since the epoch).', { type: 'integer' }),
        query('docs', 'Whole records instead of summaries.', { type: 'boolean', default: false }),
      ], list('Activation')),
    },
    '/api/v1/namespaces/{ns}/activations/{id}': { get: api('activations', 'getActivationById', 'Get an activation record', [NS, param('id', 'The activation id.')], ok(ref('Activation'))) },
    '/api/v1/namespaces/{ns}/activations/{id}/result': { get: api('activations', 'getActivationResult', "Get an activation's response", [NS, param('id', 'The activation id.')], ok({ type: 'object' })) },
    '/api/v1/namespaces/{ns}/activations/{id}/logs': { get: api('activations', 'getActivationLogs', "Get an activation's logs", [NS, param('id', 'The activation id.')], ok({ type: 'object', properties: { logs: { type: 'array', items: { type: 'string' } } } })) },
    '/api/v1/namespaces/{ns}/activations/{id}/trace': {
      get: api('activations', 'getActivationTrace', "The caller's spans of the activation's trace, in Jaeger's JSON model (docs/tenant-isolation.md)", [NS, param('id', 'The activation id.')], {
        ...ok({ type: 'object', properties: { traceID: { type: 'string' }, spans: { type: 'array', items: { type: 'object' } }, processes: { type: 'object' } } }),
        '503': error('This deployment reads no trace backend, or it is not answering.'),
      }),
    },
  };
}

const LIMIT_NUMBERS = [
  'invocationsPerMinute', 'concurrentInvocations', 'firesPerMinute', 'minActionMemory', 'maxActionMemory', 'minActionLogs', 'maxActionLogs',
  'minActionTimeout', 'maxActionTimeout', 'minActionConcurrency', 'maxActionConcurrency', 'maxActionInstances', 'maxFeeds',
];

const keyValues = { type: 'array', items: ref('KeyValue') };
const entity = (extra: Json): Json => ({
  type: 'object',
  properties: { namespace: { type: 'string' }, name: { type: 'string' }, version: { type: 'string' }, publish: { type: 'boolean' }, annotations: keyValues, parameters: keyValues, updated: { type: 'integer' }, ...extra },
});

const SCHEMAS: Json = {
  ErrorMessage: { type: 'object', required: ['error'], properties: { error: { type: 'string' }, code: { type: 'string', description: 'The request id (the transaction id of the request).' } } },
  KeyValue: { type: 'object', required: ['key', 'value'], properties: { key: { type: 'string' }, value: {} } },
  ActivationId: { type: 'object', required: ['activationId'], properties: { activationId: { type: 'string', pattern: '^[0-9a-f]{32}$' } } },
  EntityBrief: entity({}),
  ActionLimits: { type: 'object', properties: { timeout: { type: 'integer', description: 'ms' }, memory: { type: 'integer', description: 'MB' }, logs: { type: 'integer', description: 'MB' }, concurrency: { type: 'integer' } } },
  ActionExec: {
    type: 'object',
    properties: {
      kind: { type: 'string', example: 'nodejs:default', description: '`sequence` for a sequence' },
      code: { type: 'string', description: 'JavaScript, or a base64 zip when `binary`' },
      binary: { type: 'boolean' },
      main: { type: 'string' },
      components: { type: 'array', items: { type: 'string' }, description: 'a sequence: the fully qualified names of its actions' },
    },
  },
  Action: entity({ exec: ref('ActionExec'), limits: ref('ActionLimits') }),
  ActionPut: { type: 'object', properties: { exec: ref('ActionExec'), limits: ref('ActionLimits'), parameters: keyValues, annotations: keyValues, publish: { type: 'boolean' }, version: { type: 'string' } } },
  Package: entity({ binding: { type: 'object', properties: { namespace: { type: 'string' }, name: { type: 'string' } } }, actions: { type: 'array', items: ref('EntityBrief') } }),
  PackagePut: { type: 'object', properties: { binding: { type: 'object', properties: { namespace: { type: 'string' }, name: { type: 'string' } } }, parameters: keyValues, annotations: keyValues, publish: { type: 'boolean' } } },
  Trigger: entity({ limits: { type: 'object' }, rules: { type: 'object', additionalProperties: { type: 'object', properties: { action: { type: 'object' }, status: { type: 'string' } } } } }),
  TriggerPut: { type: 'object', properties: { parameters: keyValues, annotations: keyValues, publish: { type: 'boolean' } } },
  Rule: entity({ trigger: { type: 'object' }, action: { type: 'object' }, status: { type: 'string', enum: ['active', 'inactive'] } }),
  RulePut: { type: 'object', required: ['trigger', 'action'], properties: { trigger: { type: 'string' }, action: { type: 'string' }, annotations: keyValues, status: { type: 'string', enum: ['active', 'inactive'] } } },
  Activation: {
    type: 'object',
    properties: {
      namespace: { type: 'string' },
      name: { type: 'string' },
      version: { type: 'string' },
      subject: { type: 'string' },
      activationId: { type: 'string' },
      cause: { type: 'string' },
      start: { type: 'integer' },
      end: { type: 'integer' },
      duration: { type: 'integer' },
      statusCode: { type: 'integer', description: '0 success, 1 application error, 2 developer error, 3 whisk internal error' },
      response: { type: 'object', properties: { status: { type: 'string' }, statusCode: { type: 'integer' }, success: { type: 'boolean' }, result: {} } },
      logs: { type: 'array', items: { type: 'string' } },
      annotations: keyValues,
      publish: { type: 'boolean' },
    },
  },
  FeedRequest: {
    type: 'object',
    required: ['lifecycleEvent', 'triggerName'],
    properties: { lifecycleEvent: { type: 'string', enum: ['CREATE', 'READ', 'UPDATE', 'DELETE'] }, triggerName: { type: 'string' }, topic: { type: 'string' }, authKey: { type: 'string' } },
  },
  Limits: {
    type: 'object',
    description: "OpenWhisk's `UserLimits` in force: system defaults overridden by the namespace's own (set with the admin command).",
    properties: {
      ...Object.fromEntries(LIMIT_NUMBERS.map((k) => [k, { type: 'integer' }])),
      maxParameterSize: { type: 'string', example: '1 MB' },
      maxPayloadSize: { type: 'string', example: '1 MB' },
      truncationSize: { type: 'string', example: '1 MB' },
      storeActivations: { type: 'boolean' },
      allowedKinds: { type: 'array', items: { type: 'string' } },
    },
  },
};

/** The document, for a controller whose API answers at `serverUrl` (relative `/` when unknown). */
export function openApiDocument(build: BuildInfo, serverUrl = '/'): Json {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Isowhisk REST API',
      version: '1.0.0',
      description:
        "OpenWhisk's REST API v1 as Isowhisk serves it. Authenticate with HTTP Basic, the key's `uuid` as user and its secret as " +
        'password. Web actions (`/api/v1/web/{namespace}/{package}/{action}`) are served on their own origin, the `web_url` of ' +
        '`GET /api/v1`; the API redirects them there. Build ' +
        `${build.date} (${build.buildno}).`,
      license: { name: 'Apache-2.0' },
    },
    servers: [{ url: serverUrl }],
    security: [{ basicAuth: [] }],
    tags: ['platform', 'namespaces', 'actions', 'feeds', 'packages', 'triggers', 'rules', 'activations'].map((name) => ({ name })),
    paths: paths(),
    components: { securitySchemes: { basicAuth: { type: 'http', scheme: 'basic' } }, schemas: SCHEMAS },
  };
}
