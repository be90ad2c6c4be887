-- Replaces a feed's registration (UPDATE) unless it changed since it was read; moving to another topic of the
-- platform's Kafka takes that topic as register-feed.lua does and gives up the old one.
-- KEYS: 1 the feeds hash, [2] the old topic's set of feeds, [3] the new topic's (both only when the topic changes)
-- ARGV: 1 feed key `ns/trigger`, 2 the registration JSON as read, 3 the new registration JSON, 4 namespace
-- Returns 'updated', 'changed' (since it was read) or 'taken' (another namespace reads the new topic).
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 'changed' end
if KEYS[3] then
  local reader = redis.call('SRANDMEMBER', KEYS[3])
  if reader and string.sub(reader, 1, #ARGV[4] + 1) ~= ARGV[4] .. '/' then return 'taken' end
  redis.call('SREM', KEYS[2], ARGV[1])
  redis.call('SADD', KEYS[3], ARGV[1])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 'updated'
