-- Claims one due tick of an alarm for the calling controller: the schedule moves on to its next tick only if it
-- is still the schedule the caller read (so of several controllers that woke for the same tick exactly one gets it),
-- and in the same step the tick is written down as a fire to make, naming the controller. The fire entry outlives
-- the controller: if it dies before the fire ends, another controller (or it, restarted) makes the fire
-- (docs/alarms.md, "Exactly once").
-- KEYS: 1 the alarms hash, 2 the due set, 3 the fires hash
-- ARGV: 1 key `ns/trigger`, 2 schedule JSON as read, 3 new schedule JSON, 4 next tick or '', 5 fire field, 6 fire JSON
-- Returns 1 when claimed, 0 when the schedule changed since it was read.
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if ARGV[4] == '' then redis.call('ZREM', KEYS[2], ARGV[1]) else redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1]) end
redis.call('HSET', KEYS[3], ARGV[5], ARGV[6])
return 1
