-- Replaces the namespace's own key (its owner subject's) by a new uuid and key; a blocked key stays blocked.
-- KEYS: 1 namespace hash, 2 old auth hash, 3 new auth hash, 4 subject's namespaces, 5 namespace's keys, 6 subjects set
-- ARGV: 1 old uuid, 2 new uuid, 3 namespace, 4 keyHash, 5 subject
-- Returns 1 done, 0 the namespace's key or owner changed since read, -1 new uuid in use.
if redis.call('HGET', KEYS[1], 'uuid') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'subject') ~= ARGV[5] then return 0 end
if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local blocked = redis.call('HGET', KEYS[2], 'blocked')
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[3], 'subject', ARGV[5], 'namespace', ARGV[3], 'keyHash', ARGV[4])
if blocked then redis.call('HSET', KEYS[3], 'blocked', blocked) end
redis.call('HSET', KEYS[1], 'uuid', ARGV[2])
redis.call('HSET', KEYS[4], ARGV[3], ARGV[2])
redis.call('SREM', KEYS[5], ARGV[1])
redis.call('SADD', KEYS[5], ARGV[2])
redis.call('SADD', KEYS[6], ARGV[5])
return 1
