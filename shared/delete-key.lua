-- Deletes one key: the subject's for the namespace (subjects.ts). When it was the key the namespace acts with,
-- another of the namespace's keys takes its place; with none left the namespace is gone (its entities stay, as in
-- OpenWhisk).
-- KEYS: 1 auth hash, 2 namespace hash, 3 subject's namespaces, 4 namespace's keys, 5 namespaces set
-- ARGV: 1 uuid, 2 namespace, 3 subject, 4 the auth key prefix (keys.authKey(''))
-- Returns 1 done, 0 the subject's key for the namespace is no longer this uuid.
if redis.call('HGET', KEYS[3], ARGV[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HDEL', KEYS[3], ARGV[2])
redis.call('SREM', KEYS[4], ARGV[1])
if redis.call('HGET', KEYS[2], 'uuid') == ARGV[1] then
  local other = redis.call('SRANDMEMBER', KEYS[4])
  if other then
    redis.call('HSET', KEYS[2], 'uuid', other, 'subject', redis.call('HGET', ARGV[4] .. other, 'subject'))
  else
    redis.call('HDEL', KEYS[2], 'uuid', 'subject')
    redis.call('SREM', KEYS[5], ARGV[2])
  end
end
return 1
