// The Kafka feed's tenant safety in isolation: the lifecycle request's cluster and login parameters, the sealing of
// logins kept in Redis, and the guard that keeps feeds on users' own brokers off the platform's Kafka.
import assert from 'node:assert/strict';
import net from 'node:net';
import { brokerGuard, guardedSocketFactory, namesPlatformBroker } from '../../../controller/feeds/broker-guard.ts';
import { FeedError, readFeedRequest } from '../../../controller/feeds/kafka-feed.ts';
import { storedCluster } from '../../../controller/feeds/own-cluster.ts';
import { newSecretsKey, parseSecretsKey, secretBox } from '../../../shared/secret-box.ts';

const request = (body: Record<string, unknown>) => readFeedRequest({ lifecycleEvent: 'CREATE', triggerName: '/ns/t', topic: 'orders', ...body }, 'ns');

describe('Kafka feed: the user\'s own cluster', () => {
  it('reads brokers as an array or a comma list, under OpenWhisk\'s two names', () => {
    assert.deepEqual(request({ brokers: ['a:9092', 'b:9093'] }).cluster, { brokers: ['a:9092', 'b:9093'], tls: false });
    assert.deepEqual(request({ kafka_brokers_sasl: 'a:9092, b:9093' }).cluster?.brokers, ['a:9092', 'b:9093']);
    assert.equal(request({}).cluster, undefined);
  });

  it('reads a SASL login, TLS on by default with it', () => {
    assert.deepEqual(request({ brokers: 'a:9092', user: 'u', password: 'p' }).cluster, {
      brokers: ['a:9092'],
      tls: true,
      sasl: { mechanism: 'plain', username: 'u', password: 'p' },
    });
    const scram = request({ brokers: 'a:9092', username: 'u', password: 'p', saslMechanism: 'SCRAM-SHA-512', tls: 'false' }).cluster;
    assert.deepEqual(scram, { brokers: ['a:9092'], tls: false, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } });
  });

  it('refuses bad or incomplete cluster parameters with clear texts', () => {
    const refused: Array<[Record<string, unknown>, RegExp]> = [
      [{ brokers: 'nohost' }, /Parameter 'brokers' must list your Kafka brokers as host:port/],
      [{ brokers: [] }, /Parameter 'brokers' must list/],
      [{ brokers: [9092] }, /Parameter 'brokers' must list/],
      [{ brokers: 'a:9092', username: 'u' }, /'username' and 'password' go together/],
      [{ brokers: 'a:9092', username: 'u', password: 'p', saslMechanism: 'gssapi' }, /'saslMechanism' must be one of plain, scram-sha-256, scram-sha-512/],
      [{ username: 'u', password: 'p' }, /for your own cluster: give its 'brokers' too/],
      [{ brokers: 'a:9092', password: '' }, /'password' must be a non-empty string/],
    ];
    for (const [body, text] of refused) assert.throws(() => request(body), (err: Error) => err instanceof FeedError && text.test(err.message), JSON.stringify(body));
  });

  it('does not let UPDATE change a feed\'s cluster', () => {
    assert.throws(
      () => readFeedRequest({ lifecycleEvent: 'UPDATE', triggerName: '/ns/t', brokers: 'a:9092' }, 'ns'),
      /brokers and credentials cannot be changed; delete the feed and create it again/,
    );
  });

  it('stores the login sealed for its feed, never in clear', () => {
    const box = secretBox(parseSecretsKey(newSecretsKey())!);
    const stored = storedCluster({ brokers: ['a:9092'], tls: true, sasl: { mechanism: 'plain', username: 'alice', password: 's3cret' } }, { namespace: 'ns', trigger: 't' }, box);
    assert.equal(stored.saslMechanism, 'plain');
    assert.ok(!JSON.stringify(stored).includes('s3cret') && !JSON.stringify(stored).includes('alice'));
    assert.deepEqual(JSON.parse(box.open(stored.sealedLogin!, 'ns/t')), { username: 'alice', password: 's3cret' });
  });
});

describe('secret box', () => {
  const box = secretBox(parseSecretsKey(newSecretsKey())!);

  it('opens what it sealed, for the same context only', () => {
    const sealed = box.seal('hello', 'ns/a');
    assert.equal(box.open(sealed, 'ns/a'), 'hello');
    assert.throws(() => box.open(sealed, 'ns/b'));
    assert.notEqual(box.seal('hello', 'ns/a'), sealed, 'a fresh IV each time');
  });

  it('refuses an altered value, another key\'s value and garbage', () => {
    const sealed = box.seal('hello', 'c');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('jello').toString('base64');
    assert.throws(() => box.open(parts.join('.'), 'c'));
    assert.throws(() => secretBox(parseSecretsKey(newSecretsKey())!).open(sealed, 'c'));
    assert.throws(() => box.open('hello', 'c'), /not a sealed secret/);
  });

  it('reads only base64 keys of 32 bytes', () => {
    assert.ok(parseSecretsKey(newSecretsKey()));
    for (const text of ['', 'short', Buffer.alloc(16).toString('base64'), 'not base64!']) assert.equal(parseSecretsKey(text), undefined, text);
  });
});

describe('broker guard', () => {
  it('knows the platform\'s brokers under other names of this machine, and no others', async () => {
    const guard = await brokerGuard(['127.0.0.1:19092', 'kafka.invalid:9092']);
    for (const broker of ['127.0.0.1:19092', 'localhost:19092', '0.0.0.0:19092', '[::1]:19092', '127.0.0.2:19092']) {
      assert.ok(await namesPlatformBroker(guard, broker), broker);
    }
    for (const broker of ['127.0.0.1:19093', '192.0.2.1:19092', 'example.invalid:19092']) assert.equal(await namesPlatformBroker(guard, broker), false, broker);
  });

  it('refuses a connection to the platform\'s broker, by address or by name, before any byte is sent', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    let accepted = 0;
    server.on('connection', () => accepted++);
    try {
      const factory = guardedSocketFactory(await brokerGuard([`127.0.0.1:${port}`]));
      for (const host of ['127.0.0.1', 'localhost']) {
        const socket = factory({ host, port, ssl: undefined as never, onConnect: () => {} });
        const err = await new Promise<Error>((resolve) => socket.on('error', resolve));
        assert.match(err.message, /names the platform's own Kafka/, host);
      }
      assert.equal(accepted, 0);
      // another port of this machine is not the platform's
      const other = guardedSocketFactory(await brokerGuard([`127.0.0.1:${port + 1}`]));
      const socket = other({ host: 'localhost', port, ssl: undefined as never, onConnect: () => {} });
      await new Promise<void>((resolve) => socket.on('close', () => resolve()).on('error', () => {}));
      assert.equal(accepted, 1);
    } finally {
      server.close();
    }
  });
});
