// An action as it is stored in Redis (`keys.entity(ns, 'actions', path)`): written by the controller's entity
// store, read by invokers to run it. Types only; how a PUT body becomes this document lives in
// controller/entities/models/action.ts (OpenWhisk's `WhiskAction.scala`, `Exec.scala`).

/** One `{key, value}` pair of an entity's parameters or annotations. */
export interface Parameter {
  key: string;
  value: unknown;
  /** Offered to the action only at initialisation (as environment), not as a run argument. */
  init?: true;
  encryption?: string;
}

export interface ActionLimits {
  timeout: number;
  memory: number;
  logs: number;
  concurrency: number;
  /** Only when set (FPC scheduler's per-action instance cap). */
  instances?: number;
}

export interface ActionExec {
  kind: string;
  /** Empty for sequences. */
  code: string;
  /** Detected from the code: base64 (a zip) or plain JavaScript. */
  binary: boolean;
  main?: string;
  /** A sequence's actions, fully qualified (`/ns/name`, `/ns/pkg/name`), run one after another by the controller. */
  components?: string[];
}

/**
 * `revision` increases with every write of any entity in the namespace, so it also never repeats for a name across
 * delete and re-create; invokers key their code cache and warm isolates by it. It is always the first property of
 * the stored JSON (the store relies on it).
 */
export interface ActionDoc {
  revision: number;
  /** `ns` or `ns/pkg`. */
  namespace: string;
  name: string;
  exec: ActionExec;
  parameters: Parameter[];
  limits: ActionLimits;
  version: string;
  publish: boolean;
  annotations: Parameter[];
  /** Epoch ms of the last write. */
  updated: number;
}
