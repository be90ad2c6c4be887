-- Adds a key for `subject` to `namespace`, creating the namespace when it has no key yet (identities.ts holds the
-- layout; subjects.ts runs it too).
-- KEYS: 1 namespace hash, 2 auth hash, 3 namespaces set, 4 subject's namespaces, 5 namespace's keys, 6 subjects set,
--       7 blocked set
-- ARGV: 1 subject, 2 uuid, 3 namespace, 4 keyHash, 5 "new" (the namespace must not exist yet) or "join"
-- Returns 1 done, 0 namespace exists (with "new"), -1 uuid in use, -2 subject blocked, -3 subject has a key for it.
if ARGV[5] == 'new' and redis.call('HEXISTS', KEYS[1], 'uuid') == 1 then return 0 end
if redis.call('SISMEMBER', KEYS[7], ARGV[1]) == 1 then return -2 end
if redis.call('HEXISTS', KEYS[4], ARGV[3]) == 1 then return -3 end
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
redis.call('HSET', KEYS[2], 'subject', ARGV[1], 'namespace', ARGV[3], 'keyHash', ARGV[4])
if redis.call('HEXISTS', KEYS[1], 'uuid') == 0 then
  redis.call('HSET', KEYS[1], 'subject', ARGV[1], 'uuid', ARGV[2])
  redis.call('SADD', KEYS[3], ARGV[3])
end
redis.call('HSET', KEYS[4], ARGV[3], ARGV[2])
redis.call('SADD', KEYS[5], ARGV[2])
redis.call('SADD', KEYS[6], ARGV[1])
return 1
