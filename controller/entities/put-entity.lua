-- Creates or updates an entity's document, compare-and-set by revision (entity-store.ts). The new revision comes
-- from the namespace's counter and is written as the document's first field; the list form and indexes follow.
-- KEYS: 1 the document, 2 its list form, 3 the namespace hash, 4.. the index keys (ARGV[4] of them), then the
--       documents of the same name in the other collections
-- ARGV: 1 expected revision ('' = create), 2 JSON without revision, 3 score (`updated`), 4 index count,
--       5 list form JSON ('' = none), 6.. index members (one per index key)
-- Returns {'ok', revision}, or {'exists'} (create, but present), {'changed'} (another revision, or gone), or
-- {'other'} (another collection has the name).
local nIndex = tonumber(ARGV[4])
for i = 4 + nIndex, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then return {'other'} end
end
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '' then
  if cur then return {'exists'} end
else
  if not cur then return {'changed'} end
  local rev = string.match(cur, '^{"revision":(%d+)')
  if rev ~= ARGV[1] then return {'changed'} end
end
local rev = redis.call('HINCRBY', KEYS[3], 'entityRevision', 1)
redis.call('SET', KEYS[1], '{"revision":' .. rev .. ',' .. string.sub(ARGV[2], 2))
if ARGV[5] == '' then redis.call('DEL', KEYS[2]) else redis.call('SET', KEYS[2], ARGV[5]) end
for i = 1, nIndex do
  redis.call('ZADD', KEYS[3 + i], ARGV[3], ARGV[5 + i])
end
return {'ok', rev}
