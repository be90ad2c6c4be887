-- Removes a due entry whose alarm is gone, in one step so an alarm created meanwhile keeps its due entry.
-- KEYS: 1 the alarms hash, 2 the due set
-- ARGV: 1 key `ns/trigger`
-- Returns 1.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then redis.call('ZREM', KEYS[2], ARGV[1]) end
return 1
