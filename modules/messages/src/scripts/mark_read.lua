-- Moves a user's read marker in one room forward, never back.
local markers = KEYS[1]         -- user:{id}:read: room id -> date read up to
local room = ARGV[1]            -- the room's id
local date = ARGV[2]            -- the date read up to

local current = tonumber(redis.call('HGET', markers, room) or '0')
if tonumber(date) > current then
  redis.call('HSET', markers, room, date)
  return 'moved'
end
return 'unchanged'
