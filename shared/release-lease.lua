-- Gives a lease back if the caller still holds it (lease.ts).
-- KEYS: 1 the lease
-- ARGV: 1 holder
-- Returns 1 when released, 0 when it was no longer held.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
