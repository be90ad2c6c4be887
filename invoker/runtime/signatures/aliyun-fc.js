// Alibaba Cloud Function Compute's Node.js event handler (`exports.handler = function (event, context, callback)`):
// the event is a Buffer of the JSON payload, as Function Compute passes it. Evaluated by guest-bootstrap.js with the
// helpers (helpers.js). docs/signatures.md.
(function aliyunFc(h) {
  'use strict';

  function context(handlerName) {
    const a = h.activation();
    const levels = [['debug', 'stdout'], ['info', 'stdout'], ['warn', 'stderr'], ['error', 'stderr']];
    return {
      requestId: a.id,
      credentials: { accessKeyId: '', accessKeySecret: '', securityToken: '' },
      function: { name: a.name, handler: handlerName, memory: a.memoryMB, timeout: Math.ceil(a.timeoutMs / 1000), initializer: '' },
      service: { name: a.namespace, logProject: '', logStore: '', qualifier: 'LATEST', versionId: a.version },
      region: '',
      accountId: a.namespace,
      logger: h.logger(levels),
    };
  }

  function wrap(fn) {
    return (params) => {
      const event = h.bufferOf(h.utf8Encode(JSON.stringify(params)));
      return h.invoke(fn, (finish) => [event, context(fn.name || 'handler'), finish], h.unlessCallback(fn, 2)).then(h.asResult);
    };
  }

  return { names: ['handler'], wrap };
});
