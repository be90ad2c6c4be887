-- Registers a new Kafka feed, all or nothing: the trigger has no feed yet, its namespace is under its feed limit,
-- and, for a topic of the platform's Kafka, no other namespace's feed reads that topic (the topic is then the
-- namespace's until its last feed on it is removed: remove-feed.lua).
-- KEYS: 1 the feeds hash, 2 the namespace's set of feed triggers, [3] the topic's set of feeds (platform topics only)
-- ARGV: 1 feed key `ns/trigger`, 2 registration JSON, 3 trigger name, 4 namespace, 5 the namespace's feed limit
-- Returns 'created', 'exists' (the trigger has a feed), 'limit' or 'taken' (another namespace reads the topic).
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'exists' end
if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[5]) then return 'limit' end
if KEYS[3] then
  local reader = redis.call('SRANDMEMBER', KEYS[3])
  if reader and string.sub(reader, 1, #ARGV[4] + 1) ~= ARGV[4] .. '/' then return 'taken' end
  redis.call('SADD', KEYS[3], ARGV[1])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
return 'created'
