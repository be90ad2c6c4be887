-- Replaces an alarm's schedule unless it changed since it was read (UPDATE, PAUSE, UNPAUSE, disabling), and puts
-- it in the due set at its next tick, or out of it when it has none (paused or ended).
-- KEYS: 1 the alarms hash, 2 the due set
-- ARGV: 1 key `ns/trigger`, 2 schedule JSON as read, 3 new schedule JSON, 4 next tick (epoch ms) or ''
-- Returns 1 when replaced, 0 when the schedule changed since it was read.
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if ARGV[4] == '' then redis.call('ZREM', KEYS[2], ARGV[1]) else redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1]) end
return 1
