-- Adds or takes back one user's reaction on a message if the message is still exactly the
-- one read, and publishes the change. O(1) in the number of users who reacted: it touches
-- the message's counts (at most most_emoji entries) and this user's own emoji (at most
-- most_mine), never the list of everyone who reacted.
--
-- Field '<id>' of the reactions hash holds the message's counts as JSON
-- [[emoji, count, [user, ...]], ...], in the order the emoji were first used, each with up
-- to `most_names` of the users who reacted with it (the earliest still there; none: the
-- list is left out); field '<id>#v' counts the
-- changes, which the event carries as `version` so a client can tell a late event from an
-- older change. The message's own hash (reacted) maps each user to the JSON list of their
-- emoji on it. Counts stored before this layout kept every user in the list
-- ([[emoji, [user, ...]], ...]); the first reaction after moves them out, once.
local room = KEYS[1]            -- room:{id}
local reactions = KEYS[2]       -- reactions:{room:<id>}
local reacted = KEYS[3]         -- reacted:{room:<id>}:<message id>: user -> their emoji
local log = KEYS[4]             -- the channel's event log (in this slot)
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
local most_names = tonumber(ARGV[13])  -- users named per emoji
local log_len = ARGV[14]        -- entries kept in the event log

if not redis.call('ZSCORE', room, read) then return {'changed'} end

local raw = redis.call('HGET', reactions, id)
local list = {}
if raw then list = cjson.decode(raw) end
local function counts()
  if #list == 0 then return '' end
  return cjson.encode(list)
end

local moved = false
for _, entry in ipairs(list) do
  if type(entry[2]) == 'table' then
    local names = {}
    for i, u in ipairs(entry[2]) do
      local theirs = redis.call('HGET', reacted, u)
      local emojis = theirs and cjson.decode(theirs) or {}
      table.insert(emojis, entry[1])
      redis.call('HSET', reacted, u, cjson.encode(emojis))
      if i <= most_names then names[i] = u end
    end
    entry[2] = #entry[2]
    if #names > 0 then entry[3] = names end
    moved = true
  end
end
if moved then redis.call('HSET', reactions, id, counts()) end

local mine_raw = redis.call('HGET', reacted, user)
local mine = mine_raw and cjson.decode(mine_raw) or {}
local function mine_json()
  if #mine == 0 then return '[]' end
  return cjson.encode(mine)
end
local has_at, at = nil, nil
for i, e in ipairs(mine) do
  if e == emoji then has_at = i end
end
for i, entry in ipairs(list) do
  if entry[1] == emoji then at = i end
end
if add == (has_at ~= nil) then return {'unchanged', counts(), mine_json()} end

local count = 0
if add then
  if #mine >= most_mine then return {'too_many_mine'} end
  if not at then
    if #list >= most_emoji then return {'too_many_emoji'} end
    table.insert(list, {emoji, 0})
    at = #list
  end
  list[at][2] = list[at][2] + 1
  count = list[at][2]
  local names = list[at][3] or {}
  if #names < most_names then
    table.insert(names, user)
    list[at][3] = names
  end
  table.insert(mine, emoji)
else
  if at then
    list[at][2] = list[at][2] - 1
    count = list[at][2]
    if count <= 0 then
      table.remove(list, at)
      count = 0
    else
      local names = list[at][3] or {}
      for i = #names, 1, -1 do
        if names[i] == user then table.remove(names, i) end
      end
      -- An empty list would encode as {}: left out instead.
      if #names == 0 then list[at][3] = nil end
    end
  end
  table.remove(mine, has_at)
end

if #list == 0 then redis.call('HDEL', reactions, id) else redis.call('HSET', reactions, id, counts()) end
if #mine == 0 then redis.call('HDEL', reacted, user) else redis.call('HSET', reacted, user, mine_json()) end
local version = redis.call('HINCRBY', reactions, id .. '#v', 1)
publish_logged(publish, channel, log, log_len, event_head .. count .. event_middle .. version .. event_tail .. '}')
return {'changed_to', counts(), mine_json(), count, version}
