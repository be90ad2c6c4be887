// Kafka topic names (with the deployment prefix) and the settings the system topics are created with.
import assert from 'node:assert/strict';
import { EVENTS, HEALTH, invokerTopic, isLegalTopicName, systemTopics, topics } from '../../shared/topics.ts';

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
});
