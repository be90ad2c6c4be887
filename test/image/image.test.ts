// The container image (deploy/docker/): built on the local base image by deploy/docker/build-image.sh, its
// controller and invoker run as containers on the host network against a Redis, Kafka and Jaeger of this suite's own
// (.run/<test stack>-image, ports +500), restricted as a hardened pod is (read-only root filesystem, no capabilities),
// and serve a blocking invoke. The admin role works on the same Redis; the health check passes for both and fails
// where nothing answers; the processes run as the image's non-root user and drain on SIGTERM.
// Run by `npm run test:image` (CI runs it after `npm test`), apart from `npm test`: a first build makes the base
// image, which takes minutes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import openwhisk from 'openwhisk';
import { waitFor } from '../../deploy/local/daemon.ts';
import { jaegerEndpoints } from '../../deploy/local/jaeger.ts';
import { apiHost, startInfrastructure, stopStack, webUrl } from '../../deploy/local/stack.ts';
import { ownStackLayout } from '../support/stack.ts';
import { buildImage, containerLogs, isRunning, podman, podmanOk, removeContainers, runContainer, startContainer } from '../support/containers.ts';

const LAYOUT = ownStackLayout('image', 500);
const STACK_NAME = LAYOUT.runDir.split('/').at(-1) ?? 'image';
const CONTROLLER = `isowhisk-${STACK_NAME}-controller0`;
const INVOKER = `isowhisk-${STACK_NAME}-invoker0`;
const API_HOST = apiHost(LAYOUT);
const READY_MS = 120_000;
/** A user of this run's own: the suite's Redis may keep earlier runs' users (ISOWHISK_KEEP_STACK). */
const SUBJECT = `image-${randomBytes(4).toString('hex')}`;

/** Waits until `url` answers 200, failing early (with its log) if the container stops. */
async function waitForPing(container: string, url: string): Promise<void> {
  const outcome = await waitFor(`${container} ${url}`, async () => {
    if (!(await isRunning(container))) return 'exited';
    return (await fetch(url)).ok ? 'ready' : undefined;
  }, READY_MS, 250).catch((err: Error) => err);
  if (outcome !== 'ready') {
    const why = outcome === 'exited' ? 'exited while starting' : outcome.message;
    throw new Error(`${container} ${why}\n--- ${container} log ---\n${await containerLogs(container)}`);
  }
}

describe('the container image', function () {
  this.timeout(READY_MS);
  let image = '';
  let env: { common: Record<string, string>; controller: Record<string, string>; invoker: Record<string, string> };
  let apiKey = '';

  before(async function () {
    this.timeout(45 * 60_000); // a first build makes the base image: a Debian root filesystem and npm ci
    const [built, infra] = await Promise.all([buildImage(), startInfrastructure(LAYOUT)]);
    image = built.tag;
    console.log(`      (image ${image} built in ${built.seconds} s)`);
    const common = {
      ISOWHISK_KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      ISOWHISK_REDIS_URL: infra.redisUrl,
      ISOWHISK_API_HOST: API_HOST,
      OTEL_EXPORTER_OTLP_ENDPOINT: jaegerEndpoints(LAYOUT).otlpHttpEndpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    env = {
      common,
      controller: {
        ...common,
        ISOWHISK_CONTROLLER_PORT: String(LAYOUT.controller.port),
        ISOWHISK_WEB_PORT: String(LAYOUT.controller.webPort),
        ISOWHISK_WEB_URL: webUrl(LAYOUT),
        ISOWHISK_TRACE_QUERY_URL: infra.jaegerUrl,
      },
      invoker: { ...common, ISOWHISK_INVOKER_ID: '0', ISOWHISK_INVOKER_METRICS_PORT: String(LAYOUT.invoker.metricsPort) },
    };
    await startContainer(CONTROLLER, image, env.controller, ['controller']);
    await startContainer(INVOKER, image, env.invoker, ['invoker']);
  });

  after(async function () {
    this.timeout(120_000);
    await removeContainers([CONTROLLER, INVOKER]);
    if (process.env.ISOWHISK_KEEP_STACK !== '1') await stopStack(LAYOUT);
  });

  it('runs a controller container that answers GET /ping', async () => {
    await waitForPing(CONTROLLER, `${API_HOST}/ping`);
  });

  it('runs an invoker container that answers GET /ping on its metrics port', async () => {
    await waitForPing(INVOKER, `http://127.0.0.1:${LAYOUT.invoker.metricsPort}/ping`);
  });

  it('runs the processes as the non-root user isowhisk (uid 10001), in /app, which they cannot change', async () => {
    for (const container of [CONTROLLER, INVOKER]) {
      const [uid, user, cwd] = (await podmanOk(['exec', container, 'sh', '-c', 'id -u; id -un; pwd'])).trim().split('\n');
      assert.deepEqual({ uid, user, cwd }, { uid: '10001', user: 'isowhisk', cwd: '/app' }, container);
      // The containers run on a read-only root filesystem (test/support/containers.ts), as pods may; the app's
      // files are root's besides, so even a writable filesystem would not let the app change them.
      const write = await podman(['exec', container, 'sh', '-c', 'touch /app/controller/x']);
      assert.notEqual(write.code, 0, `${container} could write to /app`);
    }
  });

  it('creates and lists users with the admin role', async () => {
    const created = await runContainer(image, env.common, ['admin', 'user', 'create', SUBJECT]);
    assert.equal(created.code, 0, created.stderr);
    apiKey = created.stdout.trim();
    assert.match(apiKey, /^[0-9a-f-]{36}:\S+$/);
    const listed = await runContainer(image, env.common, ['admin', 'user', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(listed.stdout.split('\n').includes(SUBJECT), listed.stdout);
  });

  it('refuses an unknown role with a usage message', async () => {
    const result = await runContainer(image, {}, ['scheduler']);
    assert.equal(result.code, 64);
    assert.match(result.stderr, /usage: .*controller \| invoker \| admin/);
  });

  it('serves a blocking invoke: controller container → Kafka → invoker container → result', async () => {
    await waitFor('invoker0 up at the controller', async () => {
      const invokers = (await (await fetch(`${API_HOST}/invokers`)).json()) as Record<string, string>;
      return invokers['invoker0'] === 'up' || undefined;
    }, READY_MS, 250);
    assert.ok(apiKey, 'the admin test made no key');
    const ow = openwhisk({ apihost: API_HOST, api_key: apiKey });
    await ow.actions.update({ name: 'hello', action: 'function main(p) { return { greeting: `hello ${p.name}` }; }' });
    const result = (await ow.actions.invoke({ name: 'hello', params: { name: 'image' }, blocking: true, result: true })) as unknown;
    assert.deepEqual(result, { greeting: 'hello image' });
  });

  it('sends both processes\' spans to the OTLP endpoint it is given', async () => {
    const services = await waitFor('both services in Jaeger', async () => {
      const body = (await (await fetch(`${jaegerEndpoints(LAYOUT).uiUrl}/api/services`)).json()) as { data: string[] | null };
      const names = body.data ?? [];
      return names.includes('isowhisk-controller') && names.includes('isowhisk-invoker') ? names : undefined;
    }, 60_000, 250);
    assert.ok(services.includes('isowhisk-invoker'));
  });

  it('passes its health check in both containers', async () => {
    for (const container of [CONTROLLER, INVOKER]) {
      const result = await podman(['healthcheck', 'run', container]);
      assert.equal(result.code, 0, `${container}: ${result.stdout}${result.stderr}`);
    }
  });

  it('fails its health check where no controller or invoker runs', async () => {
    const result = await runContainer(image, {}, ['health']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /unhealthy: no controller or invoker process runs/);
  });

  it('stops the invoker cleanly on SIGTERM (the process is the container\'s, not a shell\'s)', async () => {
    await podmanOk(['stop', '--time', '60', INVOKER]);
    const code = (await podmanOk(['inspect', '--format', '{{.State.ExitCode}}', INVOKER])).trim();
    assert.equal(code, '0', await containerLogs(INVOKER));
  });
});
