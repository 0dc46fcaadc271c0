-- Gives back uploads attached to a message that was not stored after all: they are
-- unattached again (and swept in time if nothing attaches them).
-- KEYS: records, unattached. ARGV: message id, upload ids...
local records, unattached = KEYS[1], KEYS[2]
local message = ARGV[1]
local released = 0
for i = 2, #ARGV do
  local id = ARGV[i]
  local raw = redis.call('HGET', records, id)
  if raw then
    local record = cjson.decode(raw)
    if record.message == message then
      record.message = nil
      redis.call('HSET', records, id, cjson.encode(record))
      redis.call('ZADD', unattached, record.made, id)
      released = released + 1
    end
  end
end
return released
