-- Publishes one envelope and logs it (see publish_logged above).
-- KEYS[1]: the channel's log; ARGV: the command (PUBLISH or SPUBLISH), the channel, the
-- envelope, the log's length.
return publish_logged(ARGV[1], ARGV[2], KEYS[1], ARGV[4], ARGV[3])
