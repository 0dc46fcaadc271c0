-- Records a new upload, not attached yet, and takes its storage keys out of the trash
-- (where they waited as a guard while the file was stored).
-- KEYS: records, unattached, trash. ARGV: id, record JSON, made (unix s), storage keys...
local records, unattached, trash = KEYS[1], KEYS[2], KEYS[3]
local id, record, made = ARGV[1], ARGV[2], ARGV[3]
redis.call('HSET', records, id, record)
redis.call('ZADD', unattached, made, id)
for i = 4, #ARGV do redis.call('ZREM', trash, ARGV[i]) end
return 'created'
