-- Gives a key a new secret, keeping its uuid (`wskadmin user create --revoke`; subjects.ts).
-- KEYS: 1 auth hash
-- ARGV: 1 keyHash
-- Returns 1 done, 0 no such key.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'keyHash', ARGV[1])
return 1
