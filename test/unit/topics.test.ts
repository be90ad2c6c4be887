// Kafka topic names (with the deployment prefix) and the settings the system topics are created with.
import assert from 'node:assert/strict';
import { EVENTS, HEALTH, invokerTopic, isLegalTopicName, isSystemTopic, systemTopics, topics } from '../../shared/topics.ts';

const HOUR = 3_600_000;

describe('topics', () => {
  it('names invoker N\'s topic invoker<N>', () => {
    assert.equal(invokerTopic(0), 'invoker0');
    assert.equal(invokerTopic(12), 'invoker12');
  });

  it('refuses an invoker id that is not a non-negative integer', () => {
    for (const id of [-1, 1.5, Number.NaN]) assert.throws(() => invokerTopic(id), RangeError);
  });

  it('uses the bare names without a prefix', () => {
    const t = topics();
    assert.deepStrictEqual([t.invoker(1), t.health, t.events], ['invoker1', 'health', 'events']);
    assert.deepStrictEqual([HEALTH, EVENTS], ['health', 'events']);
  });

  it('puts the prefix in front of every name', () => {
    const t = topics('staging.');
    assert.deepStrictEqual([t.invoker(4), t.health, t.events], ['staging.invoker4', 'staging.health', 'staging.events']);
  });

  it('lists the system topics with one partition and OpenWhisk\'s retention (48 h requests, 1 h pings and events)', () => {
    assert.deepStrictEqual(systemTopics(2, 'p-'), [
      { topic: 'p-invoker0', partitions: 1, retentionMs: 48 * HOUR },
      { topic: 'p-invoker1', partitions: 1, retentionMs: 48 * HOUR },
      { topic: 'p-health', partitions: 1, retentionMs: HOUR },
      { topic: 'p-events', partitions: 1, retentionMs: HOUR },
    ]);
    assert.deepStrictEqual(topics().systemTopics(0).map((s) => s.topic), ['health', 'events']);
  });

  it('refuses a bad invoker count', () => {
    assert.throws(() => systemTopics(-1), RangeError);
  });

  it('refuses a prefix Kafka would not accept in a topic name', () => {
    for (const prefix of ['a b', 'x/', 'ü', 'p'.repeat(244)]) assert.throws(() => topics(prefix), RangeError, prefix);
    assert.doesNotThrow(() => topics('p'.repeat(243)));
  });

  it('knows Kafka\'s topic name rule', () => {
    assert.ok(isLegalTopicName('a.b_c-D9'));
    assert.ok(isLegalTopicName('t'.repeat(249)));
    for (const name of ['', '.', '..', 't'.repeat(250), 'a:b', 'a b']) assert.equal(isLegalTopicName(name), false, name);
  });

  describe('system topics, which no feed may read', () => {
    it('covers every name the builders make, with and without a prefix, by construction', () => {
      for (const prefix of ['', 'staging.', 'p-']) {
        const t = topics(prefix);
        const built = [t.health, t.events, t.invoker(0), t.invoker(7), t.invoker(123456), ...t.systemTopics(3).map((s) => s.topic)];
        for (const name of built) assert.ok(t.isSystem(name), `${prefix}: ${name}`);
      }
    });

    it('reserves any invoker number, also of invokers that do not exist yet', () => {
      for (const name of ['invoker0', 'invoker1', 'invoker99', 'invoker007']) assert.ok(isSystemTopic(name), name);
    });

    it('reserves look-alikes Kafka would treat as the same topic (\'.\' for \'_\') and other cases', () => {
      for (const name of ['Health', 'EVENTS', 'Invoker0']) assert.ok(isSystemTopic(name), name);
      for (const name of ['staging_health', 'STAGING.invoker3', 'staging.Events']) assert.ok(isSystemTopic(name, 'staging.'), name);
    });

    it('reserves Kafka\'s internal topics', () => {
      for (const name of ['__consumer_offsets', '__transaction_state']) assert.ok(isSystemTopic(name, 'p-'), name);
    });

    it('leaves tenants\' topic names alone', () => {
      for (const name of ['orders', 'invoker', 'invoker-0', 'invoker0x', 'healthy', 'my-events', 'health2', 'p-orders']) {
        assert.equal(isSystemTopic(name), false, name);
      }
      // under a prefix, only the prefixed names are the platform's
      for (const name of ['health', 'invoker0', 'events']) assert.equal(isSystemTopic(name, 'p-'), false, name);
      assert.ok(isSystemTopic('p-health', 'p-'));
    });
  });
});
