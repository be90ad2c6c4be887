// Guest side of `require('openwhisk')` (docs/openwhisk-client.md): the client OpenWhisk's Node runtime ships to
// actions, for the calls actions make of the platform's API, built on the isolate's `fetch` (guest-fetch.js), which
// the invoker carries out under the egress policy (the API host is always allowed). guest-bootstrap.js evaluates
// this file the first time an action requires `openwhisk`, and calls the function it evaluates to with the
// runtime's fetch and process.env; Node never imports it.
//
// The surface follows the `openwhisk` package's lib/ (actions, triggers, rules, packages, activations, namespaces,
// feeds): the same option names, the same paths and query strings, and errors shaped like its OpenWhiskError
// (`message`, `error` = the response body, `statusCode`). Not offered: `routes` (no API gateway), `auth_handler`,
// proxies, agents, certificates and retries.
'use strict';
(function makeOpenwhisk(runtime) {
  const fetch = runtime.fetch;
  const env = runtime.env;

  // http.STATUS_CODES for the statuses the API answers with (the npm client's messages name them).
  const STATUS_TEXT = {
    400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
    406: 'Not Acceptable', 408: 'Request Timeout', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type',
    422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
    503: 'Service Unavailable', 504: 'Gateway Timeout',
  };
  const INVALID_RESOURCE = 'Invalid resource identifier from options. Should be "resource", "/namespace/resource" or "/namespace/package/resource".';

  /** The npm client's OpenWhiskError: an Error with the response body as `error` and the HTTP status as `statusCode`. */
  class OpenWhiskError extends Error {
    constructor(message, error, statusCode) {
      super(message);
      this.name = 'OpenWhiskError';
      this.error = error;
      this.statusCode = statusCode;
    }
  }

  // The isolate has no btoa: API keys are ASCII `uuid:key`, so this encodes code units as bytes.
  const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  function base64(text) {
    let out = '';
    for (let i = 0; i < text.length; i += 3) {
      const a = text.charCodeAt(i) & 255;
      const b = i + 1 < text.length ? text.charCodeAt(i + 1) & 255 : 0;
      const c = i + 2 < text.length ? text.charCodeAt(i + 2) & 255 : 0;
      const n = (a << 16) | (b << 8) | c;
      out += BASE64[(n >> 18) & 63] + BASE64[(n >> 12) & 63];
      out += i + 1 < text.length ? BASE64[(n >> 6) & 63] : '=';
      out += i + 2 < text.length ? BASE64[n & 63] : '=';
    }
    return out;
  }

  const own = (object, key) => object !== null && typeof object === 'object' && Object.prototype.hasOwnProperty.call(object, key);
  const defaultNamespace = () => env.__OW_NAMESPACE || '_';

  /** names.js: `name`, `pkg/name`, `/ns/name`, `ns/pkg/name`, `/ns/pkg/name` -> { namespace, id }. */
  function parseIdAndNs(resource) {
    const names = resource.split('/');
    const slashes = names.length - 1;
    if (slashes === 0 || (slashes === 1 && !resource.startsWith('/'))) return { namespace: defaultNamespace(), id: resource };
    if (slashes === 2) return resource.startsWith('/') ? { namespace: names[1], id: names[2] } : { namespace: names[0], id: names[1] + '/' + names[2] };
    if (slashes === 3 && resource.startsWith('/')) return { namespace: names[1], id: names[2] + '/' + names[3] };
    throw new Error(INVALID_RESOURCE);
  }

  function pick(options, names) {
    const out = {};
    for (const name of names) if (own(options, name)) out[name] = options[name];
    return out;
  }

  function errMessage(body) {
    if (!body) return 'Response Missing Error Message.';
    if (typeof body.error === 'string') return body.error;
    const result = body.response && body.response.result;
    if (result && result.error) {
      if (typeof result.error === 'string') return result.error;
      if (typeof result.error.error === 'string') return result.error.error;
      if (result.error.statusCode) return 'application error, status code: ' + result.error.statusCode;
    }
    return 'Response Missing Error Message.';
  }

  class Client {
    constructor(options) {
      options = options || {};
      const apiKey = options.api_key || env.__OW_API_KEY;
      const version = options.apiversion || 'v1';
      let api = options.api;
      const apihost = options.apihost || env.__OW_API_HOST;
      if (!api && apihost) api = (/^https?:\/\//.test(apihost) ? '' : 'https://') + apihost + '/api/' + version + '/';
      if (!apiKey) throw new Error('Invalid constructor options. Missing api_key parameter or token plugin.');
      if (!api) throw new Error('Invalid constructor options. Missing either api or apihost parameters.');
      this.options = { apiKey, api: api.endsWith('/') ? api : api + '/', apiVersion: version, namespace: options.namespace, noUserAgent: options.noUserAgent };
    }

    /** One API call: the parsed body, or an OpenWhiskError for a status >= 400 or a request that failed. */
    async request(method, path, options) {
      options = options || {};
      let url = this.options.api + path;
      const qs = options.qs;
      if (qs) {
        const pairs = Object.keys(qs).map((key) => encodeURIComponent(key) + '=' + encodeURIComponent(qs[key]));
        if (pairs.length > 0) url += '?' + pairs.join('&');
      }
      const headers = { authorization: 'Basic ' + base64(this.options.apiKey), accept: 'application/json' };
      if (!this.options.noUserAgent) headers['user-agent'] = options['User-Agent'] || env.__OW_USER_AGENT || 'openwhisk-client-js';
      if (typeof this.options.namespace === 'string') headers['x-namespace-id'] = this.options.namespace;
      if (env.__OW_TRANSACTION_ID) headers['x-request-id'] = env.__OW_TRANSACTION_ID;
      const init = { method, headers };
      const body = options.body !== undefined ? options.body : options.params;
      if (body !== undefined && method !== 'GET' && method !== 'DELETE') {
        headers['content-type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
      let res;
      let text;
      try {
        res = await fetch(url, init);
        text = await res.text();
      } catch (err) {
        const message = err && err.message ? err.message : String(err);
        throw new OpenWhiskError('Unknown Error From API: ' + message, { error: message }, undefined);
      }
      let parsed = text;
      if (text !== '') {
        try {
          parsed = JSON.parse(text);
        } catch {}
      }
      if (res.status >= 400) {
        const statusText = STATUS_TEXT[res.status] || res.statusText;
        const message = method + ' ' + url + ' Returned HTTP ' + res.status + ' (' + statusText + ') --> "' + errMessage(parsed) + '"';
        throw new OpenWhiskError(message, parsed, res.status);
      }
      return parsed;
    }
  }

  /** base_operation.js + resources.js: options by name (`name` or the resource's own identifier), arrays in parallel. */
  class Resources {
    constructor(client, resource, identifier) {
      this.client = client;
      this.resource = resource;
      this.identifiers = ['name', identifier];
      this.invokeQs = [];
    }

    namespace(options) {
      if (options && typeof options.namespace === 'string') return encodeURIComponent(options.namespace);
      if (typeof this.client.options.namespace === 'string') return encodeURIComponent(this.client.options.namespace);
      return encodeURIComponent(defaultNamespace());
    }

    request(method, options) {
      const base = 'namespaces/' + this.namespace(options) + '/' + this.resource;
      const path = options.id ? base + '/' + options.id.split('/').map(encodeURIComponent).join('/') : base;
      return this.client.request(method, path, options);
    }

    parseOptions(options) {
      return typeof options === 'string' ? { name: options } : options || {};
    }

    retrieveId(options) {
      const key = this.identifiers.find((name) => own(options, name));
      if (!key) throw new Error('Missing resource identifier from parameters, supported parameter names: ' + this.identifiers.join(', '));
      return options[key];
    }

    withId(method, options) {
      if (Array.isArray(options)) return Promise.all(options.map((o) => this.withId(method, o)));
      options = this.parseOptions(options);
      try {
        const id = this.retrieveId(options);
        const parsed = parseIdAndNs(id);
        if (id.startsWith('/')) options.namespace = parsed.namespace;
        options.id = parsed.id;
      } catch (err) {
        return Promise.reject(err);
      }
      return this.request(method, options);
    }

    list(options, qs = ['skip', 'limit', 'count']) {
      options = this.parseOptions(options);
      options.qs = pick(options, qs);
      return this.request('GET', options);
    }

    get(options) {
      return this.withId('GET', options);
    }

    delete(options) {
      return this.withId('DELETE', options);
    }

    invoke(options) {
      options = this.parseOptions(options);
      if (own(options, 'params') && (typeof options.params !== 'object' || options.params === null)) {
        return Promise.reject(new Error('Invalid payload type, must be an object.'));
      }
      options.qs = pick(options, this.invokeQs);
      options.body = own(options, 'params') ? options.params : {};
      return this.withId('POST', options);
    }

    /** `body(options)` is the entity; `annotations` as an object become key/value pairs. */
    create(options) {
      options = this.parseOptions(options);
      let body;
      try {
        body = this.body(options);
      } catch (err) {
        return Promise.reject(err);
      }
      if (options.annotations && typeof options.annotations === 'object' && !Array.isArray(options.annotations)) {
        body = Object.assign({ annotations: Object.keys(options.annotations).map((key) => ({ key, value: options.annotations[key] })) }, body);
      }
      options.qs = pick(options, ['overwrite']);
      options.body = body;
      return this.withId('PUT', options);
    }

    update(options) {
      options = this.parseOptions(options);
      options.overwrite = true;
      return this.create(options);
    }

    body() {
      return {};
    }
  }

  class Actions extends Resources {
    constructor(client) {
      super(client, 'actions', 'actionName');
      this.invokeQs = ['blocking'];
    }

    get(options) {
      options = this.parseOptions(options);
      options.qs = pick(options, ['code']);
      return this.withId('GET', options);
    }

    /** With `blocking` and `result`, the action's result alone (a failed activation rejects with its record). */
    invoke(options) {
      options = this.parseOptions(options);
      const invoked = super.invoke(options);
      if (!(options.blocking && options.result) || Array.isArray(options)) return invoked;
      return invoked.then((record) => (record && record.response ? record.response.result : Promise.reject(record)));
    }

    body(options) {
      const isUpdate = options.overwrite === true;
      const hasCode = own(options, 'action');
      const hasSequence = own(options, 'sequence');
      if (!hasCode && !hasSequence && !isUpdate) throw new Error('Missing mandatory action or sequence parameter from options.');
      if (hasCode && hasSequence) throw new Error('Invalid options parameters, contains both action and sequence.');
      if (hasCode && typeof options.action === 'object' && options.action !== null) return options.action;
      let body = {};
      if (hasCode) {
        body = { exec: Object.assign({ kind: options.kind || 'nodejs:default', code: options.action }, options.exec) };
      } else if (hasSequence) {
        if (!Array.isArray(options.sequence)) throw new Error('Invalid sequence parameter, must be an array.');
        if (options.sequence.length === 0) throw new Error('Invalid sequence parameter, must contain at least one action.');
        body = { exec: { kind: 'sequence', components: options.sequence } };
      }
      if (options.params && typeof options.params === 'object') {
        body.parameters = Object.keys(options.params).map((key) => ({ key, value: options.params[key] }));
      }
      if (options.version) body.version = options.version;
      if (options.limits) body.limits = options.limits;
      return body;
    }
  }

  class Triggers extends Resources {
    constructor(client) {
      super(client, 'triggers', 'triggerName');
    }

    body(options) {
      return options.trigger || {};
    }
  }

  class Packages extends Resources {
    constructor(client) {
      super(client, 'packages', 'packageName');
    }

    list(options) {
      return super.list(options, ['skip', 'limit', 'public', 'count']);
    }

    invoke() {
      throw new Error('Operation (invoke) not supported for rule resource.');
    }

    body(options) {
      return options.package || {};
    }
  }

  class Rules extends Resources {
    constructor(client) {
      super(client, 'rules', 'ruleName');
    }

    invoke() {
      throw new Error('Operation (invoke) not supported for rule resource.');
    }

    body(options) {
      if (!own(options, 'action')) throw new Error('Missing mandatory action parameter from options.');
      if (!own(options, 'trigger')) throw new Error('Missing mandatory trigger parameter from options.');
      return { action: this.fqn(options.action, options.namespace), trigger: this.fqn(options.trigger, options.namespace) };
    }

    fqn(identifier, namespace) {
      if (identifier.startsWith('/')) return identifier;
      return '/' + (namespace || this.client.options.namespace || defaultNamespace()) + '/' + identifier;
    }

    enable(options) {
      options = this.parseOptions(options);
      options.params = { status: 'active' };
      return super.invoke(options);
    }

    disable(options) {
      options = this.parseOptions(options);
      options.params = { status: 'inactive' };
      return super.invoke(options);
    }
  }

  class Activations {
    constructor(client) {
      this.client = client;
      this.ns = new Resources(client, 'activations', 'activationId');
    }

    list(options) {
      options = options || {};
      options.qs = pick(options, ['name', 'skip', 'limit', 'upto', 'docs', 'since', 'count']);
      return this.client.request('GET', 'namespaces/' + this.ns.namespace(options) + '/activations', options);
    }

    activation(options, tail) {
      const id = typeof options === 'string' ? options : options && (options.name || options.activation || options.activationId);
      if (!id) return Promise.reject(new Error('Missing mandatory activation parameter from options.'));
      const opts = typeof options === 'string' ? {} : options;
      return this.client.request('GET', 'namespaces/' + this.ns.namespace(opts) + '/activations/' + encodeURIComponent(id) + (tail ? '/' + tail : ''), opts);
    }

    get(options) {
      return this.activation(options);
    }

    logs(options) {
      return this.activation(options, 'logs');
    }

    result(options) {
      return this.activation(options, 'result');
    }
  }

  class Namespaces {
    constructor(client) {
      this.client = client;
    }

    list(options) {
      return this.client.request('GET', 'namespaces', options);
    }

    async get(options) {
      const [actions, packages, triggers, rules] = await Promise.all(
        ['actions', 'packages', 'triggers', 'rules'].map((kind) => this.client.request('GET', 'namespaces/_/' + kind, options)),
      );
      return { actions, packages, triggers, rules };
    }
  }

  /** feeds.js: a feed action invoked blocking with the lifecycle event, the caller's key and the trigger's full name. */
  class Feeds {
    constructor(client) {
      this.client = client;
      this.actions = new Actions(client);
    }

    feed(event, options) {
      options = options || {};
      const name = options.feedName || options.name;
      if (!name) return Promise.reject(new Error('Missing mandatory feedName or id parameters from options.'));
      if (!options.trigger) return Promise.reject(new Error('Missing mandatory trigger parameter from options.'));
      const trigger = options.trigger.startsWith('/')
        ? options.trigger
        : '/' + (this.client.options.namespace || defaultNamespace()) + '/' + options.trigger;
      const params = Object.assign({ lifecycleEvent: event, authKey: this.client.options.apiKey, triggerName: trigger }, options.params || {});
      return this.actions.invoke({ name, namespace: options.namespace, blocking: true, params });
    }

    create(options) {
      return this.feed('CREATE', options);
    }

    get(options) {
      return this.feed('READ', options);
    }

    update(options) {
      return this.feed('UPDATE', options);
    }

    delete(options) {
      return this.feed('DELETE', options);
    }
  }

  function openwhisk(options) {
    const client = new Client(options);
    return {
      actions: new Actions(client),
      activations: new Activations(client),
      namespaces: new Namespaces(client),
      packages: new Packages(client),
      rules: new Rules(client),
      triggers: new Triggers(client),
      feeds: new Feeds(client),
    };
  }
  return openwhisk;
});
