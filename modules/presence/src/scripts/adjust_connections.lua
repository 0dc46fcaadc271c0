-- Counts one user's connections on one server up or down, and answers the count there and
-- over every server. One key, so it is atomic and cluster-safe.
local connections = KEYS[1]     -- user:{id}:connections: server id -> open connections
local server = ARGV[1]          -- this instance's id
local delta = ARGV[2]           -- +1 opened, -1 closed

local here = redis.call('HINCRBY', connections, server, delta)
if here <= 0 then redis.call('HDEL', connections, server) end
local total = 0
local counts = redis.call('HVALS', connections)
for i = 1, #counts do total = total + tonumber(counts[i]) end
return {here, total}
