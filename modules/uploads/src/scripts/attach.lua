-- Attaches uploads to a message, all or none: each must be the owner's, in this room, and
-- attached to no other message (attaching again to the same message changes nothing).
-- KEYS: records, unattached. ARGV: owner, message id, upload ids...
-- Answers {'attached', record...} in the order asked, or {'refused', id, why}.
local records, unattached = KEYS[1], KEYS[2]
local owner, message = ARGV[1], ARGV[2]
local found = {}
for i = 3, #ARGV do
  local id = ARGV[i]
  local raw = redis.call('HGET', records, id)
  if not raw then return {'refused', id, 'missing'} end
  local record = cjson.decode(raw)
  if tostring(record.owner) ~= owner then return {'refused', id, 'missing'} end
  if record.message and record.message ~= message then return {'refused', id, 'attached'} end
  found[#found + 1] = record
end
local out = {'attached'}
for i, record in ipairs(found) do
  local id = ARGV[i + 2]
  if not record.message then
    record.message = message
    redis.call('HSET', records, id, cjson.encode(record))
    redis.call('ZREM', unattached, id)
  end
  out[#out + 1] = cjson.encode(record)
end
return out
