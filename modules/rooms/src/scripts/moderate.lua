-- One moderation step in a room, with the ranks checked and changed atomically.
--
-- KEYS[1] roles:{room:<id>}  (user id -> owner | admin | moderator)
-- KEYS[2] bans:{room:<id>}   (user id -> ban JSON)
-- KEYS[3] audit:{room:<id>}  (stream)
-- KEYS[4] mutes:{room:<id>}  (user id -> read-only until, unix ms)
-- ARGV[1] op: role | kick | ban | unban | mute | unmute | leave
-- ARGV[2] actor id, ARGV[3] the actor's least rank (3 for a site admin, else 0)
-- ARGV[4] target id, ARGV[5] the target's least rank (3 for a site admin, else 0)
-- ARGV[6] role: the new role (member | moderator | admin | owner); ban: the ban's JSON;
--         mute: until when (unix ms)
-- ARGV[7] audit entries kept (MAXLEN ~), ARGV[8] the audit entry's detail
--
-- Answers {status, previous role}: status is ok, same (nothing to change), forbidden
-- (the actor does not outrank the target, or may not give that role), last_owner (the
-- room would be left without an owner) or absent (unban: no such ban).

local RANK = { owner = 3, admin = 2, moderator = 1 }
local op, actor, target = ARGV[1], ARGV[2], ARGV[4]

local function stored(user)
  return redis.call('HGET', KEYS[1], user) or 'member'
end
local function rank_of(role) return RANK[role] or 0 end

local actor_rank = math.max(rank_of(stored(actor)), tonumber(ARGV[3]))
local previous = stored(target)
local target_rank = math.max(rank_of(previous), tonumber(ARGV[5]))

local function owners()
  local n = 0
  for _, role in ipairs(redis.call('HVALS', KEYS[1])) do
    if role == 'owner' then n = n + 1 end
  end
  return n
end

local function audit(action)
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*',
    'action', action, 'actor', actor, 'target', target, 'detail', ARGV[8])
end

local function set_role(role)
  if role == 'member' then
    redis.call('HDEL', KEYS[1], target)
  else
    redis.call('HSET', KEYS[1], target, role)
  end
end

if op == 'leave' then
  if previous == 'owner' and owners() == 1 then return { 'last_owner', previous } end
  redis.call('HDEL', KEYS[1], target)
  return { 'ok', previous }
end

if op == 'role' then
  local role = ARGV[6]
  local new_rank = rank_of(role)
  if actor == target then
    -- Anyone may step down; nobody may step up.
    if new_rank > rank_of(previous) then return { 'forbidden', previous } end
  elseif target_rank >= actor_rank or (new_rank >= actor_rank and actor_rank < 3) then
    -- Owners hand over ownership; everyone else gives roles below their own.
    return { 'forbidden', previous }
  end
  if role == previous then return { 'same', previous } end
  if previous == 'owner' and owners() == 1 then return { 'last_owner', previous } end
  set_role(role)
  audit('role')
  return { 'ok', previous }
end

-- Moderators and up only, from here on.
if actor_rank < 1 then return { 'forbidden', previous } end

-- Lifting a ban (of a member or not) takes at least the rank of whoever gave it.
if op == 'unban' then
  local raw = redis.call('HGET', KEYS[2], target)
  if not raw then return { 'absent', previous } end
  local ok, ban = pcall(cjson.decode, raw)
  local giver = ok and type(ban) == 'table' and ban.by or nil
  if giver and tostring(giver) ~= actor and rank_of(stored(tostring(giver))) > actor_rank then
    return { 'forbidden', previous }
  end
  redis.call('HDEL', KEYS[2], target)
  audit('unban')
  return { 'ok', previous }
end

-- kick, ban, mute, unmute: on someone else, of lower rank (a muted moderator does not
-- lift their own mute).
if actor == target or target_rank >= actor_rank then
  return { 'forbidden', previous }
end
if op == 'unmute' then
  if redis.call('HDEL', KEYS[4], target) == 0 then return { 'absent', previous } end
  audit('unmute')
  return { 'ok', previous }
end
if op == 'mute' then
  redis.call('HSET', KEYS[4], target, ARGV[6])
  audit('mute')
  return { 'ok', previous }
end
set_role('member')
if op == 'ban' then redis.call('HSET', KEYS[2], target, ARGV[6]) end
audit(op)
return { 'ok', previous }
