-- Moves a pending entry to another invoker's index (re-dispatch). Moves only an entry that still exists: a
-- completion may have removed it meanwhile, and HSET would recreate it without its expiry.
-- KEYS: 1 the entry, 2 the old invoker's index, 3 the new invoker's index
-- ARGV: 1 activation id, 2 new invoker id, 3 start deadline
-- Returns 1 when moved, 0 when the entry is gone.
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'invoker', ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
return 1
