-- Adds or takes back one user's reaction on a message if the message is still exactly the
-- one read, and publishes the change.
--
-- Reactions are stored per message as JSON [[emoji, [user, ...]], ...] in the order the
-- emoji were first used; field '<id>#v' counts the changes, which the event carries as
-- `version` so a client can tell a late event from an older change.
local room = KEYS[1]            -- room:{id}
local reactions = KEYS[2]       -- reactions:{room:<id>}
local read = ARGV[1]            -- the message's member as read
local id = ARGV[2]              -- the message's id
local user = ARGV[3]            -- who reacts
local emoji = ARGV[4]
local add = ARGV[5] == '1'      -- add ('1') or take back ('0')
local most_emoji = tonumber(ARGV[6])   -- distinct emoji per message
local most_mine = tonumber(ARGV[7])    -- reactions of one user per message
local publish = ARGV[8]         -- PUBLISH, or SPUBLISH on a cluster
local channel = ARGV[9]
local event_head = ARGV[10]     -- the envelope up to the event's count
local event_middle = ARGV[11]   -- between the count and the version
local event_tail = ARGV[12]     -- after the version

if not redis.call('ZSCORE', room, read) then return {'changed'} end
local raw = redis.call('HGET', reactions, id)
local list = {}
if raw then list = cjson.decode(raw) else raw = '' end
local at, mine, has = nil, 0, false
for i, entry in ipairs(list) do
  for _, u in ipairs(entry[2]) do
    if u == user then
      mine = mine + 1
      if entry[1] == emoji then has = true end
    end
  end
  if entry[1] == emoji then at = i end
end
if add == has then return {'unchanged', raw} end

local count
if add then
  if mine >= most_mine then return {'too_many_mine'} end
  if not at then
    if #list >= most_emoji then return {'too_many_emoji'} end
    table.insert(list, {emoji, {}})
    at = #list
  end
  table.insert(list[at][2], user)
  count = #list[at][2]
else
  local users = list[at][2]
  for i = #users, 1, -1 do
    if users[i] == user then table.remove(users, i) end
  end
  count = #users
  if count == 0 then table.remove(list, at) end
end
if #list == 0 then
  redis.call('HDEL', reactions, id)
  raw = ''
else
  raw = cjson.encode(list)
  redis.call('HSET', reactions, id, raw)
end
local version = redis.call('HINCRBY', reactions, id .. '#v', 1)
local numbers = count .. event_middle .. version
redis.call(publish, channel, event_head .. numbers .. event_tail .. '}')
return {'changed_to', raw, count, version}
