-- Deletes an entity's document with its list form and index members (entity-store.ts).
-- KEYS: 1 the document, 2 its list form, 3.. index keys
-- ARGV: 1.. index members (one per index key)
-- Returns the deleted document's JSON, or nil when there was none.
local cur = redis.call('GET', KEYS[1])
if not cur then return false end
redis.call('DEL', KEYS[1], KEYS[2])
for i = 3, #KEYS do
  redis.call('ZREM', KEYS[i], ARGV[i - 2])
end
return cur
