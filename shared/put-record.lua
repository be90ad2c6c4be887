-- Stores an activation record unless the activation has one (records are write-once), with its summary and its two
-- indexes (trimmed to the retention, expiring with the newest record). With a completion, then adds the stream entry
-- and removes the pending entry, whether or not the record was stored (activation-store.ts).
-- KEYS: 1 record, 2 summary, 3 namespace index, 4 name index[, 5 completion stream[, 6 pending entry, 7 its
--       controller index, 8 its invoker index]]
-- ARGV: 1 record JSON, 2 ttl seconds, 3 start, 4 activation id, 5 cutoff (older index entries go), 6 summary JSON[,
--       7 stream max length, 8.. the entry's fields]
-- Returns 1 when this record was stored, 0 when the activation had one already.
local stored = 0
if redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2], 'NX') then
  stored = 1
  redis.call('SET', KEYS[2], ARGV[6], 'EX', ARGV[2])
  for i = 3, 4 do
    redis.call('ZADD', KEYS[i], ARGV[3], ARGV[4])
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', '(' .. ARGV[5])
    redis.call('EXPIRE', KEYS[i], ARGV[2])
  end
end
if KEYS[5] then
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[7], '*', unpack(ARGV, 8))
end
if KEYS[6] then
  redis.call('DEL', KEYS[6])
  redis.call('ZREM', KEYS[7], ARGV[4])
  redis.call('ZREM', KEYS[8], ARGV[4])
end
return stored
