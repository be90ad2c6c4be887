-- Blocks (ARGV[2] = "1") or unblocks a subject: marks every key it has (subjects.ts).
-- KEYS: 1 subjects set, 2 blocked set, 3 subject's namespaces
-- ARGV: 1 subject, 2 "1" or "0", 3 the auth key prefix (keys.authKey(''))
-- Returns 1 done, 0 no such subject.
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return 0 end
local uuids = redis.call('HVALS', KEYS[3])
for _, uuid in ipairs(uuids) do
  if ARGV[2] == '1' then redis.call('HSET', ARGV[3] .. uuid, 'blocked', '1') else redis.call('HDEL', ARGV[3] .. uuid, 'blocked') end
end
if ARGV[2] == '1' then redis.call('SADD', KEYS[2], ARGV[1]) else redis.call('SREM', KEYS[2], ARGV[1]) end
return 1
