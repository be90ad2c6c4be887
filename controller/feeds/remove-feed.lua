-- Removes a feed's registration unless it changed since it was read, with its place in the namespace's feed count
-- and among its topic's readers (an empty set is gone, so the topic is free for any namespace again).
-- KEYS: 1 the feeds hash, 2 the namespace's set of feed triggers, [3] the topic's set of feeds (platform topics only)
-- ARGV: 1 feed key `ns/trigger`, 2 the registration JSON as read, 3 trigger name
-- Returns 1 when removed, 0 when the registration changed since it was read.
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[3])
if KEYS[3] then redis.call('SREM', KEYS[3], ARGV[1]) end
return 1
