-- Registers a new alarm, all or nothing: the trigger has none yet and its namespace is under its feed limit.
-- KEYS: 1 the alarms hash, 2 the namespace's set of alarm triggers, 3 the due set
-- ARGV: 1 key `ns/trigger`, 2 schedule JSON, 3 trigger name, 4 the namespace's limit, 5 next tick (epoch ms) or ''
-- Returns 'created', 'exists' (the trigger has an alarm) or 'limit'.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'exists' end
if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[4]) then return 'limit' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
if ARGV[5] ~= '' then redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1]) end
return 'created'
