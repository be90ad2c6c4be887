// ActivationRequest: what a controller publishes on topic `invoker<N>` for invoker N to run one activation.
// Schema versions are append-only: a shipped version is never edited (its fingerprint is in messages already
// written); a change is a new version at the end whose added fields have defaults.
import { createCodec } from './codec.ts';
import type { AvroSchema, SchemaVersions } from './codec.ts';

/** The action to run, as stored: its namespace, `name` or `pkg/name`, and the revision the controller resolved. */
export interface ActionRef {
  namespace: string;
  name: string;
  revision: string;
}

/** Who invoked: the subject and namespace of the API key used (never the key itself). */
export interface InvokingIdentity {
  subject: string;
  namespace: string;
  /** The namespace's uuid (the uuid half of its API key). */
  uuid: string;
}

/** A decoded ActivationRequest (current schema version). */
export interface ActivationRequest {
  /** 32 lowercase hex characters. */
  activationId: string;
  transactionId: string;
  action: ActionRef;
  identity: InvokingIdentity;
  /** `uuid:key`, present only when the action is annotated `provide-api-key`, for `__OW_API_KEY`. */
  apiKey: string | null;
  /** The merged parameters (package, action, request), as a JSON object text. */
  params: string;
  blocking: boolean;
  /** The controller waiting for the completion (its completion stream). */
  controllerId: number;
  /** Epoch ms after which the request must not run; it is recorded as expired instead. */
  deadline: number;
  /** Activation id of the sequence, conductor or trigger that caused this one. */
  cause: string | null;
  /** Names of parameters that are the action's init arguments (OpenWhisk `initArgs`). */
  initArgs: string[];
  /** Epoch ms at which the controller accepted the request (for wait time); 0 when written by version 1. */
  receivedAt: number;
  /** `ns/binding` when the action was named through a package binding (the record's `binding` annotation). */
  binding: string | null;
}

// The parts below are shared by every version: editing one edits all (the fingerprint test then fails).
const nullableString = ['null', 'string'];

const actionRef = {
  type: 'record',
  name: 'ActionRef',
  fields: [
    { name: 'namespace', type: 'string' },
    { name: 'name', type: 'string' },
    { name: 'revision', type: 'string' },
  ],
};

const identity = {
  type: 'record',
  name: 'InvokingIdentity',
  fields: [
    { name: 'subject', type: 'string' },
    { name: 'namespace', type: 'string' },
    { name: 'uuid', type: 'string' },
  ],
};

/** Fields of version 1, the first release. */
const v1Fields = [
  { name: 'activationId', type: 'string' },
  { name: 'transactionId', type: 'string' },
  { name: 'action', type: actionRef },
  { name: 'identity', type: identity },
  { name: 'apiKey', type: nullableString, default: null },
  { name: 'params', type: 'string' },
  { name: 'blocking', type: 'boolean' },
  { name: 'controllerId', type: 'int' },
  { name: 'deadline', type: 'long' },
  { name: 'cause', type: nullableString, default: null },
];

const v1: AvroSchema = { type: 'record', name: 'ActivationRequest', namespace: 'isowhisk', fields: v1Fields };

/** Fields of version 2: adds `initArgs` and `receivedAt`. */
const v2Fields = [
  ...v1Fields,
  { name: 'initArgs', type: { type: 'array', items: 'string' }, default: [] },
  { name: 'receivedAt', type: 'long', default: 0 },
];

const v2: AvroSchema = { type: 'record', name: 'ActivationRequest', namespace: 'isowhisk', fields: v2Fields };

/** Version 3: adds `binding`. */
const v3: AvroSchema = {
  type: 'record',
  name: 'ActivationRequest',
  namespace: 'isowhisk',
  fields: [...v2Fields, { name: 'binding', type: nullableString, default: null }],
};

export const activationRequestSchemas: SchemaVersions = [v1, v2, v3];

export const activationRequestCodec = createCodec<ActivationRequest>(activationRequestSchemas);
