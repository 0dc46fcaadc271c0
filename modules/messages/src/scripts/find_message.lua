-- Finds a message by id. Its id is a UUIDv7 taken just before the store script dated it,
-- so it is among the first messages of its room at or after the id's millisecond.
--
-- Walks the room forward from that date, 200 messages at a time (by score, so each step
-- costs the same). A message whose id was taken `past_ms` after the one sought was stored
-- after it: meeting one, the message is not there. So the walk covers however far the
-- room's dates ran ahead of the clock, and a gone message costs one step in a room that has
-- moved on. At most 100 steps. Then it looks at the 200 just before that date: demo data
-- written by earlier versions has ids taken after its (back-dated) dates.
local room = KEYS[1]            -- room:{id}
local earliest = ARGV[1]        -- the earliest date the message can have
local prefix = ARGV[2]          -- how its JSON starts: {"id":"<id>"
local past_ms = tonumber(ARGV[3]) -- the id's millisecond plus the clocks' spread

local function scan(found)
  for i = 1, #found, 2 do
    if string.sub(found[i], 1, #prefix) == prefix then return {found[i], found[i + 1]}, false end
    local ms = string.match(found[i], '^{"id":"(%x%x%x%x%x%x%x%x%x%x%x%x)')
    if ms and tonumber(ms, 16) > past_ms then return nil, true end
  end
  return nil, false
end

local from, skip = earliest, 0
for _ = 1, 100 do
  local found = redis.call('ZRANGEBYSCORE', room, from, '+inf', 'WITHSCORES', 'LIMIT', skip, 200)
  local hit, past = scan(found)
  if hit then return hit end
  if past or #found < 400 then break end
  local last, same = found[#found], 0
  for i = #found, 2, -2 do
    if found[i] == last then same = same + 1 else break end
  end
  if tonumber(last) == tonumber(from) then skip = skip + same else from, skip = last, same end
end
local before = redis.call('ZREVRANGEBYSCORE', room, '(' .. earliest, '-inf', 'WITHSCORES', 'LIMIT', 0, 200)
return (scan(before)) or false
