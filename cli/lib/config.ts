// Effective configuration, resolved as wsk does: command-line flag > environment (WHISK_AUTH, WHISK_APIHOST,
// WHISK_APIVERSION, WSK_TRACEHOST) > properties file > default. There is no default API host or key: commands that talk to
// the API say so when they are missing.
import { propsFilePath, readProps, type Props } from './props.ts';

export const DEFAULT_NAMESPACE = '_';
export const DEFAULT_API_VERSION = 'v1';
/** The operator's Jaeger UI, which `activation get` links a record's trace to: the local stack's by default. */
export const DEFAULT_TRACEHOST = 'http://127.0.0.1:16686';

/** The global flags every command accepts (wsk's persistent flags). */
export interface GlobalFlags {
  apihost?: string;
  auth?: string;
  apiversion?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
  verbose?: boolean;
  debug?: boolean;
  tracehost?: string;
}

export interface Config {
  propsFile: string;
  props: Props;
  /** As configured (may lack a scheme; then https is meant). Empty when not configured. */
  apiHost: string;
  auth: string;
  namespace: string;
  apiVersion: string;
  cert: string;
  key: string;
  insecure: boolean;
  verbose: boolean;
  debug: boolean;
  /** The operator's Jaeger UI (`--tracehost` > WSK_TRACEHOST > TRACEHOST > the local stack's Jaeger). */
  traceHost: string;
}

const nonEmpty = (...values: Array<string | undefined>): string | undefined => values.find((v) => v !== undefined && v !== '');

export function resolveConfig(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): Config {
  const propsFile = propsFilePath(env);
  const props = readProps(propsFile);
  const debug = flags.debug === true || (env.WSK_CLI_DEBUG ?? '') !== '';
  return {
    propsFile,
    props,
    apiHost: (nonEmpty(flags.apihost, env.WHISK_APIHOST, props.get('APIHOST')) ?? '').replace(/\/+$/, ''),
    auth: nonEmpty(flags.auth, env.WHISK_AUTH, props.get('AUTH')) ?? '',
    namespace: nonEmpty(props.get('NAMESPACE')) ?? DEFAULT_NAMESPACE,
    apiVersion: nonEmpty(flags.apiversion, env.WHISK_APIVERSION, props.get('APIVERSION')) ?? DEFAULT_API_VERSION,
    cert: nonEmpty(flags.cert, props.get('CERT')) ?? '',
    key: nonEmpty(flags.key, props.get('KEY')) ?? '',
    insecure: flags.insecure === true,
    verbose: flags.verbose === true || debug,
    debug,
    traceHost: (nonEmpty(flags.tracehost, env.WSK_TRACEHOST, props.get('TRACEHOST')) ?? DEFAULT_TRACEHOST).replace(/\/+$/, ''),
  };
}

/**
 * The API's base URL (`<host>/api`): a host without a scheme means https, as wsk's `GetURLBase` does.
 * Undefined when no host is configured or it does not parse.
 */
export function apiBaseUrl(apiHost: string): URL | undefined {
  if (apiHost === '') return undefined;
  const withScheme = /^https?:\/\//i.test(apiHost) ? apiHost : `https://${apiHost}`;
  try {
    const url = new URL(`${withScheme.replace(/\/+$/, '')}/api`);
    return url.hostname === '' ? undefined : url;
  } catch {
    return undefined;
  }
}
