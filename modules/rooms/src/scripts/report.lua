-- Reports of a room's messages: made, then closed (resolved or dismissed) once.
--
-- KEYS[1] reports:{room:<id>}         (report id -> JSON; by:<user>:<message> -> open id)
-- KEYS[2] reports_open:{room:<id>}    (open report ids, score = date ms)
-- KEYS[3] reports_closed:{room:<id>}  (closed report ids, score = when closed, ms)
-- KEYS[4] audit:{room:<id>}
--
-- create: ARGV[2] id, ARGV[3] reporter, ARGV[4] message id, ARGV[5] the report's JSON,
--         ARGV[6] now (ms). Answers {'new', json}, or {'open', json} of the reporter's open
--         report of that message.
-- close:  ARGV[2] id, ARGV[3] status (resolved | dismissed), ARGV[4] who, ARGV[5] now,
--         ARGV[6] how long closed reports are kept (ms), ARGV[7] audit entries kept.
--         Answers {'closed', json} (this call closed it), {'was', json} (it was closed
--         already) or {'absent', ''}. Closed reports past their keeping are removed.

local op = ARGV[1]

if op == 'create' then
  local mine = 'by:' .. ARGV[3] .. ':' .. ARGV[4]
  local open = redis.call('HGET', KEYS[1], mine)
  if open then
    local raw = redis.call('HGET', KEYS[1], open)
    if raw then return { 'open', raw } end
  end
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[5], mine, ARGV[2])
  redis.call('ZADD', KEYS[2], ARGV[6], ARGV[2])
  return { 'new', ARGV[5] }
end

-- close
local raw = redis.call('HGET', KEYS[1], ARGV[2])
if not raw then return { 'absent', '' } end
local report = cjson.decode(raw)
if report.status ~= 'open' then return { 'was', raw } end
local now = tonumber(ARGV[5])
report.status = ARGV[3]
report.handledBy = ARGV[4]
report.handledAt = now
local closed = cjson.encode(report)
redis.call('HSET', KEYS[1], ARGV[2], closed)
redis.call('HDEL', KEYS[1], 'by:' .. report.reporter .. ':' .. report.messageId)
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], now, ARGV[2])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[7], '*',
  'action', 'report', 'actor', ARGV[4], 'target', report.author, 'detail', ARGV[3])
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. (now - tonumber(ARGV[6])),
  'LIMIT', 0, 100)
for _, id in ipairs(expired) do
  redis.call('HDEL', KEYS[1], id)
  redis.call('ZREM', KEYS[3], id)
end
return { 'closed', closed }
