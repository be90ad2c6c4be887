-- Writes an activation's pending entry and its indexes, one command rather than a MULTI of five (pending-table.ts
-- describes the keys).
-- KEYS: 1 the entry, 2 its controller's index, 3 its invoker's index, 4 the set of invokers ever given pending work
-- ARGV: 1 meta JSON, 2 invoker id, 3 request value (Avro bytes), 4 the entry's expiry (epoch ms), 5 give-up time,
--       6 start deadline, 7 activation id
-- Returns nothing.
redis.call('HSET', KEYS[1], 'meta', ARGV[1], 'invoker', ARGV[2], 'value', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[7])
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[7])
redis.call('SADD', KEYS[4], ARGV[2])
