-- Takes over a claimed fire whose controller died (or this controller's own, left from before a restart or a
-- failed attempt), unless someone else took it first.
-- KEYS: 1 the fires hash
-- ARGV: 1 fire field, 2 fire JSON as read, 3 fire JSON naming the new controller
-- Returns 1 when taken, 0 when the fire changed since it was read.
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
