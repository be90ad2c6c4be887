// The local stack's Kafka: one Apache Kafka 4.3.1 node in KRaft mode (broker and controller in one JVM), run from
// the jars that Maven gathers with deploy/local/kafka/pom.xml into .cache/kafka/libs. Its configuration, data,
// pid file and log live in <runDir>/kafka/; it listens on 127.0.0.1 only.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { isAlive, logFile, logTail, runningPid, startDaemon, stopDaemon } from './daemon.ts';
import { CACHE_DIR, PROJECT_ROOT } from './layout.ts';
import type { StackLayout } from './layout.ts';
import { JAVA, MAVEN, requireCommands } from './prerequisites.ts';

const { Kafka, logLevel } = kafkajs;

const POM = join(import.meta.dirname, 'kafka', 'pom.xml');
const LOG4J_CONFIG = join(import.meta.dirname, 'kafka', 'log4j2.properties');
const LIBS_DIR = join(CACHE_DIR, 'kafka', 'libs');
/** Written into the libs folder once Maven has filled it: the pom's hash and the jars it produced. */
const STAMP_FILE = '.isowhisk-libs.json';

const READY_TIMEOUT_MS = 90_000;
/** A controlled shutdown of one node takes a few seconds; SIGKILL only if it hangs. */
const STOP_GRACE_MS = 30_000;
const JVM_OPTIONS = [
  '-Xms256m',
  '-Xmx512m',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-Djava.awt.headless=true',
];

const daemon = (layout: StackLayout) => ({ name: 'kafka', runDir: join(layout.runDir, 'kafka') });

export const kafkaBrokers = (layout: StackLayout): string[] => [`127.0.0.1:${layout.kafka.port}`];

/** The broker's pid if this stack's Kafka runs. */
export const kafkaPid = (layout: StackLayout): number | undefined => runningPid(daemon(layout));

const say = (message: string): void => {
  process.stderr.write(`isowhisk: ${message}\n`);
};

// ---------------------------------------------------------------------------------------------------------------
// Jars

interface LibsStamp {
  pom: string;
  jars: string[];
}

function pomHash(): string {
  return createHash('sha256').update(readFileSync(POM)).digest('hex');
}

function libsComplete(dir: string, hash: string): boolean {
  try {
    const stamp = JSON.parse(readFileSync(join(dir, STAMP_FILE), 'utf8')) as Partial<LibsStamp>;
    return (
      stamp.pom === hash &&
      Array.isArray(stamp.jars) &&
      stamp.jars.length > 0 &&
      stamp.jars.every((jar) => existsSync(join(dir, jar)))
    );
  } catch {
    return false;
  }
}

/**
 * Makes sure .cache/kafka/libs holds the broker's jars and returns that folder. Runs Maven only when the folder is
 * missing, incomplete, or was gathered from another version of the pom; Maven fills a temporary folder that
 * replaces the old one only when it succeeded.
 */
export async function ensureKafkaJars(): Promise<string> {
  const hash = pomHash();
  if (libsComplete(LIBS_DIR, hash)) return LIBS_DIR;
  requireCommands(JAVA, MAVEN);
  const tmp = `${LIBS_DIR}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    await runMaven(tmp);
    if (libsComplete(LIBS_DIR, hash)) return LIBS_DIR; // another process finished first
    const jars = readdirSync(tmp).filter((f) => f.endsWith('.jar')).sort();
    if (!jars.some((jar) => /^kafka_2\.13-.+\.jar$/.test(jar))) {
      throw new Error(`mvn succeeded but ${tmp} holds no kafka_2.13 jar (${jars.length} jars); check ${POM}`);
    }
    const stamp: LibsStamp = { pom: hash, jars };
    writeFileSync(join(tmp, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
    rmSync(LIBS_DIR, { recursive: true, force: true });
    renameSync(tmp, LIBS_DIR);
    return LIBS_DIR;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Runs `mvn package` on the pom into `outDir`, with a progress indicator on stderr; fails with mvn's last lines. */
async function runMaven(outDir: string): Promise<void> {
  const args = ['-B', '-Dstyle.color=never', '-f', POM, `-Dkafka.libs.dir=${outDir}`, 'package'];
  const started = Date.now();
  const tty = process.stderr.isTTY === true;
  say(`gathering the Kafka broker's jars with Maven into ${relative(PROJECT_ROOT, LIBS_DIR)} (the first time downloads ~45 MB)`);

  const tail: string[] = [];
  let downloaded = 0;
  const progress = (): string => `mvn: ${downloaded} artifacts downloaded, ${Math.round((Date.now() - started) / 1000)} s`;
  let lastDrawn = 0;
  /** On a terminal: one line redrawn in place (at most every 100 ms); otherwise a line every 5 s at most. */
  const draw = (): void => {
    const now = Date.now();
    if (now - lastDrawn < (tty ? 100 : 5000)) return;
    lastDrawn = now;
    if (tty) process.stderr.write(`\r\x1b[Kisowhisk: ${progress()}`);
    else say(progress());
  };
  const ticker = setInterval(draw, tty ? 1000 : 5000);

  const child = spawn('mvn', args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const onLine = (raw: string): void => {
    const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
    tail.push(line);
    if (tail.length > 40) tail.shift();
    if (line.includes('Downloaded from ')) {
      downloaded++;
      draw();
    }
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((done) => {
    child.once('error', (error) => done({ code: null, signal: null, error }));
    child.once('close', (code, signal) => done({ code, signal }));
  });
  clearInterval(ticker);
  if (tty && lastDrawn > 0) process.stderr.write('\r\x1b[K');

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (exit.error || exit.code !== 0) {
    const why = exit.error ? exit.error.message : exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
    throw new Error(`mvn could not gather the Kafka jars (${why}, after ${seconds} s): mvn ${args.join(' ')}\n--- last lines of mvn ---\n${tail.join('\n')}`);
  }
  say(`Kafka jars ready (${downloaded} artifacts downloaded, ${seconds} s)`);
}

// ---------------------------------------------------------------------------------------------------------------
// Broker

function serverProperties(layout: StackLayout, dataDir: string): string {
  const { port, controllerPort } = layout.kafka;
  return [
    '# Written by deploy/local/kafka.ts at every start; edits are lost.',
    'process.roles=broker,controller',
    'node.id=1',
    // Static quorum: the one voter is named here and `format` gets no --standalone (never both).
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    // One node: internal topics must not ask for more replicas than there are brokers.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1', // default 50: 50 partitions to create and load on the first transaction
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'share.coordinator.state.topic.num.partitions=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    // Threads for one node on a small machine (defaults: 3 network, 8 I/O, 10 background). Every request moves
    // between a network and an I/O thread, and idle threads still wake: fewer of them cost less CPU, idle or busy
    // (docs/performance.md).
    'num.network.threads=1',
    'num.io.threads=2',
    'background.threads=2',
    '',
  ].join('\n');
}

function javaArgs(libs: string, mainClass: string, ...rest: string[]): string[] {
  return [...JVM_OPTIONS, `-Dlog4j2.configurationFile=${LOG4J_CONFIG}`, '-cp', `${libs}/*`, mainClass, ...rest];
}

/** A Kafka cluster id: 16 random bytes in URL-safe base64 without padding (what `kafka-storage random-uuid` prints). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id; // Kafka never hands out ids that look like a command-line flag
  }
}

/** Formats the KRaft storage once: a data folder with meta.properties is left alone. */
async function formatStorage(libs: string, config: string, dataDir: string, cwd: string): Promise<void> {
  if (existsSync(join(dataDir, 'meta.properties'))) return;
  const args = javaArgs(libs, 'kafka.tools.StorageTool', 'format', '--config', config, '--cluster-id', clusterId());
  const child = spawn('java', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('close', done);
  });
  if (code !== 0) throw new Error(`formatting Kafka's storage in ${dataDir} failed (exit code ${code}):\n${output.trim()}`);
}

const PROBE_CORRELATION_ID = 0x15017;

/**
 * What listens on 127.0.0.1:`port`: nothing, a Kafka node (it answers an ApiVersions v0 request, which every
 * Kafka version accepts, with the same correlation id), or another program. Raw TCP rather than kafkajs: against
 * a program that is not Kafka, kafkajs can leave its socket half-open.
 */
function identifyPort(port: number, timeoutMs = 1000): Promise<'none' | 'kafka' | 'other'> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let connected = false;
    let received = Buffer.alloc(0);
    const finish = (what: 'none' | 'kafka' | 'other'): void => {
      socket.destroy();
      done(what);
    };
    socket.setTimeout(timeoutMs, () => finish(connected ? 'other' : 'none'));
    socket.once('error', () => finish(connected ? 'other' : 'none'));
    socket.once('close', () => finish(connected ? 'other' : 'none'));
    socket.once('connect', () => {
      connected = true;
      const clientId = Buffer.from('isowhisk-probe');
      const request = Buffer.alloc(14 + clientId.length);
      request.writeInt32BE(request.length - 4, 0); // size
      request.writeInt16BE(18, 4); // api key: ApiVersions
      request.writeInt16BE(0, 6); // api version 0
      request.writeInt32BE(PROBE_CORRELATION_ID, 8);
      request.writeInt16BE(clientId.length, 12);
      clientId.copy(request, 14);
      socket.write(request);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 8) finish(received.readInt32BE(4) === PROBE_CORRELATION_ID ? 'kafka' : 'other');
    });
  });
}

/**
 * One quiet round trip to the broker (kafkajs logs nothing, no retries): a metadata call that must list at least one
 * broker, and with `groups`, a group lookup too. The first group lookup on a fresh broker creates
 * __consumer_offsets and waits for its coordinator to load, so after it the first real consumer joins at once
 * instead of failing with COORDINATOR_NOT_AVAILABLE / COORDINATOR_LOAD_IN_PROGRESS and restarting.
 */
async function probe(brokers: string[], groups: boolean): Promise<void> {
  // Only an admin client, so kafkajs's partitioner warning (printed when a producer is created without
  // createPartitioner) cannot appear; NOTHING silences its connection errors while the broker starts.
  const kafka = new Kafka({
    clientId: 'isowhisk-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('the cluster lists no broker yet');
    if (groups) await admin.describeGroups(['isowhisk-readiness-probe']);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function answersAsKafka(brokers: string[]): Promise<boolean> {
  return probe(brokers, false).then(() => true, () => false);
}

const START_MARKER = '--- isowhisk: starting Kafka';

/** The broker log's last lines, from the latest start on (so an earlier run's shutdown does not hide the cause). */
function startLogTail(spec: { name: string; runDir: string }, lines = 40): string {
  const all = logTail(spec, 500).split('\n');
  const start = all.findLastIndex((line) => line.startsWith(START_MARKER));
  return all.slice(Math.max(start, all.length - lines)).join('\n');
}

/** Waits until the broker answers metadata and group calls; fails early if its process dies, with the log's tail. */
async function waitUntilReady(layout: StackLayout, pid: number): Promise<void> {
  const spec = daemon(layout);
  const brokers = kafkaBrokers(layout);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError = '';
  for (;;) {
    if (!isAlive(pid)) {
      throw new Error(`Kafka (pid ${pid}) exited while starting\n--- ${logFile(spec)} ---\n${startLogTail(spec)}`);
    }
    try {
      await probe(brokers, true);
      return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `Kafka (pid ${pid}) did not answer on ${brokers.join(',')} within ${READY_TIMEOUT_MS / 1000} s (last error: ${lastError})\n` +
          `--- ${logFile(spec)} ---\n${startLogTail(spec)}`,
      );
    }
    await sleep(200);
  }
}

/**
 * Starts the broker unless it already runs, and resolves with its bootstrap addresses once a metadata call
 * succeeds. Idempotent: a running, answering broker is returned at once.
 */
export async function startKafka(layout: StackLayout): Promise<string[]> {
  const spec = daemon(layout);
  const brokers = kafkaBrokers(layout);
  const { port, controllerPort } = layout.kafka;

  const existing = runningPid(spec);
  if (existing) {
    if (await answersAsKafka(brokers)) return brokers;
    await waitUntilReady(layout, existing); // started a moment ago, by us or by another process
    return brokers;
  }

  for (const p of [port, controllerPort]) {
    const found = await identifyPort(p);
    if (found === 'none') continue;
    const what = found === 'kafka' ? 'a Kafka node' : 'another program';
    throw new Error(
      `port ${p} on 127.0.0.1 already answers (${what}), but this stack's Kafka is not running (no live pid in ${join(spec.runDir, 'kafka.pid')}); ` +
        `stop whatever listens on port ${p} or choose other ports`,
    );
  }

  // Maven is needed only while the jars are missing; ask for both at once so one message names everything.
  requireCommands(...(libsComplete(LIBS_DIR, pomHash()) ? [JAVA] : [JAVA, MAVEN]));
  const libs = await ensureKafkaJars();
  const dataDir = join(spec.runDir, 'data');
  const config = join(spec.runDir, 'server.properties');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(config, serverProperties(layout, dataDir));
  await formatStorage(libs, config, dataDir, spec.runDir);

  appendFileSync(logFile(spec), `\n${START_MARKER} on 127.0.0.1:${port} at ${new Date().toISOString()} ---\n`);
  const pid = startDaemon({ ...spec, command: 'java', args: javaArgs(libs, 'kafka.Kafka', config) });
  await waitUntilReady(layout, pid);
  return brokers;
}

/** Stops the broker (SIGTERM: a controlled shutdown); returns whether it was running. */
export async function stopKafka(layout: StackLayout): Promise<boolean> {
  return stopDaemon(daemon(layout), STOP_GRACE_MS);
}
