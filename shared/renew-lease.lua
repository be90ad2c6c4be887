-- Extends a lease if the caller still holds it (lease.ts).
-- KEYS: 1 the lease
-- ARGV: 1 holder, 2 ttl ms
-- Returns 1 when extended, 0 when the lease was lost.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
