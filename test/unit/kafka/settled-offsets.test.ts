import assert from 'node:assert/strict';
import { SettledOffsets } from '../../../shared/kafka/settled-offsets.ts';

const commitOf = (s: SettledOffsets, partition: number): string | undefined => s.toCommit().find((c) => c.partition === partition)?.offset;

describe('settled offsets: what a consumer may commit', () => {
  it('nothing to commit before the first message is settled', () => {
    const s = new SettledOffsets();
    s.taken(0, '0');
    s.taken(0, '1');
    assert.deepEqual(s.toCommit(), []);
    assert.equal(s.unsettled, 2);
  });

  it('commits up to the first unsettled message when messages settle out of order', () => {
    const s = new SettledOffsets();
    for (const o of ['10', '11', '12', '13', '14']) s.taken(0, o);
    s.settled(0, '12');
    s.settled(0, '14');
    assert.deepEqual(s.toCommit(), [], '10 is still in hand: nothing after it may be committed');
    s.settled(0, '10');
    assert.equal(commitOf(s, 0), '11', '10 settled, 11 not: the next read is 11');
    s.settled(0, '11');
    assert.equal(commitOf(s, 0), '13', '10..12 settled');
    s.settled(0, '13');
    assert.equal(commitOf(s, 0), '15', 'all settled: the one after the last taken');
    assert.equal(s.unsettled, 0);
  });

  it('follows the order messages were taken across gaps in the offsets (transaction markers, compaction)', () => {
    const s = new SettledOffsets();
    s.taken(0, '3');
    s.taken(0, '7');
    s.taken(0, '9');
    s.settled(0, '7');
    assert.deepEqual(s.toCommit(), []);
    s.settled(0, '3');
    assert.equal(commitOf(s, 0), '8');
    s.settled(0, '9');
    assert.equal(commitOf(s, 0), '10');
  });

  it('keeps partitions apart', () => {
    const s = new SettledOffsets();
    s.taken(0, '0');
    s.taken(1, '0');
    s.taken(1, '1');
    s.settled(1, '0');
    s.settled(1, '1');
    assert.deepEqual(s.toCommit(), [{ partition: 1, offset: '2' }]);
    s.settled(0, '0');
    assert.deepEqual(s.toCommit().sort((a, b) => a.partition - b.partition), [
      { partition: 0, offset: '1' },
      { partition: 1, offset: '2' },
    ]);
  });

  it('hands out a commit point once it is committed, and again if the commit failed', () => {
    const s = new SettledOffsets();
    s.taken(0, '0');
    s.settled(0, '0');
    const first = s.toCommit();
    assert.deepEqual(first, [{ partition: 0, offset: '1' }]);
    assert.deepEqual(s.toCommit(), first, 'not yet confirmed: handed out again');
    s.committed(first);
    assert.deepEqual(s.toCommit(), []);
    s.taken(0, '1');
    s.settled(0, '1');
    assert.deepEqual(s.toCommit(), [{ partition: 0, offset: '2' }]);
  });

  it('ignores settling twice and settling what was never taken', () => {
    const s = new SettledOffsets();
    s.taken(0, '5');
    s.taken(0, '6');
    s.settled(0, '6');
    s.settled(0, '6');
    s.settled(0, '99');
    s.settled(3, '5');
    assert.deepEqual(s.toCommit(), []);
    assert.equal(s.unsettled, 1);
  });

  it('offsets beyond 2^53 keep their exact value', () => {
    const s = new SettledOffsets();
    s.taken(0, '9007199254740993');
    s.settled(0, '9007199254740993');
    assert.equal(commitOf(s, 0), '9007199254740994');
  });

  it('a re-delivery from an earlier offset (rebalance) tracks the partition anew and never moves the commit point back by itself', () => {
    const s = new SettledOffsets();
    for (const o of ['0', '1', '2']) s.taken(0, o);
    s.settled(0, '0');
    s.committed(s.toCommit()); // 1
    // Kafka re-delivers from the committed offset 1 while 1 and 2 are still in hand.
    s.taken(0, '1');
    s.taken(0, '2');
    assert.deepEqual(s.toCommit(), []);
    s.settled(0, '1'); // either delivery of 1 settling settles the message
    assert.equal(commitOf(s, 0), '2');
    s.settled(0, '2');
    assert.equal(commitOf(s, 0), '3');
  });

  it('reset forgets every partition (after a rebalance)', () => {
    const s = new SettledOffsets();
    s.taken(0, '0');
    s.taken(0, '1');
    s.settled(0, '1');
    s.reset();
    assert.equal(s.unsettled, 0);
    s.settled(0, '0');
    assert.deepEqual(s.toCommit(), []);
  });

  it('stays bounded over a long run of settled messages', () => {
    const s = new SettledOffsets();
    for (let i = 0; i < 10_000; i++) {
      s.taken(0, String(i));
      if (i > 0) s.settled(0, String(i - 1));
    }
    assert.equal(s.unsettled, 1);
    assert.equal(commitOf(s, 0), '9999');
  });
});
