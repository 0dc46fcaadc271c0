-- Uses an invite link once, if it still holds.
--
-- KEYS[1] links:{room:<id>}  (link id -> JSON {hash, by, date, until, maxUses?, uses})
-- ARGV[1] the link's id, ARGV[2] now (unix ms)
--
-- Answers ok (counted), last (counted, and that was its last use: the caller removes it)
-- or gone (no such link, or past its end).

local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 'gone' end
local link = cjson.decode(raw)
if tonumber(link['until']) <= tonumber(ARGV[2]) then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 'gone'
end
local uses = (tonumber(link.uses) or 0) + 1
local most = tonumber(link.maxUses)
if most and uses > most then return 'gone' end
link.uses = uses
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(link))
if most and uses >= most then return 'last' end
return 'ok'
