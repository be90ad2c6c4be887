// Kubeless's Node.js runtime (`module.exports = { handler: (event, context) => ... }`): the parameters arrive as
// `event.data`, the returned value (or its promise's) is the result. Evaluated by guest-bootstrap.js with the helpers
// (helpers.js). docs/signatures.md.
(function kubeless(h) {
  'use strict';

  function wrap(fn) {
    return (params) => {
      const a = h.activation();
      const event = {
        data: params,
        'event-id': a.id,
        'event-type': 'application/json',
        'event-time': new Date().toISOString(),
        'event-namespace': 'isowhisk',
        extensions: {},
      };
      const context = { 'function-name': a.name, timeout: String(Math.ceil(a.timeoutMs / 1000)), runtime: 'nodejs', 'memory-limit': a.memoryMB + 'M' };
      return h.invoke(fn, () => [event, context], () => true).then(h.asResult);
    };
  }

  return { names: ['handler'], wrap };
});
