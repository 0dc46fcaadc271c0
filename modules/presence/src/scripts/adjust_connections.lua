-- Sets how many connections one user has open on one server, and answers the count there
-- and over every server. Idempotent: each count carries its sequence (the process's epoch
-- and a counter it only raises), and a count no newer than the one applied is ignored, so
-- the same call sent twice (the cluster client re-sends after a reset) or two calls that
-- arrive out of order leave the newest count. Its keys share a slot: atomic, cluster-safe.
local connections = KEYS[1]     -- user:{id}:connections: server id -> open connections
local applied = KEYS[2]         -- {user:<id>:connections}:seq: server id -> 'epoch counter'
local server = ARGV[1]          -- this instance's id
local here = tonumber(ARGV[2])  -- the connections it now holds
local epoch = ARGV[3]           -- when its process started (Redis ms)
local counter = ARGV[4]         -- raised by the process for every count it takes
local keep = ARGV[5]            -- seconds the sequences are kept after the last count

local newer = true
local last = redis.call('HGET', applied, server)
if last then
  local sp = string.find(last, ' ', 1, true)
  local last_epoch = tonumber(string.sub(last, 1, sp - 1))
  local last_counter = tonumber(string.sub(last, sp + 1))
  newer = tonumber(epoch) > last_epoch
    or (tonumber(epoch) == last_epoch and tonumber(counter) > last_counter)
end
if newer then
  redis.call('HSET', applied, server, epoch .. ' ' .. counter)
  redis.call('EXPIRE', applied, keep)
  if here > 0 then
    redis.call('HSET', connections, server, here)
  else
    redis.call('HDEL', connections, server)
  end
end
local total = 0
local counts = redis.call('HVALS', connections)
for i = 1, #counts do total = total + tonumber(counts[i]) end
local now_here = tonumber(redis.call('HGET', connections, server) or '0')
return {now_here, total}
