-- Finds messages by id: each id's score from the room's index, then the member at that
-- score that is the message. O(1) per id whatever the room's size and content.
local room = KEYS[1]            -- room:{id}
local ids = KEYS[2]             -- ids:{room:<id>}: message id -> its score
-- ARGV: the ids sought. Answers, per id, {member, score} or false.

local found = {}
for i = 1, #ARGV do
  found[i] = false
  local score = redis.call('HGET', ids, ARGV[i])
  if score then
    local prefix = '{"id":"' .. ARGV[i] .. '"'
    local at = redis.call('ZRANGEBYSCORE', room, score, score)
    for j = 1, #at do
      if string.sub(at[j], 1, #prefix) == prefix then
        found[i] = {at[j], score}
        break
      end
    end
  end
end
return found
