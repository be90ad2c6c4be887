// The Helm chart (deploy/helm/isowhisk): `helm lint` passes, and `helm template` with the default values and with
// the Sentinel and Cluster values files (deploy/helm/isowhisk/ci/) renders manifests whose images, ports, env,
// probes, invoker ids, grace period, disruption budgets, autoscaler and network policies are what the processes
// need (shared/config.ts, invoker/drain.ts). Runs the pinned helm (deploy/helm/install-helm.sh), offline.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { ensureHelm } from '../../../deploy/helm/helm-binary.ts';
import { PROJECT_ROOT } from '../../../deploy/local/layout.ts';

const run = promisify(execFile);
const CHART = join(PROJECT_ROOT, 'deploy', 'helm', 'isowhisk');
const CI_VALUES = join(CHART, 'ci');
const RELEASE = 'iw';
const NAMESPACE = 'functions';
const FULLNAME = `${RELEASE}-isowhisk`;

// ---- the rendered manifests, as plain data

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Probe {
  httpGet: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
}
interface NetworkPolicyRule {
  to?: unknown[];
  from?: unknown[];
  ports?: { port: number; protocol?: string }[];
}
// Only the fields the tests read.
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  data?: Record<string, string>;
  spec?: {
    replicas?: number;
    podManagementPolicy?: string;
    serviceName?: string;
    clusterIP?: string;
    minAvailable?: number;
    maxUnavailable?: number;
    minReplicas?: number;
    maxReplicas?: number;
    scaleTargetRef?: { kind: string; name: string };
    ports?: { name: string; port: number }[];
    template?: { spec: PodSpec };
    policyTypes?: string[];
    egress?: NetworkPolicyRule[];
    ingress?: NetworkPolicyRule[];
    rules?: { host: string; http: { paths: { path: string; backend: { service: { name: string; port: { number: number } } } }[] } }[];
    tls?: unknown[];
  };
}

class Rendered {
  readonly manifests: Manifest[];

  constructor(text: string) {
    this.manifests = parseAllDocuments(text)
      .map((doc) => {
        if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
        return doc.toJS() as Manifest | null;
      })
      .filter((m): m is Manifest => m !== null);
  }

  find(kind: string, name: string): Manifest | undefined {
    return this.manifests.find((m) => m.kind === kind && m.metadata.name === name);
  }

  get(kind: string, name: string): Manifest {
    const found = this.find(kind, name);
    assert.ok(found, `no ${kind} ${name} among ${this.manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
    return found;
  }

  container(kind: string, name: string): Container {
    const container = this.get(kind, name).spec?.template?.spec.containers[0];
    assert.ok(container, `${kind} ${name} has no container`);
    return container;
  }

  /** The container's environment as the process sees it: its ConfigMaps' data, then its own env (values only). */
  env(container: Container): Map<string, EnvVar> {
    const env = new Map<string, EnvVar>();
    for (const from of container.envFrom ?? []) {
      const name = from.configMapRef?.name;
      if (name === undefined) continue;
      for (const [key, value] of Object.entries(this.get('ConfigMap', name).data ?? {})) env.set(key, { name: key, value });
    }
    for (const v of container.env ?? []) env.set(v.name, v);
    return env;
  }

  value(container: Container, name: string): string | undefined {
    return this.env(container).get(name)?.value;
  }
}

let helm = '';

async function template(...args: string[]): Promise<Rendered> {
  const { stdout } = await run(helm, ['template', RELEASE, CHART, '--namespace', NAMESPACE, ...args], { maxBuffer: 16 * 1024 * 1024 });
  return new Rendered(stdout);
}

/**
 * NOTES.txt as `helm install` prints it. helm renders NOTES only against a cluster, so a copy of the chart renders it
 * through `tpl` into a ConfigMap instead.
 */
async function notes(...args: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'isowhisk-chart-'));
  try {
    const copy = join(dir, 'isowhisk');
    await cp(CHART, copy, { recursive: true });
    await mkdir(join(copy, 'notes'));
    await rename(join(copy, 'templates', 'NOTES.txt'), join(copy, 'notes', 'NOTES.txt'));
    await writeFile(
      join(copy, 'templates', 'notes.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: notes }\ndata:\n  NOTES.txt: {{ tpl (.Files.Get "notes/NOTES.txt") . | quote }}\n',
    );
    const { stdout } = await run(helm, ['template', RELEASE, copy, '--namespace', NAMESPACE, '--show-only', 'templates/notes.yaml', ...args]);
    const text = new Rendered(stdout).get('ConfigMap', 'notes').data?.['NOTES.txt'];
    assert.ok(text, 'NOTES.txt rendered empty');
    return text;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The pod spec the NOTES' `kubectl run ... --overrides='<json>'` gives the admin command. */
function adminOverrides(text: string): { spec: { containers: Container[] } } {
  const json = /--overrides='([^']+)'/.exec(text)?.[1];
  assert.ok(json, `no --overrides in the NOTES:\n${text}`);
  return JSON.parse(json) as { spec: { containers: Container[] } };
}

/** helm's error text for values the chart refuses. */
async function refusal(...args: string[]): Promise<string> {
  try {
    await template(...args);
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
  assert.fail(`helm template ${args.join(' ')} rendered, expected a refusal`);
}

const controller = (r: Rendered): Container => r.container('Deployment', `${FULLNAME}-controller`);
const invoker = (r: Rendered): Container => r.container('StatefulSet', `${FULLNAME}-invoker`);

describe('Helm chart', function () {
  let defaults: Rendered;
  let sentinel: Rendered;
  let cluster: Rendered;

  before(async function () {
    this.timeout(30 * 60_000); // the first run on a machine builds helm with Go
    helm = await ensureHelm();
    [defaults, sentinel, cluster] = await Promise.all([
      template(),
      template('-f', join(CI_VALUES, 'sentinel-values.yaml')),
      template('-f', join(CI_VALUES, 'cluster-values.yaml')),
    ]);
  });

  it('passes helm lint with the default values and with each values file of ci/', async () => {
    for (const values of [[], ['-f', join(CI_VALUES, 'sentinel-values.yaml')], ['-f', join(CI_VALUES, 'cluster-values.yaml')]]) {
      const { stdout } = await run(helm, ['lint', '--strict', CHART, ...values]);
      assert.match(stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it('runs both roles from the one image, tagged with the chart\'s appVersion unless told otherwise', async () => {
    for (const r of [defaults, sentinel, cluster]) {
      assert.equal(controller(r).image, 'isowhisk:0.1.0');
      assert.equal(invoker(r).image, 'isowhisk:0.1.0');
      assert.deepEqual(controller(r).args, ['controller']);
      assert.deepEqual(invoker(r).args, ['invoker']);
    }
    const other = await template('--set', 'image.repository=registry.example/isowhisk', '--set', 'image.tag=0.2.0');
    assert.equal(controller(other).image, 'registry.example/isowhisk:0.2.0');
    // an upgrade in order: the invokers first, on a tag of their own
    const halfway = await template('--set', 'invokers.imageTag=0.2.0');
    assert.equal(invoker(halfway).image, 'isowhisk:0.2.0');
    assert.equal(controller(halfway).image, 'isowhisk:0.1.0');
  });

  it('gives controllers an auto id, the API and web ports on all addresses, and probes on /ping', () => {
    const c = controller(defaults);
    assert.equal(defaults.value(c, 'ISOWHISK_CONTROLLER_ID'), 'auto');
    assert.equal(defaults.value(c, 'ISOWHISK_CONTROLLER_HOST'), '0.0.0.0');
    assert.equal(defaults.value(c, 'ISOWHISK_WEB_HOST'), '0.0.0.0');
    assert.equal(defaults.value(c, 'ISOWHISK_CONTROLLER_PORT'), '3233');
    assert.equal(defaults.value(c, 'ISOWHISK_WEB_PORT'), '3234');
    assert.deepEqual(c.ports?.map((p) => [p.name, p.containerPort]), [['http-api', 3233], ['http-web', 3234]]);
    for (const probe of [c.readinessProbe, c.livenessProbe]) assert.deepEqual(probe?.httpGet, { path: '/ping', port: 'http-api' });
    assert.equal(defaults.get('Deployment', `${FULLNAME}-controller`).spec?.replicas, 2);
    assert.equal(defaults.value(c, 'ISOWHISK_CONTROLLER_COUNT'), '2');
    // the secrets key reaches the controllers only: invokers run tenants' code
    assert.deepEqual(defaults.env(c).get('ISOWHISK_SECRETS_KEY')?.valueFrom?.secretKeyRef, { name: FULLNAME, key: 'ISOWHISK_SECRETS_KEY' });
    assert.equal(defaults.env(invoker(defaults)).has('ISOWHISK_SECRETS_KEY'), false);
  });

  it('serves the API and the web actions through Services of their own', () => {
    assert.deepEqual(defaults.get('Service', `${FULLNAME}-controller`).spec?.ports?.map((p) => [p.name, p.port]), [['http-api', 3233]]);
    assert.deepEqual(defaults.get('Service', `${FULLNAME}-web`).spec?.ports?.map((p) => [p.name, p.port]), [['http-web', 3234]]);
  });

  it('takes each invoker id from its pod ordinal, in a Parallel StatefulSet with a headless Service', () => {
    const set = defaults.get('StatefulSet', `${FULLNAME}-invoker`);
    assert.equal(set.spec?.podManagementPolicy, 'Parallel');
    assert.equal(set.spec?.replicas, 2);
    assert.equal(set.spec?.serviceName, `${FULLNAME}-invoker`);
    assert.equal(defaults.get('Service', `${FULLNAME}-invoker`).spec?.clusterIP, 'None');
    const id = defaults.env(invoker(defaults)).get('ISOWHISK_INVOKER_ID');
    assert.deepEqual(id?.valueFrom?.fieldRef, { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" });
    assert.equal(id?.value, undefined);
  });

  it('binds the invoker\'s metrics port for the probes on /ping and sizes its memory from the isolates\' memory', () => {
    const i = invoker(defaults);
    assert.equal(defaults.value(i, 'ISOWHISK_INVOKER_METRICS_HOST'), '0.0.0.0');
    assert.equal(defaults.value(i, 'ISOWHISK_INVOKER_METRICS_PORT'), '9300');
    assert.deepEqual(i.ports?.map((p) => [p.name, p.containerPort]), [['metrics', 9300]]);
    for (const probe of [i.readinessProbe, i.livenessProbe]) assert.deepEqual(probe?.httpGet, { path: '/ping', port: 'metrics' });
    assert.equal(defaults.value(i, 'ISOWHISK_INVOKER_USER_MEMORY_MB'), '2048');
    assert.equal(i.resources?.limits?.memory, `${2048 + 1024}Mi`);
    assert.equal(i.resources?.requests?.memory, `${2048 + 1024}Mi`);
    const big = invoker(cluster);
    assert.equal(cluster.value(big, 'ISOWHISK_INVOKER_USER_MEMORY_MB'), '4096');
    assert.equal(big.resources?.limits?.memory, `${4096 + 1536}Mi`);
  });

  it('gives invokers a grace period past the longest action time limit plus the drain margin, and refuses a shorter one', async () => {
    const grace = (r: Rendered): number | undefined => r.get('StatefulSet', `${FULLNAME}-invoker`).spec?.template?.spec.terminationGracePeriodSeconds;
    assert.equal(grace(defaults), 330);
    assert.equal(grace(cluster), 360);
    assert.match(await refusal('--set', 'invokers.terminationGracePeriodSeconds=300'), /at least 310/);
  });

  it('points both roles at Kafka, Redis (standalone by default) and the OTLP endpoint', () => {
    for (const c of [controller(defaults), invoker(defaults)]) {
      const env = defaults.env(c);
      assert.equal(env.get('ISOWHISK_KAFKA_BROKERS')?.value, 'isowhisk-kafka-bootstrap:9092');
      assert.equal(env.get('ISOWHISK_REDIS_MODE')?.value, 'standalone');
      assert.equal(env.get('ISOWHISK_REDIS_URL')?.value, 'redis://redis:6379');
      assert.equal(env.has('ISOWHISK_REDIS_SENTINELS'), false);
      assert.equal(env.has('ISOWHISK_REDIS_PASSWORD'), false, 'no password given, none set');
      assert.equal(env.get('OTEL_EXPORTER_OTLP_ENDPOINT')?.value, 'http://jaeger-collector:4318');
      assert.equal(env.get('ISOWHISK_API_HOST')?.value, `http://${FULLNAME}-controller.${NAMESPACE}.svc:3233`);
    }
    assert.equal(defaults.value(controller(defaults), 'ISOWHISK_WEB_URL'), `http://${FULLNAME}-web.${NAMESPACE}.svc:3234`);
    assert.equal(defaults.value(controller(defaults), 'ISOWHISK_TRACE_QUERY_URL'), 'http://jaeger-query:16686');
  });

  it('turns tracing off when no OTLP endpoint is given', async () => {
    const r = await template('--set', 'tracing.otlpEndpoint=');
    assert.equal(r.value(invoker(r), 'OTEL_SDK_DISABLED'), 'true');
    assert.equal(r.env(invoker(r)).has('OTEL_EXPORTER_OTLP_ENDPOINT'), false);
  });

  it('reaches Redis through Sentinel with a password from the chart\'s Secret', () => {
    for (const c of [controller(sentinel), invoker(sentinel)]) {
      const env = sentinel.env(c);
      assert.equal(env.get('ISOWHISK_REDIS_MODE')?.value, 'sentinel');
      assert.equal(
        env.get('ISOWHISK_REDIS_SENTINELS')?.value,
        'redis-sentinel-0.redis-sentinel:26379,redis-sentinel-1.redis-sentinel:26379,redis-sentinel-2.redis-sentinel:26379',
      );
      assert.equal(env.get('ISOWHISK_REDIS_SENTINEL_NAME')?.value, 'isowhisk');
      assert.equal(env.has('ISOWHISK_REDIS_URL'), false);
      assert.deepEqual(env.get('ISOWHISK_REDIS_PASSWORD')?.valueFrom?.secretKeyRef, { name: FULLNAME, key: 'ISOWHISK_REDIS_PASSWORD', optional: false });
      assert.equal(env.get('ISOWHISK_KAFKA_BROKERS')?.value, 'kafka-0.kafka:9092,kafka-1.kafka:9092');
    }
    const secret = sentinel.get('Secret', FULLNAME);
    assert.equal(Buffer.from(secret.data?.['ISOWHISK_REDIS_PASSWORD'] ?? '', 'base64').toString(), 'change-me');
    // Secret data is base64 of the variable's value, itself base64 of 32 random bytes
    const secretsKey = Buffer.from(secret.data?.['ISOWHISK_SECRETS_KEY'] ?? '', 'base64').toString();
    assert.equal(Buffer.from(secretsKey, 'base64').length, 32, `a generated 32-byte key, got ${JSON.stringify(secretsKey)}`);
    assert.equal(secret.metadata.annotations?.['helm.sh/resource-policy'], 'keep');
  });

  it('reaches Redis Cluster through its nodes, with the Secret of the operator\'s own', () => {
    for (const c of [controller(cluster), invoker(cluster)]) {
      const env = cluster.env(c);
      assert.equal(env.get('ISOWHISK_REDIS_MODE')?.value, 'cluster');
      assert.equal(env.get('ISOWHISK_REDIS_CLUSTER_NODES')?.value, 'redis-cluster-0.redis-cluster:6379,redis-cluster-1.redis-cluster:6379,redis-cluster-2.redis-cluster:6379');
      assert.equal(env.has('ISOWHISK_REDIS_URL'), false);
      assert.equal(env.has('ISOWHISK_REDIS_SENTINELS'), false);
      assert.deepEqual(env.get('ISOWHISK_REDIS_PASSWORD')?.valueFrom?.secretKeyRef, { name: 'isowhisk-secrets', key: 'ISOWHISK_REDIS_PASSWORD', optional: true });
      assert.equal(env.get('OTEL_EXPORTER_OTLP_ENDPOINT')?.value, 'http://otel-collector.observability:4318');
    }
    assert.deepEqual(cluster.env(controller(cluster)).get('ISOWHISK_SECRETS_KEY')?.valueFrom?.secretKeyRef, { name: 'isowhisk-secrets', key: 'ISOWHISK_SECRETS_KEY' });
    assert.equal(cluster.find('Secret', FULLNAME), undefined, 'no Secret of the chart\'s beside the existing one');
  });

  it('refuses a Redis mode without its addresses', async () => {
    assert.match(await refusal('--set', 'redis.mode=sentinel'), /sentinel needs redis\.sentinels/);
    assert.match(await refusal('--set', 'redis.mode=cluster'), /cluster needs redis\.clusterNodes/);
    assert.match(await refusal('--set', 'redis.mode=replicated'), /must be standalone, sentinel or cluster/);
  });

  it('publishes the API and the web actions under hosts of their own, and derives the public URLs from them', () => {
    const api = sentinel.get('Ingress', `${FULLNAME}-api`);
    const web = sentinel.get('Ingress', `${FULLNAME}-web`);
    assert.equal(api.spec?.rules?.[0]?.host, 'api.functions.example.org');
    assert.deepEqual(api.spec?.rules?.[0]?.http.paths.map((p) => [p.path, p.backend.service.name, p.backend.service.port.number]), [['/api', `${FULLNAME}-controller`, 3233]]);
    assert.equal(web.spec?.rules?.[0]?.host, 'web.functions.example.org');
    assert.deepEqual(web.spec?.rules?.[0]?.http.paths.map((p) => [p.path, p.backend.service.name, p.backend.service.port.number]), [['/api/v1/web', `${FULLNAME}-web`, 3234]]);
    const c = controller(sentinel);
    assert.equal(sentinel.value(c, 'ISOWHISK_API_HOST'), 'https://api.functions.example.org', 'TLS on the API Ingress');
    assert.equal(sentinel.value(c, 'ISOWHISK_WEB_URL'), 'http://web.functions.example.org');
    assert.equal(sentinel.value(invoker(sentinel), 'ISOWHISK_API_HOST'), 'https://api.functions.example.org', 'actions\' __OW_API_HOST');
    assert.equal(defaults.manifests.some((m) => m.kind === 'Ingress'), false, 'no Ingress unless enabled');
  });

  it('refuses one origin for the API and the web actions', async () => {
    assert.match(await refusal('--set', 'apiHost=https://fn.example.org', '--set', 'webUrl=https://fn.example.org/'), /another origin/);
  });

  it('keeps a controller available through disruptions, and drains one invoker at a time', () => {
    assert.equal(defaults.get('PodDisruptionBudget', `${FULLNAME}-controller`).spec?.minAvailable, 1);
    assert.equal(defaults.get('PodDisruptionBudget', `${FULLNAME}-invoker`).spec?.maxUnavailable, 1);
  });

  it('scales controllers with an HPA only when enabled, sharing the invokers among its maximum', () => {
    assert.equal(defaults.find('HorizontalPodAutoscaler', `${FULLNAME}-controller`), undefined);
    const hpa = cluster.get('HorizontalPodAutoscaler', `${FULLNAME}-controller`);
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    assert.deepEqual(hpa.spec?.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: `${FULLNAME}-controller` });
    assert.equal(hpa.spec?.minReplicas, 3);
    assert.equal(hpa.spec?.maxReplicas, 8);
    assert.equal(cluster.get('Deployment', `${FULLNAME}-controller`).spec?.replicas, undefined, 'the HPA owns the replica count');
    assert.equal(cluster.value(controller(cluster), 'ISOWHISK_CONTROLLER_COUNT'), '8');
  });

  it('lets invokers reach only DNS, Kafka, Redis and the OTLP endpoint, and only the scraper reach them', () => {
    const policy = defaults.get('NetworkPolicy', `${FULLNAME}-invoker`);
    assert.deepEqual(policy.spec?.policyTypes, ['Ingress', 'Egress']);
    const egressPorts = (p: Manifest): number[][] => (p.spec?.egress ?? []).map((rule) => (rule.ports ?? []).map((port) => port.port));
    assert.deepEqual(egressPorts(policy), [[53, 53], [9092], [6379, 26379], [4318]]);
    assert.ok(policy.spec?.egress?.every((rule) => (rule.ports ?? []).length > 0), 'every egress rule is bound to ports');
    assert.deepEqual(policy.spec?.ingress?.map((rule) => rule.ports?.map((p) => p.port)), [[9300]]);
    assert.deepEqual(policy.spec?.ingress?.[0]?.from, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
    // destinations named in values narrow the rules
    const narrowed = cluster.get('NetworkPolicy', `${FULLNAME}-invoker`).spec?.egress ?? [];
    assert.deepEqual(narrowed[1]?.to, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kafka' } } }]);
    assert.deepEqual(narrowed[2], { to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ port: 6379, protocol: 'TCP' }] });
    const controllers = defaults.get('NetworkPolicy', `${FULLNAME}-controller`);
    assert.deepEqual(controllers.spec?.ingress?.map((rule) => rule.ports?.map((p) => p.port)), [[3233, 3234], [3233]]);
  });

  it('tells how to make a key with the admin role, reaching Redis as the pods do, and how to invoke a first action', async () => {
    const text = await notes();
    const admin = adminOverrides(text).spec.containers[0];
    assert.equal(admin?.name, 'isowhisk-admin', 'kubectl run merges the override into the container of the same name');
    assert.equal(admin?.image, 'isowhisk:0.1.0');
    assert.deepEqual(admin?.args, ['admin', 'user', 'create', 'guest']);
    assert.deepEqual(admin?.envFrom, [{ configMapRef: { name: `${FULLNAME}-config` } }]);
    assert.ok(defaults.find('ConfigMap', `${FULLNAME}-config`), 'the ConfigMap the admin pod reads exists');
    assert.match(text, new RegExp(`port-forward service/${FULLNAME}-controller 3233:3233`));
    assert.match(text, /wsk action invoke hello -p name cluster --result/);

    const withIngress = await notes('-f', join(CI_VALUES, 'sentinel-values.yaml'));
    assert.match(withIngress, /wsk property set --apihost https:\/\/api\.functions\.example\.org --auth/);
    assert.deepEqual(adminOverrides(withIngress).spec.containers[0]?.env, [
      { name: 'ISOWHISK_REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: FULLNAME, key: 'ISOWHISK_REDIS_PASSWORD', optional: false } } },
    ]);
  });

  it('renders no NetworkPolicy when they are turned off', async () => {
    const r = await template('--set', 'networkPolicy.enabled=false');
    assert.equal(r.manifests.some((m) => m.kind === 'NetworkPolicy'), false);
  });
});
