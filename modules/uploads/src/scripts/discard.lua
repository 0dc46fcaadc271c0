-- Discards uploads whose time is over: their records go and their storage keys are put in
-- the room's trash (deleted from storage by the sweeper, retried until done).
-- KEYS: records, unattached, trash. ARGV: due (unix s), cutoff (unix s), then pairs of
-- (upload id, message id): an upload goes if it is attached to that message, or, for an
-- empty message id, if it is attached to none and was made at or before the cutoff.
-- Answers the ids discarded.
local records, unattached, trash = KEYS[1], KEYS[2], KEYS[3]
local due, cutoff = ARGV[1], tonumber(ARGV[2])
local gone = {}
for i = 3, #ARGV, 2 do
  local id, message = ARGV[i], ARGV[i + 1]
  local raw = redis.call('HGET', records, id)
  if raw then
    local record = cjson.decode(raw)
    local ends
    if message == '' then
      ends = (not record.message) and tonumber(record.made) <= cutoff
    else
      ends = record.message == message
    end
    if ends then
      redis.call('ZADD', trash, due, record.key)
      if record.thumb then redis.call('ZADD', trash, due, record.thumb) end
      redis.call('HDEL', records, id)
      redis.call('ZREM', unattached, id)
      gone[#gone + 1] = id
    end
  end
end
return gone
