// The trace viewer's model (deploy/local/jaeger-ui/static/trace-model.js) over JSON shaped as Jaeger's query API
// answers it: an activation's trace across the controller and invoker processes, with the caller's span absent.
import assert from 'node:assert/strict';
import {
  apiErrorMessage, formatDuration, isErrorSpan, parseTraceId, serviceChoice, traceList, traceView,
} from '../../deploy/local/jaeger-ui/static/trace-model.js';
import type { ApiSpan, ApiTrace } from '../../deploy/local/jaeger-ui/static/trace-model.js';

const TRACE = 'bdad04b8af32de36b4b7d7a9eaa9f0b4';
const T = 1_795_474_710_000_000; // µs since the epoch, as Jaeger reports startTime

function span(spanID: string, operationName: string, processID: string, parent: string | undefined, offset: number, duration: number, extra: Partial<ApiSpan> = {}): ApiSpan {
  return {
    traceID: TRACE,
    spanID,
    operationName,
    references: parent ? [{ refType: 'CHILD_OF', traceID: TRACE, spanID: parent }] : [],
    startTime: T + offset,
    duration,
    tags: [{ key: 'otel.scope.name', type: 'string', value: 'isowhisk' }],
    logs: [],
    processID,
    warnings: null,
    ...extra,
  };
}

const processes = {
  p1: { serviceName: 'isowhisk-invoker', tags: [{ key: 'service.instance.id', type: 'string', value: 'invoker0' }] },
  p2: { serviceName: 'isowhisk-controller', tags: [{ key: 'service.instance.id', type: 'string', value: 'controller0' }] },
};

// In Jaeger's order (arbitrary), not tree order. 'a1' continues a caller's span that never reached Jaeger.
const activation: ApiTrace = {
  traceID: TRACE,
  processes,
  warnings: null,
  spans: [
    span('b3', 'XADD', 'p1', 'b1', 14_500, 500),
    span('b2', 'run', 'p1', 'b1', 4_000, 10_000, {
      tags: [
        { key: 'error', type: 'bool', value: true },
        { key: 'otel.status_code', type: 'string', value: 'ERROR' },
        { key: 'faas.coldstart', type: 'bool', value: true },
      ],
      logs: [{ timestamp: T + 5_000, fields: [{ key: 'event', type: 'string', value: 'exception' }] }],
    }),
    span('a3', 'send invoker0', 'p2', 'a1', 1_000, 2_000),
    span('b1', 'process invoker0', 'p1', 'a3', 2_500, 15_000),
    span('a1', 'POST /api/v1/namespaces/_/actions/hello', 'p2', 'c0ffee0000000001', 0, 20_000),
    span('b4', 'init', 'p1', 'b1', 3_000, 800),
    span('a2', 'GET', 'p2', 'a1', 500, 300),
    span('z1', 'late straggler', 'p1', 'fffffffffffffff1', 1_500, 100),
  ],
};

describe('trace viewer model', () => {
  describe('traceView', () => {
    const view = traceView(activation);
    const row = (name: string) => {
      const found = view.rows.find((r) => r.operationName === name);
      assert.ok(found, name);
      return found;
    };

    it('orders spans as a tree: parents first, siblings by start time, orphans as roots', () => {
      assert.deepEqual(
        view.rows.map((r) => [r.depth, r.operationName]),
        [
          [0, 'POST /api/v1/namespaces/_/actions/hello'],
          [1, 'GET'],
          [1, 'send invoker0'],
          [2, 'process invoker0'],
          [3, 'init'],
          [3, 'run'],
          [3, 'XADD'],
          [0, 'late straggler'],
        ],
      );
      assert.equal(row('process invoker0').parentID, 'a3', 'the CHILD_OF link crosses from controller to invoker');
      assert.equal(row('POST /api/v1/namespaces/_/actions/hello').parentID, undefined, 'the missing caller is no parent');
      assert.equal(row('late straggler').parentID, undefined);
    });

    it('names each span\'s service from its process', () => {
      assert.equal(row('send invoker0').service, 'isowhisk-controller');
      assert.equal(row('run').service, 'isowhisk-invoker');
      assert.deepEqual(row('run').process, processes.p1);
    });

    it('places spans on the trace\'s timeline', () => {
      const process = row('process invoker0');
      assert.equal(process.offset, 2_500);
      assert.equal(process.duration, 15_000);
      assert.equal(process.left, 0.125);
      assert.equal(process.width, 0.75);
      assert.equal(row('POST /api/v1/namespaces/_/actions/hello').left, 0);
      assert.equal(row('POST /api/v1/namespaces/_/actions/hello').width, 1);
      assert.deepEqual(row('run').logs, [{ offset: 5_000, fields: [{ key: 'event', type: 'string', value: 'exception' }] }]);
    });

    it('flags error spans', () => {
      assert.deepEqual(view.rows.filter((r) => r.error).map((r) => r.operationName), ['run']);
      const tagged = (key: string, value: unknown) => isErrorSpan(span('x', 'x', 'p1', undefined, 0, 1, { tags: [{ key, value }] }));
      assert.equal(tagged('error', true), true);
      assert.equal(tagged('error', 'true'), true);
      assert.equal(tagged('otel.status_code', 'ERROR'), true);
      assert.equal(tagged('otel.status_code', 'OK'), false);
      assert.equal(tagged('error', false), false);
      assert.equal(isErrorSpan(span('x', 'x', 'p1', undefined, 0, 1, { tags: null })), false);
    });

    it('summarises the trace', () => {
      const { rows, ...summary } = view;
      assert.equal(rows.length, 8);
      assert.deepEqual(summary, {
        traceID: TRACE,
        rootOperation: 'POST /api/v1/namespaces/_/actions/hello',
        rootService: 'isowhisk-controller',
        services: ['isowhisk-controller', 'isowhisk-invoker'],
        spanCount: 8,
        errorCount: 1,
        startTime: T,
        duration: 20_000,
      });
    });

    it('keeps spans whose parent links form a cycle, and copes with an empty trace', () => {
      const cyclic = traceView({ traceID: 'c', processes, spans: [span('x', 'x', 'p1', 'y', 10, 5), span('y', 'y', 'p1', 'x', 0, 5)] });
      assert.deepEqual(cyclic.rows.map((r) => [r.depth, r.operationName]), [[0, 'y'], [1, 'x']]);
      const empty = traceView({ traceID: 'e', processes: {}, spans: [] });
      assert.equal(empty.spanCount, 0);
      assert.equal(empty.duration, 0);
      assert.equal(empty.rootOperation, '(no spans)');
    });
  });

  describe('search list', () => {
    const older: ApiTrace = {
      traceID: 'older',
      processes: { p1: processes.p1 },
      spans: [span('o1', 'process invoker0', 'p1', undefined, -60_000_000, 3_000)],
    };

    it('summarises each trace, newest first', () => {
      const list = traceList({ data: [older, activation] });
      assert.deepEqual(list.map((t) => [t.traceID, t.rootOperation, t.spanCount, t.duration, t.services]), [
        [TRACE, 'POST /api/v1/namespaces/_/actions/hello', 8, 20_000, ['isowhisk-controller', 'isowhisk-invoker']],
        ['older', 'process invoker0', 1, 3_000, ['isowhisk-invoker']],
      ]);
      assert.equal(list[0]?.startTime, T);
      assert.ok(!('rows' in list[0]!), 'no span rows in the list');
      assert.deepEqual(traceList({ data: null }), []);
    });

    it('picks the requested service, else the first isowhisk-* one', () => {
      const body = { data: ['jaeger-test-1', 'isowhisk-invoker', 'isowhisk-controller'] };
      assert.deepEqual(serviceChoice(body, null), {
        services: ['isowhisk-controller', 'isowhisk-invoker', 'jaeger-test-1'],
        selected: 'isowhisk-controller',
      });
      assert.equal(serviceChoice(body, 'jaeger-test-1').selected, 'jaeger-test-1');
      assert.equal(serviceChoice(body, 'gone').selected, 'isowhisk-controller');
      assert.equal(serviceChoice({ data: ['b', 'a'] }, undefined).selected, 'a');
      assert.deepEqual(serviceChoice({ data: null }, 'x'), { services: [], selected: undefined });
    });
  });

  describe('helpers', () => {
    it('reads Jaeger\'s error messages', () => {
      const notFound = { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 404, msg: 'trace not found' }] };
      assert.equal(apiErrorMessage(404, notFound), 'trace not found (HTTP 404)');
      assert.equal(apiErrorMessage(502, 'Bad Gateway\n'), 'HTTP 502: Bad Gateway');
      assert.equal(apiErrorMessage(500, { errors: null }), 'HTTP 500');
    });

    it('takes a trace id from a bare id, a traceparent or a trace link', () => {
      assert.equal(parseTraceId(` ${TRACE.toUpperCase()} `), TRACE);
      assert.equal(parseTraceId(`00-${TRACE}-00f067aa0ba902b7-01`), TRACE);
      assert.equal(parseTraceId(`http://127.0.0.1:16686/trace/${TRACE}`), TRACE);
      assert.equal(parseTraceId('not-an-id'), undefined);
      assert.equal(parseTraceId(''), undefined);
    });

    it('formats durations with three significant digits', () => {
      assert.equal(formatDuration(0), '0 µs');
      assert.equal(formatDuration(850), '850 µs');
      assert.equal(formatDuration(1_500), '1.5 ms');
      assert.equal(formatDuration(12_345), '12.3 ms');
      assert.equal(formatDuration(2_000_000), '2 s');
    });
  });
});
