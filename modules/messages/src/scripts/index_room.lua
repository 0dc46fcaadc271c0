-- Indexes the messages a room held before its index existed, a batch at a time, walking
-- forward by score (trimming removes only older messages, and storing indexes newer ones,
-- so the walk misses nothing); marks the room indexed after the last batch.
local room = KEYS[1]            -- room:{id}
local ids = KEYS[2]             -- ids:{room:<id>}: message id -> its score
local indexed = ARGV[1]         -- the field that marks the room indexed
local from = ARGV[2]            -- the score to go on from ('-inf' at first)
local skip = tonumber(ARGV[3])  -- members at that score already indexed
local batch = tonumber(ARGV[4]) -- how many members this call indexes
-- Answers {'done'}, or {'more', score, skip} to go on from.

if redis.call('HEXISTS', ids, indexed) == 1 then return {'done'} end
local members = redis.call('ZRANGEBYSCORE', room, from, '+inf', 'WITHSCORES', 'LIMIT', skip, batch)
for i = 1, #members, 2 do
  local id = string.match(members[i], '^{"id":"(%x+)"')
  if id then redis.call('HSET', ids, id, members[i + 1]) end
end
if #members < 2 * batch then
  redis.call('HSET', ids, indexed, '1')
  return {'done'}
end
local last, same = members[#members], 0
for i = #members, 2, -2 do
  if members[i] == last then same = same + 1 else break end
end
if tonumber(last) == tonumber(from) then same = skip + same end
return {'more', last, same}
