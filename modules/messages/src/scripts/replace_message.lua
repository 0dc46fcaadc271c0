-- Replaces a message if it is still exactly the one read (compare and swap), at the same
-- score, and publishes the change.
local room = KEYS[1]            -- room:{id}
local reactions = KEYS[2]       -- reactions:{room:<id>}
local reacted = KEYS[3]         -- reacted:{room:<id>}:<id>: who put which emoji on it
local log = KEYS[4]             -- the channel's event log (in this slot)
local read = ARGV[1]            -- the member as read
local replacement = ARGV[2]     -- what replaces it
local score = ARGV[3]           -- its score
local id = ARGV[4]              -- the message's id
local drop_reactions = ARGV[5] == '1'
local publish = ARGV[6]         -- PUBLISH, or SPUBLISH on a cluster
local channel = ARGV[7]
local envelope = ARGV[8]        -- the whole envelope of the change
local log_len = ARGV[9]         -- entries kept in the event log

if not redis.call('ZSCORE', room, read) then return 'changed' end
redis.call('ZREM', room, read)
redis.call('ZADD', room, score, replacement)
if drop_reactions then
  redis.call('HDEL', reactions, id, id .. '#v')
  redis.call('DEL', reacted)
end
publish_logged(publish, channel, log, log_len, envelope)
return 'replaced'
