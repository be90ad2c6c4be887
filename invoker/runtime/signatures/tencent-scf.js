// Tencent Cloud SCF's Node.js event function (`exports.main_handler = async (event, context)`, or with a callback).
// Evaluated by guest-bootstrap.js with the helpers (helpers.js). docs/signatures.md.
(function tencentScf(h) {
  'use strict';

  function context() {
    const a = h.activation();
    return {
      callbackWaitsForEmptyEventLoop: true,
      memory_limit_in_mb: a.memoryMB,
      time_limit_in_ms: a.timeoutMs,
      request_id: a.id,
      environment: '{}',
      environ: '',
      function_version: a.version,
      function_name: a.name,
      namespace: a.namespace,
      tencentcloud_region: '',
      tencentcloud_appid: '',
      tencentcloud_uin: '',
      getRemainingTimeInMillis: h.remainingMs(a.deadline),
    };
  }

  function wrap(fn) {
    return (params) => h.invoke(fn, (finish) => [params, context(), finish], h.unlessCallback(fn, 2)).then(h.asResult);
  }

  return { names: ['main_handler', 'main'], wrap };
});
