-- Publishes an envelope after appending it to its channel's event log, a capped stream in
-- the channel's slot: an instance that lost its subscription replays what it missed from
-- the log, by offset. The published copy carries the log entry's id as its last field,
-- "offset"; the logged copy is the envelope as given.
local function publish_logged(command, channel, log, log_len, envelope)
  local offset = redis.call('XADD', log, 'MAXLEN', '~', log_len, '*', 'e', envelope)
  redis.call(command, channel, string.sub(envelope, 1, -2) .. ',"offset":"' .. offset .. '"}')
  return offset
end
