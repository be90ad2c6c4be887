-- Writes an activation's pending entry and its indexes, one command rather than a MULTI of five (pending-table.ts
-- describes the keys). With admission checks (two more keys), the write is made only if they pass, in the same
-- command: the action's document still has the revision the request was planned with, and the namespace's minute
-- counter (counted here, refused requests included, as throttles.ts counts) is within its limit.
-- KEYS: 1 the entry, 2 its controller's index, 3 its invoker's index, 4 the set of invokers ever given pending work,
--       [5 the action's document, 6 the namespace's invoke counter of this minute]
-- ARGV: 1 meta JSON, 2 invoker id, 3 request value (Avro bytes), 4 the entry's expiry (epoch ms), 5 give-up time,
--       6 start deadline, 7 activation id, [8 the document's expected revision, 9 the counter's lifetime (ms),
--       10 invokes allowed per minute]
-- Returns {'ok'}; with checks, {'stale'} (the document changed or is gone: nothing counted or written) or
-- {'throttled', count} (counted, nothing written).
if #KEYS == 6 then
  local head = redis.call('GETRANGE', KEYS[5], 0, 40)
  if string.match(head, '^{"revision":(%d+)[,}]') ~= ARGV[8] then return {'stale'} end
  local n = redis.call('INCR', KEYS[6])
  if n == 1 then redis.call('PEXPIRE', KEYS[6], ARGV[9]) end
  if n > tonumber(ARGV[10]) then return {'throttled', n} end
end
redis.call('HSET', KEYS[1], 'meta', ARGV[1], 'invoker', ARGV[2], 'value', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[7])
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[7])
redis.call('SADD', KEYS[4], ARGV[2])
return {'ok'}
