-- Removes an alarm unless it changed since it was read, with its place in the due set and the namespace's count.
-- Fires already claimed stay: they are made (or find the trigger gone).
-- KEYS: 1 the alarms hash, 2 the namespace's set of alarm triggers, 3 the due set
-- ARGV: 1 key `ns/trigger`, 2 schedule JSON as read, 3 trigger name
-- Returns 1 when removed, 0 when the schedule changed since it was read.
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[3])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
