// deploy/compose/compose.yaml, read as Compose reads it: every service has a health check and waits for healthy
// dependencies, the controllers' and invokers' ids are distinct, the Isowhisk processes' environment names the
// compose services (at the ports they listen on) and is accepted by shared/config.ts, the proxy fronts every
// controller, Redis keeps an AOF and the data lives in named volumes.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadControllerConfig, loadInvokerConfig } from '../../../shared/config.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const COMPOSE_DIR = resolve(ROOT, 'deploy', 'compose');

interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] };
  volumes?: string[];
  ports?: string[];
}

interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readFileSync(resolve(COMPOSE_DIR, 'compose.yaml'), 'utf8'), { merge: true }) as ComposeFile;
const services = Object.entries(compose.services);
const version = (JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const withRole = (role: string) => services.filter(([, s]) => s.command?.[0] === role);
const controllers = withRole('controller');
const invokers = withRole('invoker');
const isowhisk = [...controllers, ...invokers];

/** A service's environment as the process gets it; `${VAR:-}` interpolations taken as unset. */
function envOf(service: Service): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.environment ?? {})) env[k] = /^\$\{[A-Z_]+:-\}$/.test(String(v)) ? '' : String(v);
  return env;
}

/** host:port of a URL or of a `host:port` item. */
function hostPort(text: string): { host: string; port: string } {
  const url = new URL(text.includes('://') ? text : `tcp://${text}`);
  return { host: url.hostname, port: url.port };
}

/** The ports a service listens on inside the network, as its own configuration declares them. */
function listenPorts(name: string, service: Service): string[] {
  const env = envOf(service);
  if (name === 'kafka') return (env.KAFKA_LISTENERS ?? '').split(',').map((l) => l.split(':').at(-1) ?? '');
  if (name === 'redis') return ['6379'];
  if (name === 'jaeger') return ['4318', '16686']; // the image's OTLP/HTTP receiver and query UI (Jaeger's defaults)
  if (service.image?.startsWith('nginx')) return [...proxyConf.matchAll(/^\s*listen\s+(\d+);/gm)].map((m) => m[1] ?? '');
  return [];
}

const proxyConf = readFileSync(resolve(COMPOSE_DIR, 'proxy.conf'), 'utf8');

describe('deploy/compose/compose.yaml', () => {
  it('runs Kafka, Redis, Jaeger, a proxy, two controllers and two invokers', () => {
    const names = services.map(([n]) => n);
    for (const infra of ['kafka', 'redis', 'jaeger', 'proxy']) assert.ok(names.includes(infra), `no ${infra} service`);
    assert.equal(controllers.length, 2);
    assert.equal(invokers.length, 2);
  });

  it('gives every service a health check', () => {
    for (const [name, service] of services) {
      assert.ok(Array.isArray(service.healthcheck?.test) && service.healthcheck.test.length > 1, `${name} has no health check command`);
    }
  });

  it('checks the Isowhisk services through the image\'s health command for their own role', () => {
    for (const [name, service] of isowhisk) {
      assert.deepEqual(service.healthcheck?.test, ['CMD', '/app/deploy/docker/entrypoint.sh', 'health', service.command?.[0]], name);
    }
  });

  it('starts a service only after its dependencies are healthy', () => {
    const names = new Set(services.map(([n]) => n));
    for (const [name, service] of services) {
      for (const [dep, how] of Object.entries(service.depends_on ?? {})) {
        assert.ok(names.has(dep), `${name} depends on unknown service ${dep}`);
        assert.equal(how.condition, 'service_healthy', `${name} → ${dep}`);
      }
    }
    for (const [name, service] of isowhisk) {
      assert.deepEqual(Object.keys(service.depends_on ?? {}).sort(), ['jaeger', 'kafka', 'redis'], name);
    }
  });

  it('gives the controllers distinct ids and tells each how many there are', () => {
    const ids = controllers.map(([, s]) => envOf(s).ISOWHISK_CONTROLLER_ID);
    assert.equal(new Set(ids).size, controllers.length, `controller ids ${ids.join(', ')}`);
    for (const [name, s] of controllers) assert.equal(loadControllerConfig(envOf(s)).controllerCount, controllers.length, name);
  });

  it('gives the invokers distinct ids', () => {
    const ids = invokers.map(([, s]) => envOf(s).ISOWHISK_INVOKER_ID);
    assert.ok(ids.every((id) => id !== undefined), 'an invoker has no ISOWHISK_INVOKER_ID');
    assert.equal(new Set(ids).size, invokers.length, `invoker ids ${ids.join(', ')}`);
  });

  it('sets only variables shared/config.ts declares, with values it accepts', () => {
    const declared = new Set(CONFIG_VARIABLES.map((v) => v.name));
    for (const [name, s] of isowhisk) {
      for (const key of Object.keys(envOf(s)).filter((k) => k.startsWith('ISOWHISK_'))) assert.ok(declared.has(key), `${name}: ${key} is not a setting`);
      const load = s.command?.[0] === 'controller' ? loadControllerConfig : loadInvokerConfig;
      assert.doesNotThrow(() => load(envOf(s)), name);
    }
  });

  it('points the Isowhisk processes at the compose services, on the ports they listen on', () => {
    const byName = new Map(services);
    for (const [name, s] of isowhisk) {
      const env = envOf(s);
      const targets = [
        ...(env.ISOWHISK_KAFKA_BROKERS ?? '').split(','),
        env.ISOWHISK_REDIS_URL,
        env.OTEL_EXPORTER_OTLP_ENDPOINT,
        env.ISOWHISK_API_HOST,
        ...(s.command?.[0] === 'controller' ? [env.ISOWHISK_TRACE_QUERY_URL] : []),
      ];
      for (const target of targets) {
        assert.ok(target, `${name}: a connection setting is missing`);
        const { host, port } = hostPort(target);
        const service = byName.get(host);
        assert.ok(service, `${name}: ${target} names no compose service`);
        assert.ok(listenPorts(host, service).includes(port), `${name}: ${host} does not listen on ${port}`);
      }
    }
  });

  it('has the proxy forward to every controller\'s API and web ports', () => {
    const upstream = (which: string) => {
      const block = new RegExp(`upstream ${which} \\{([^}]*)\\}`).exec(proxyConf)?.[1] ?? '';
      return [...block.matchAll(/server\s+([\w.-]+:\d+)/g)].map((m) => m[1]).sort();
    };
    const ports = (key: 'port' | 'webPort') => controllers.map(([n, s]) => `${n}:${loadControllerConfig(envOf(s))[key]}`).sort();
    assert.deepEqual(upstream('api'), ports('port'));
    assert.deepEqual(upstream('web'), ports('webPort'));
  });

  it('builds the Isowhisk services from the Dockerfile, tagged with the package version', () => {
    for (const [name, s] of isowhisk) {
      assert.equal(s.image, `isowhisk:${version}`, name);
      assert.ok(s.build?.context !== undefined && s.build.dockerfile !== undefined, `${name} has no build`);
      assert.equal(resolve(COMPOSE_DIR, s.build.context), ROOT, name);
      assert.ok(existsSync(resolve(ROOT, s.build.dockerfile)), `${name}: no ${s.build.dockerfile}`);
    }
  });

  it('keeps Redis\'s writes in an append-only file, and the data in named volumes', () => {
    const redis = compose.services.redis;
    assert.deepEqual(redis?.command?.slice(1, 3), ['--appendonly', 'yes']);
    for (const [name, s] of services) {
      for (const volume of s.volumes ?? []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('.') || source.startsWith('/')) continue; // a file of this folder (the proxy's config)
        assert.ok(compose.volumes && source in compose.volumes, `${name}: volume ${source} is not declared`);
      }
    }
    assert.ok(redis?.volumes?.some((v) => v.endsWith(':/data')), 'Redis keeps no volume');
    const kafka = compose.services.kafka ?? {};
    assert.ok(kafka.volumes?.some((v) => v.endsWith(`:${envOf(kafka).KAFKA_LOG_DIRS}`)), 'Kafka keeps no volume');
  });
});
