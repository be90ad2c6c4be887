// Process configuration from ISOWHISK_* environment variables: defaults, the message for each bad value, all bad
// values reported at once, and the EX_CONFIG exit.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  CONFIG_VARIABLES,
  ConfigError,
  EX_CONFIG,
  configVariablesMarkdown,
  exitOnConfigError,
  loadCommonConfig,
  loadControllerConfig,
  loadInvokerConfig,
  withControllerId,
  loadLauncherConfig,
} from '../../shared/config.ts';
import type { ConfigVariable, Env } from '../../shared/config.ts';

const loaderFor = (usedBy: ConfigVariable['usedBy']): ((env: Env) => unknown) =>
  usedBy === 'controller' ? loadControllerConfig
  : usedBy === 'invoker' ? loadInvokerConfig
  : usedBy === 'launcher' ? loadLauncherConfig
  : loadCommonConfig;

/** The ConfigError `load` throws. */
const configError = (load: () => unknown): ConfigError => {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  assert.fail('expected a ConfigError');
};

const common = {
  kafkaBrokers: ['127.0.0.1:9092'],
  topicPrefix: '',
  redisUrl: 'redis://127.0.0.1:6380',
  redisMode: 'standalone',
  redisSentinels: [],
  redisSentinelName: 'mymaster',
  redisClusterNodes: [],
  redisPassword: '',
  apiHost: 'http://127.0.0.1:3233',
  activationTtlSeconds: 604_800,
  userEvents: false,
  logLevel: 'info',
  traceBufferSpans: 5000,
  processRestarts: 0,
};

describe('config', () => {
  describe('defaults', () => {
    it('controller', () => {
      assert.deepStrictEqual(
        { ...loadControllerConfig({}) },
        {
          ...common,
          kafkaClientId: 'isowhisk-controller0',
          port: 3233,
          host: '127.0.0.1',
          webPort: 3234,
          webHost: '127.0.0.1',
          webUrl: 'http://127.0.0.1:3234',
          controllerId: 0,
          controllerIdLeaseMs: 15_000,
          blockingWaitMaxMs: 60_000,
          invokerOfflineAfterMs: 10_000,
          invokerTestActionIntervalMs: 60_000,
          completionGraceMs: 60_000,
          invocationsPerMinute: 60,
          concurrentInvocations: 30,
          firesPerMinute: 60,
          traceQueryUrl: 'http://127.0.0.1:16686',
          traceWaitMs: 5_000,
          feedsPerNamespace: 10,
          secretsKey: '',
          controllerCount: 1,
        },
      );
    });

    it('invoker', () => {
      assert.deepStrictEqual(
        { ...loadInvokerConfig({}) },
        {
          ...common,
          kafkaClientId: 'isowhisk-invoker0',
          invokerId: 0,
          userMemoryMB: 2048,
          pingIntervalMs: 1000,
          idleEvictionMs: 600_000,
          actionCacheBytes: 67_108_864,
          stemCells: 2,
          runQueueSize: 256,
          maxLogLines: 100_000,
          maxTimers: 10_000,
          archiveMaxMB: 64,
          isolateOvershootPercent: 10,
          hostMemoryMB: 0,
          heapHighPercent: 85,
          heapLowPercent: 70,
          metricsPort: 9300,
          metricsHost: '127.0.0.1',
          fetchAllowedHosts: [],
        },
      );
    });

    it('other tools read the common part with client id isowhisk', () => {
      assert.deepStrictEqual({ ...loadCommonConfig({}) }, { ...common, kafkaClientId: 'isowhisk' });
    });

    it('treats an empty or blank variable as unset', () => {
      assert.equal(loadControllerConfig({ ISOWHISK_CONTROLLER_PORT: '', ISOWHISK_LOG_LEVEL: '  ' }).port, 3233);
    });

    it('returns a frozen object', () => {
      assert.ok(Object.isFrozen(loadInvokerConfig({})));
    });
  });

  describe('values that are accepted', () => {
    it('reads every kind of variable', () => {
      const c = loadInvokerConfig({
        ISOWHISK_KAFKA_BROKERS: ' k1:9092, 10.0.0.2:19092 ,[::1]:9093,',
        ISOWHISK_KAFKA_CLIENT_ID: 'my-client',
        ISOWHISK_TOPIC_PREFIX: 'staging.',
        ISOWHISK_REDIS_URL: 'rediss://:pw@redis.example:6379/2',
        ISOWHISK_API_HOST: 'https://whisk.example',
        ISOWHISK_USER_EVENTS: 'YES',
        ISOWHISK_LOG_LEVEL: 'DEBUG',
        ISOWHISK_INVOKER_ID: ' 12 ',
        ISOWHISK_INVOKER_STEM_CELLS: '0',
      });
      assert.deepStrictEqual(c.kafkaBrokers, ['k1:9092', '10.0.0.2:19092', '[::1]:9093']);
      assert.equal(c.kafkaClientId, 'my-client');
      assert.equal(c.topicPrefix, 'staging.');
      assert.equal(c.redisUrl, 'rediss://:pw@redis.example:6379/2');
      assert.equal(c.apiHost, 'https://whisk.example');
      assert.equal(c.userEvents, true);
      assert.equal(c.logLevel, 'debug');
      assert.equal(c.invokerId, 12);
      assert.equal(c.stemCells, 0);
    });

    it('reads the fetch allow-list: hosts, host:port and IPv6 with or without a port', () => {
      const c = loadInvokerConfig({ ISOWHISK_FETCH_ALLOWED_HOSTS: ' api.internal, 127.0.0.1:8080,[::1]:9000 ,[fd00::5], fd00::6' });
      assert.deepStrictEqual(c.fetchAllowedHosts, ['api.internal', '127.0.0.1:8080', '[::1]:9000', '[fd00::5]', 'fd00::6']);
    });

    it('derives the Kafka client id from the process id unless it is set', () => {
      assert.equal(loadControllerConfig({ ISOWHISK_CONTROLLER_ID: '3' }).kafkaClientId, 'isowhisk-controller3');
      assert.equal(loadInvokerConfig({ ISOWHISK_INVOKER_ID: '5' }).kafkaClientId, 'isowhisk-invoker5');
    });

    it('takes ISOWHISK_CONTROLLER_ID=auto as an id decided at start: the client id follows the claimed id unless set', () => {
      const auto = loadControllerConfig({ ISOWHISK_CONTROLLER_ID: 'Auto' });
      assert.equal(auto.controllerId, 'auto');
      assert.equal(withControllerId(auto, 4).controllerId, 4);
      assert.equal(withControllerId(auto, 4).kafkaClientId, 'isowhisk-controller4');
      const named = loadControllerConfig({ ISOWHISK_CONTROLLER_ID: 'auto', ISOWHISK_KAFKA_CLIENT_ID: 'front' });
      assert.equal(withControllerId(named, 4).kafkaClientId, 'front');
    });

    it('reads the Redis mode with what it needs', () => {
      const sentinel = loadCommonConfig({ ISOWHISK_REDIS_MODE: 'sentinel', ISOWHISK_REDIS_SENTINELS: 's-0:26379, s-1:26379', ISOWHISK_REDIS_SENTINEL_NAME: 'main' });
      assert.deepStrictEqual([sentinel.redisMode, sentinel.redisSentinels, sentinel.redisSentinelName], ['sentinel', ['s-0:26379', 's-1:26379'], 'main']);
      const cluster = loadCommonConfig({ ISOWHISK_REDIS_MODE: 'CLUSTER', ISOWHISK_REDIS_CLUSTER_NODES: '10.0.0.1:6379', ISOWHISK_REDIS_PASSWORD: 's3cret' });
      assert.deepStrictEqual([cluster.redisMode, cluster.redisClusterNodes, cluster.redisPassword], ['cluster', ['10.0.0.1:6379'], 's3cret']);
    });

    it('gives web actions the port after the API\'s and a URL of their own, unless set', () => {
      const moved = loadControllerConfig({ ISOWHISK_CONTROLLER_PORT: '8080' });
      assert.equal(moved.webPort, 8081);
      assert.equal(moved.webUrl, 'http://127.0.0.1:8081');
      assert.equal(loadControllerConfig({ ISOWHISK_CONTROLLER_PORT: '65535' }).webPort, 65534);
      const set = loadControllerConfig({ ISOWHISK_WEB_PORT: '9000', ISOWHISK_WEB_HOST: '0.0.0.0', ISOWHISK_WEB_URL: 'https://web.example/' });
      assert.deepStrictEqual([set.webPort, set.webHost, set.webUrl], [9000, '0.0.0.0', 'https://web.example']);
    });

    it('accepts the bounds of a range', () => {
      assert.equal(loadControllerConfig({ ISOWHISK_CONTROLLER_PORT: '1' }).port, 1);
      assert.equal(loadControllerConfig({ ISOWHISK_CONTROLLER_PORT: '65535' }).port, 65535);
      assert.equal(loadControllerConfig({ ISOWHISK_CONTROLLER_HOST: '::' }).host, '::');
      assert.equal(loadControllerConfig({ ISOWHISK_CONTROLLER_HOST: '0.0.0.0' }).host, '0.0.0.0');
    });
  });

  describe('bad values', () => {
    const cases: Array<[name: string, value: string, message: string]> = [
      ['ISOWHISK_CONTROLLER_PORT', 'abc', 'ISOWHISK_CONTROLLER_PORT must be an integer from 1 to 65535, got "abc"'],
      ['ISOWHISK_CONTROLLER_PORT', '0', 'ISOWHISK_CONTROLLER_PORT must be an integer from 1 to 65535, got "0"'],
      ['ISOWHISK_CONTROLLER_PORT', '65536', 'ISOWHISK_CONTROLLER_PORT must be an integer from 1 to 65535, got "65536"'],
      ['ISOWHISK_CONTROLLER_PORT', '80.5', 'ISOWHISK_CONTROLLER_PORT must be an integer from 1 to 65535, got "80.5"'],
      ['ISOWHISK_CONTROLLER_PORT', '1e3', 'ISOWHISK_CONTROLLER_PORT must be an integer from 1 to 65535, got "1e3"'],
      ['ISOWHISK_CONTROLLER_HOST', 'http://x', 'ISOWHISK_CONTROLLER_HOST must be a host name or IP address, got "http://x"'],
      ['ISOWHISK_CONTROLLER_ID', '-1', 'ISOWHISK_CONTROLLER_ID must be an integer from 0 to 2147483647, or auto, got "-1"'],
      ['ISOWHISK_REDIS_MODE', 'replicated', 'ISOWHISK_REDIS_MODE must be one of standalone, sentinel, cluster, got "replicated"'],
      ['ISOWHISK_REDIS_MODE', 'sentinel', 'ISOWHISK_REDIS_SENTINELS must be set when ISOWHISK_REDIS_MODE is sentinel'],
      ['ISOWHISK_REDIS_MODE', 'cluster', 'ISOWHISK_REDIS_CLUSTER_NODES must be set when ISOWHISK_REDIS_MODE is cluster'],
      ['ISOWHISK_REDIS_SENTINELS', 'sentinel-0', 'ISOWHISK_REDIS_SENTINELS must be a comma-separated list of host:port, got "sentinel-0"'],
      ['ISOWHISK_COMPLETION_GRACE_MS', 'soon', 'ISOWHISK_COMPLETION_GRACE_MS must be an integer from 0 to 3600000, got "soon"'],
      ['ISOWHISK_KAFKA_BROKERS', 'localhost', 'ISOWHISK_KAFKA_BROKERS must be a comma-separated list of host:port, got "localhost"'],
      ['ISOWHISK_KAFKA_BROKERS', 'a:9092,b:99999', 'ISOWHISK_KAFKA_BROKERS must be a comma-separated list of host:port, got "a:9092,b:99999"'],
      ['ISOWHISK_KAFKA_BROKERS', ',', 'ISOWHISK_KAFKA_BROKERS must be a comma-separated list of host:port, got ","'],
      ['ISOWHISK_REDIS_URL', 'http://127.0.0.1:6380', 'ISOWHISK_REDIS_URL must be a URL starting with redis:// or rediss://, got "http://127.0.0.1:6380"'],
      ['ISOWHISK_REDIS_URL', '127.0.0.1:6380', 'ISOWHISK_REDIS_URL must be a URL starting with redis:// or rediss://, got "127.0.0.1:6380"'],
      ['ISOWHISK_USER_EVENTS', 'maybe', 'ISOWHISK_USER_EVENTS must be a boolean (true/false, 1/0, yes/no, on/off), got "maybe"'],
      ['ISOWHISK_LOG_LEVEL', 'loud', 'ISOWHISK_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
      ['ISOWHISK_TOPIC_PREFIX', 'my topics', 'ISOWHISK_TOPIC_PREFIX must be letters, digits, \'.\', \'_\' and \'-\' (at most 243), got "my topics"'],
      ['ISOWHISK_INVOKER_USER_MEMORY_MB', '64', 'ISOWHISK_INVOKER_USER_MEMORY_MB must be an integer from 128 to 1048576, got "64"'],
      ['ISOWHISK_INVOKER_STEM_CELLS', '65', 'ISOWHISK_INVOKER_STEM_CELLS must be an integer from 0 to 64, got "65"'],
      [
        'ISOWHISK_FETCH_ALLOWED_HOSTS',
        'http://api.internal/',
        'ISOWHISK_FETCH_ALLOWED_HOSTS must be a comma-separated list of host or host:port ([v6] or [v6]:port for IPv6), got "http://api.internal/"',
      ],
      [
        'ISOWHISK_FETCH_ALLOWED_HOSTS',
        'a.example,b.example:0',
        'ISOWHISK_FETCH_ALLOWED_HOSTS must be a comma-separated list of host or host:port ([v6] or [v6]:port for IPv6), got "a.example,b.example:0"',
      ],
      ['ISOWHISK_JAEGER_CACHE_DIR', 'tmp/jaeger', 'ISOWHISK_JAEGER_CACHE_DIR must be an absolute path, got "tmp/jaeger"'],
    ];

    for (const [name, value, message] of cases) {
      it(`${name}=${JSON.stringify(value)}`, () => {
        const usedBy = CONFIG_VARIABLES.find((v) => v.name === name)?.usedBy ?? assert.fail(`${name} is not documented`);
        const err = configError(() => loaderFor(usedBy)({ [name]: value }));
        assert.equal(err.message, message);
        assert.deepStrictEqual(err.problems, [message]);
      });
    }

    it('every documented variable refuses garbage, naming itself, the value and what it accepts', () => {
      for (const v of CONFIG_VARIABLES) {
        const err = configError(() => loaderFor(v.usedBy)({ [v.name]: '#!garbage value' }));
        assert.equal(err.message, `${v.name} must be ${v.accepts}, got "#!garbage value"`);
      }
    });

    it('refuses a web origin that is the API\'s own', () => {
      assert.equal(
        configError(() => loadControllerConfig({ ISOWHISK_WEB_PORT: '3233' })).message,
        'ISOWHISK_WEB_PORT must differ from ISOWHISK_CONTROLLER_PORT, got 3233 for both',
      );
      assert.equal(
        configError(() => loadControllerConfig({ ISOWHISK_API_HOST: 'https://whisk.example', ISOWHISK_WEB_URL: 'https://whisk.example:443/web' })).message,
        'ISOWHISK_WEB_URL must be another origin than ISOWHISK_API_HOST (another host, port or scheme), got "https://whisk.example:443/web"',
      );
    });

    it('reports several bad values together, each on its own line', () => {
      const err = configError(() =>
        loadControllerConfig({ ISOWHISK_CONTROLLER_PORT: 'abc', ISOWHISK_LOG_LEVEL: 'loud', ISOWHISK_KAFKA_BROKERS: 'nope' }),
      );
      assert.equal(err.problems.length, 3);
      assert.equal(
        err.message,
        [
          '3 configuration problems:',
          '  ISOWHISK_KAFKA_BROKERS must be a comma-separated list of host:port, got "nope"',
          '  ISOWHISK_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
          '  ISOWHISK_CONTROLLER_PORT must be an integer from 1 to 65535, got "abc"',
        ].join('\n'),
      );
    });

    it('ignores the other process\'s variables', () => {
      assert.doesNotThrow(() => loadControllerConfig({ ISOWHISK_INVOKER_ID: 'not read here' }));
      assert.doesNotThrow(() => loadInvokerConfig({ ISOWHISK_CONTROLLER_PORT: 'not read here' }));
    });
  });

  describe('exitOnConfigError', () => {
    const recorder = () => {
      const out = { text: '', code: undefined as number | undefined };
      const io = {
        writeError: (text: string) => void (out.text += text),
        exit: (code: number): never => {
          out.code = code;
          throw new Error('exited');
        },
      };
      return { out, io };
    };

    it('prints only the message and exits with EX_CONFIG (78)', () => {
      const { out, io } = recorder();
      assert.throws(() => exitOnConfigError(() => loadControllerConfig({ ISOWHISK_CONTROLLER_PORT: 'abc' }), io), /exited/);
      assert.equal(EX_CONFIG, 78);
      assert.equal(out.code, 78);
      assert.equal(out.text, 'ISOWHISK_CONTROLLER_PORT must be an integer from 1 to 65535, got "abc"\n');
    });

    it('returns the configuration when it is good, and lets other errors through', () => {
      const { out, io } = recorder();
      assert.equal(exitOnConfigError(() => loadControllerConfig({ ISOWHISK_CONTROLLER_PORT: '8080' }), io).port, 8080);
      assert.throws(() => exitOnConfigError(() => { throw new TypeError('bug'); }, io), TypeError);
      assert.deepStrictEqual(out, { text: '', code: undefined });
    });

    it('ends a real process with exit code 78 and the message on stderr, without a stack', () => {
      const configModule = new URL('../../shared/config.ts', import.meta.url).href;
      const script = `import { exitOnConfigError, loadInvokerConfig } from ${JSON.stringify(configModule)};
        exitOnConfigError(() => loadInvokerConfig()); console.log('not reached');`;
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, ISOWHISK_INVOKER_ID: 'x', ISOWHISK_INVOKER_PING_INTERVAL_MS: '0' },
        encoding: 'utf8',
      });
      assert.equal(child.status, 78, child.stderr);
      assert.equal(child.stdout, '');
      assert.equal(
        child.stderr,
        '2 configuration problems:\n' +
          '  ISOWHISK_INVOKER_ID must be an integer from 0 to 2147483647, got "x"\n' +
          '  ISOWHISK_INVOKER_PING_INTERVAL_MS must be an integer from 10 to 60000, got "0"\n',
      );
    });
  });

  describe('the variables table', () => {
    it('documents each variable once, with a meaning', () => {
      const names = CONFIG_VARIABLES.map((v) => v.name);
      assert.equal(new Set(names).size, names.length);
      for (const v of CONFIG_VARIABLES) {
        assert.match(v.name, /^ISOWHISK_[A-Z0-9_]+$/);
        assert.ok(v.meaning.length > 10, v.name);
      }
    });

    it('shows the defaults the loaders use', () => {
      const byName = new Map(CONFIG_VARIABLES.map((v) => [v.name, v.default]));
      assert.equal(byName.get('ISOWHISK_CONTROLLER_PORT'), '3233');
      assert.equal(byName.get('ISOWHISK_KAFKA_BROKERS'), '127.0.0.1:9092');
      assert.equal(byName.get('ISOWHISK_REDIS_URL'), 'redis://127.0.0.1:6380');
      assert.equal(byName.get('ISOWHISK_TOPIC_PREFIX'), '(empty)');
      assert.equal(byName.get('ISOWHISK_INVOKER_USER_MEMORY_MB'), '2048');
    });

    it('renders as a Markdown table with a row per variable', () => {
      const lines = configVariablesMarkdown().split('\n');
      assert.equal(lines[0], '| variable | read by | default | meaning |');
      assert.equal(lines.length, CONFIG_VARIABLES.length + 2);
      assert.equal(
        lines.find((l) => l.includes('ISOWHISK_CONTROLLER_PORT')),
        '| `ISOWHISK_CONTROLLER_PORT` | controller | `3233` | TCP port of the REST API; an integer from 1 to 65535 |',
      );
    });
  });
});
