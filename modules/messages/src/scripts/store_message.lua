-- Stores a message and publishes its envelope, atomically, in its room's hash slot.
--
-- The date is max(now, newest date in the room + 1 ms): dates are unique and increasing
-- within a room, an exact history cursor. Idempotent: the same store sent again answers
-- as the first did, and a clientId seen before stores nothing and answers what it produced. Past the retention the oldest messages go, their reactions with them.
local room = KEYS[1]            -- room:{id}: message JSON by date
local trimmed = KEYS[2]         -- trimmed:{room:<id>}: date up to which messages were removed
local reactions = KEYS[3]       -- reactions:{room:<id>}: message id -> its reactions
local ids = KEYS[4]             -- ids:{room:<id>}: message id -> its score
local mutes = KEYS[5]           -- mutes:{room:<id>}: user id -> muted until (unix ms)
local log = KEYS[6]             -- the channel's event log (in this slot)
local sent = KEYS[7]            -- sent:{room:<id>}:<user>:<clientId> (absent: no clientId)
local now = tonumber(ARGV[1])   -- the clock, unix seconds
local head = ARGV[2]            -- the message JSON up to its date
local stored_tail = ARGV[3]     -- the stored JSON after its date
local published_tail = ARGV[4]  -- the published JSON after its date ('': as stored)
local publish = ARGV[5]         -- PUBLISH, or SPUBLISH on a cluster
local channel = ARGV[6]         -- MESSAGES, or the room's sharded channel (this slot)
local envelope_head = ARGV[7]   -- the envelope up to its data
local sent_ttl = ARGV[8]        -- seconds a clientId is remembered
local keep = tonumber(ARGV[9])  -- messages kept in the room (0: all)
local id = ARGV[10]             -- the message's id
local reacted = ARGV[11]        -- reacted:{room:<id>}: (+ a message id: who reacted how;
                                -- in this slot by its hash tag)
local from = ARGV[12]           -- the sender's id
local log_len = ARGV[13]        -- entries kept in the event log

-- A moderator made the sender read-only here: nothing is stored.
local muted_until = redis.call('HGET', mutes, from)
if muted_until and tonumber(muted_until) > now * 1000 then return {'muted', muted_until} end

local score = now
local top = redis.call('ZREVRANGE', room, 0, 0, 'WITHSCORES')
if top[2] then
  local newest = tonumber(top[2])
  if score < newest + 0.001 then score = newest + 0.001 end
end
local date = string.format('%.3f', score)

-- The id is new for every send: already indexed, this very store ran before (the cluster
-- client sent it again after a reset or a timeout). Its outcome, unchanged.
if redis.call('HSETNX', ids, id, date) == 0 then return {'stored', redis.call('HGET', ids, id)} end

if sent then
  local prior = redis.call('GET', sent)
  if prior then
    -- Another send under this clientId: this id stores nothing after all.
    redis.call('HDEL', ids, id)
    -- Versions before retention remembered the message itself.
    if string.sub(prior, 1, 1) == '{' then return {'duplicate', prior} end
    -- '<date> <id>' of what this clientId produced.
    local sp = string.find(prior, ' ', 1, true)
    local prior_date = string.sub(prior, 1, sp - 1)
    local marker = '"id":"' .. string.sub(prior, sp + 1) .. '"'
    local found = redis.call('ZRANGEBYSCORE', room, prior_date, prior_date)
    for i = 1, #found do
      if string.find(found[i], marker, 1, true) then return {'duplicate', found[i]} end
    end
    return {'trimmed', prior}
  end
end

redis.call('ZADD', room, date, head .. date .. stored_tail)
if published_tail == '' then published_tail = stored_tail end
publish_logged(publish, channel, log, log_len, envelope_head .. head .. date .. published_tail .. '}')
if sent then redis.call('SET', sent, date .. ' ' .. id, 'EX', sent_ttl) end

if keep > 0 then
  local n = redis.call('ZCARD', room)
  if n > keep then
    local last = redis.call('ZRANGE', room, n - keep - 1, n - keep - 1, 'WITHSCORES')
    local with_reactions = redis.call('EXISTS', reactions) == 1
    local gone, gone_ids, fields = redis.call('ZRANGE', room, 0, n - keep - 1), {}, {}
    for i = 1, #gone do
      local gone_id = string.match(gone[i], '^{"id":"(%x+)"')
      if gone_id then
        gone_ids[#gone_ids + 1] = gone_id
        if with_reactions and redis.call('HEXISTS', reactions, gone_id .. '#v') == 1 then
          fields[#fields + 1] = gone_id
          fields[#fields + 1] = gone_id .. '#v'
          redis.call('DEL', reacted .. gone_id)
        end
      end
      if #gone_ids >= 1000 or (i == #gone and #gone_ids > 0) then
        redis.call('HDEL', ids, unpack(gone_ids))
        gone_ids = {}
      end
      if #fields >= 1000 or (i == #gone and #fields > 0) then
        redis.call('HDEL', reactions, unpack(fields))
        fields = {}
      end
    end
    redis.call('ZREMRANGEBYRANK', room, 0, n - keep - 1)
    redis.call('SET', trimmed, last[2])
  end
end
return {'stored', date}
