-- Counts one request in a namespace's minute (throttles.ts). One command per check: the count and, on the minute's
-- first check, the counter's expiry (a crash between two commands could otherwise leave a counter that never expires).
-- KEYS: 1 the minute's counter
-- ARGV: 1 its lifetime (ms)
-- Returns the count, this request included.
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
