//! Changing what is stored: edits, deletions (tombstones), reactions; and what a message
//! carries beside its text: its parent's quote, its mentions.
//!
//! A message is found by its id alone: the id is a UUIDv7 taken just before the store
//! script dates the message, so the message is among the first of its room at or after the
//! id's millisecond ([`FIND`]). Every change then runs as one script on the room's hash
//! slot that first checks the stored message is still exactly the one read (compare and
//! swap): a change made meanwhile (an edit, a deletion, the retention trim) makes it read
//! again, never overwrite.

use std::collections::HashMap;

use chat_core::{
    context::timed,
    metrics,
    protocol::{
        Message, Reaction, ReplyQuote, MAX_MENTIONS, MAX_REACTIONS_PER_MESSAGE,
        MAX_REACTIONS_PER_USER,
    },
    redis, Action, Envelope, EventKind, Failure, RoomId, Topic, UserId,
};
use chat_rooms::Access;
use futures_util::future::join_all;

use crate::{
    input::{Emoji, MessageId, MessageText},
    keys,
    store::now_secs,
    MessagesStore, SendError,
};

/// Finds a message by id: `KEYS[1]` the room, `ARGV[1]` the earliest date it can have,
/// `ARGV[2]` how its JSON starts (`{"id":"<id>"`; ours always starts so), `ARGV[3]` the
/// millisecond in its id plus [`FIND_PAST_MS`].
///
/// Walks the room forward from that date, 200 messages at a time (by score, so each step
/// costs the same). A message whose id was taken [`FIND_PAST_MS`] after the one sought was
/// stored after it (instances' clocks are that close): meeting one, the message is not
/// there. So the walk covers however far the room's dates ran ahead of the clock (a burst
/// above one message per millisecond), and a message that is gone (trimmed by retention,
/// never there) costs one step in a room that has moved on. At most 100 steps. Then it
/// looks at the 200 just before that date: demo data written by earlier versions has ids
/// taken after its (back-dated) dates. Returns `{member, score}` or nil.
const FIND: &str = r#"
local function scan(found)
  for i = 1, #found, 2 do
    if string.sub(found[i], 1, #ARGV[2]) == ARGV[2] then return {found[i], found[i + 1]}, false end
    local ms = string.match(found[i], '^{"id":"(%x%x%x%x%x%x%x%x%x%x%x%x)')
    if ms and tonumber(ms, 16) > tonumber(ARGV[3]) then return nil, true end
  end
  return nil, false
end
local from, skip = ARGV[1], 0
for step = 1, 100 do
  local found = redis.call('ZRANGEBYSCORE', KEYS[1], from, '+inf', 'WITHSCORES', 'LIMIT', skip, 200)
  local hit, past = scan(found)
  if hit then return hit end
  if past or #found < 400 then break end
  local last, same = found[#found], 0
  for i = #found, 2, -2 do
    if found[i] == last then same = same + 1 else break end
  end
  if tonumber(last) == tonumber(from) then skip = skip + same else from, skip = last, same end
end
return (scan(redis.call('ZREVRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '-inf', 'WITHSCORES', 'LIMIT', 0, 200))) or false
"#;

/// How much later than the one sought an id must be taken for its message to have been
/// stored after it ([`FIND`]): more than any clock difference between instances.
const FIND_PAST_MS: u64 = 5_000;

/// Replaces a message if it is still the one read: `KEYS[1]` the room, `KEYS[2]` its
/// reactions. ARGV: the member read, its replacement, its score, the message id, `1` to drop
/// its reactions, the publishing command, channel and envelope. Returns 1, or 0 when the
/// member changed meanwhile.
const REPLACE: &str = r#"
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
if ARGV[5] == '1' then redis.call('HDEL', KEYS[2], ARGV[4], ARGV[4] .. '#v') end
redis.call(ARGV[6], ARGV[7], ARGV[8])
return 1
"#;

/// Adds (`ARGV[5]` = `1`) or takes back a user's reaction if the message is still the one
/// read. `KEYS[1]` the room, `KEYS[2]` its reactions (field = message id, value = JSON
/// `[[emoji, [user, …]], …]`; field `<message id>#v` counts the changes, which events carry
/// as `version` so that a client can tell an older one that arrived late). ARGV: the member read, message id, user, emoji, add, most
/// distinct emoji per message, most reactions per user per message, publishing command,
/// channel, envelope head, room id. Returns `{status, reactions JSON, event data}`: status
/// 1 changed, 0 nothing to change, -1 the message changed meanwhile, -2 too many distinct
/// emoji, -3 too many reactions of this user.
const REACT: &str = r#"
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return {-1, '', ''} end
local raw = redis.call('HGET', KEYS[2], ARGV[2])
local list = {}
if raw then list = cjson.decode(raw) else raw = '' end
local user, emoji, add = ARGV[3], ARGV[4], ARGV[5] == '1'
local at, mine, has = nil, 0, false
for i, entry in ipairs(list) do
  for _, u in ipairs(entry[2]) do
    if u == user then
      mine = mine + 1
      if entry[1] == emoji then has = true end
    end
  end
  if entry[1] == emoji then at = i end
end
if add == has then return {0, raw, ''} end
local count
if add then
  if mine >= tonumber(ARGV[7]) then return {-3, raw, ''} end
  if not at then
    if #list >= tonumber(ARGV[6]) then return {-2, raw, ''} end
    table.insert(list, {emoji, {}})
    at = #list
  end
  table.insert(list[at][2], user)
  count = #list[at][2]
else
  local users = list[at][2]
  for i = #users, 1, -1 do
    if users[i] == user then table.remove(users, i) end
  end
  count = #users
  if count == 0 then table.remove(list, at) end
end
if #list == 0 then
  redis.call('HDEL', KEYS[2], ARGV[2])
  raw = ''
else
  raw = cjson.encode(list)
  redis.call('HSET', KEYS[2], ARGV[2], raw)
end
local version = redis.call('HINCRBY', KEYS[2], ARGV[2] .. '#v', 1)
local data = cjson.encode({roomId = ARGV[11], messageId = ARGV[2], emoji = emoji,
  count = count, userId = user, added = add, version = version})
redis.call(ARGV[8], ARGV[9], ARGV[10] .. data .. '}')
return {1, raw, data}
"#;

/// Scripts of this file, loaded once per store.
#[derive(Clone)]
pub(crate) struct Scripts {
    find: redis::Script,
    replace: redis::Script,
    react: redis::Script,
}

impl Scripts {
    pub(crate) fn new() -> Self {
        Self {
            find: redis::Script::new(FIND),
            replace: redis::Script::new(REPLACE),
            react: redis::Script::new(REACT),
        }
    }
}

/// A message as found in its room: its member exactly as stored, its score, and parsed.
struct Found {
    raw: String,
    score: String,
    message: Message,
}

/// How often a change reads the message again after it changed in between.
const ATTEMPTS: usize = 3;

/// The `@names` of a text, in order, each once: `@` not preceded by a name character (an
/// e-mail address is not a mention), then the longest run of name characters; a name
/// ending a sentence (`@Joe.`) is also tried without its final dots.
fn mention_names(text: &str) -> Vec<&str> {
    let is_name = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-');
    let bytes = text.as_bytes();
    let mut names: Vec<&str> = Vec::new();
    for (at, _) in text.match_indices('@') {
        if at > 0 && is_name(bytes[at - 1]) {
            continue;
        }
        let rest = &text[at + 1..];
        let end = rest.bytes().position(|b| !is_name(b)).unwrap_or(rest.len());
        let name = &rest[..end];
        if name.trim_end_matches('.').len() > 32 {
            continue;
        }
        for candidate in [name, name.trim_end_matches('.')] {
            if !candidate.is_empty() && !names.contains(&candidate) {
                names.push(candidate);
            }
        }
        if names.len() >= 2 * MAX_MENTIONS {
            break;
        }
    }
    names
}

/// Reactions as stored, seen by `viewer`.
fn parse_reactions(raw: Option<&str>, viewer: UserId) -> Vec<Reaction> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Vec::new();
    };
    let viewer = viewer.to_string();
    serde_json::from_str::<Vec<(String, Vec<String>)>>(raw)
        .unwrap_or_default()
        .into_iter()
        .map(|(emoji, users)| Reaction {
            mine: users.contains(&viewer),
            count: users.len() as u32,
            emoji,
        })
        .collect()
}

impl MessagesStore {
    /// The message `id` of `room`, if it is there.
    async fn find_by_id(&self, room: &RoomId, id: &MessageId) -> Result<Option<Found>, Failure> {
        let mut conn = self.ctx.redis().await?;
        let found: Option<(String, String)> = timed(
            "find_message",
            self.scripts
                .find
                .key(keys::room(room))
                .arg(format!("{:.3}", id.earliest_date()))
                .arg(format!(r#"{{"id":"{}""#, id.as_str()))
                .arg(id.millis() + FIND_PAST_MS)
                .invoke_async(&mut *conn),
        )
        .await?;
        Ok(found.and_then(|(raw, score)| {
            let message = Message::parse_stored(&raw).filter(|m| m.id == id.as_str())?;
            Some(Found {
                raw,
                score,
                message,
            })
        }))
    }

    /// The parent a new message answers, checked: in the same room and not deleted.
    pub(crate) async fn reply_parent(
        &self,
        room: &RoomId,
        parent: &MessageId,
    ) -> Result<Message, SendError> {
        match self.find_by_id(room, parent).await? {
            None => Err(SendError::ReplyNotFound),
            Some(f) if f.message.is_deleted() => Err(SendError::ReplyDeleted),
            Some(f) => Ok(f.message),
        }
    }

    /// The members of `room` a text names as `@username` (the sender too, if named), in
    /// order, each once, at most [`MAX_MENTIONS`]. No Redis round trip without an `@`.
    pub(crate) async fn mentions(&self, room: &RoomId, text: &str) -> Result<Vec<UserId>, Failure> {
        if !text.contains('@') {
            return Ok(Vec::new());
        }
        let names = mention_names(text);
        let auth = self.rooms.auth();
        let ids = join_all(names.iter().map(|n| auth.user_id(n))).await;
        let mut users: Vec<UserId> = Vec::new();
        for id in ids {
            if let Some(id) = id? {
                if !users.contains(&id) {
                    users.push(id);
                }
            }
        }
        let access = join_all(users.iter().map(|u| self.rooms.access(*u, room))).await;
        let mut members = Vec::new();
        for (user, access) in users.into_iter().zip(access) {
            if access? == Access::Member && members.len() < MAX_MENTIONS {
                members.push(user);
            }
        }
        Ok(members)
    }

    /// Counts a new message as an unread mention for everyone it names but its sender.
    pub(crate) async fn record_mentions(&self, message: &Message, sender: UserId) {
        let named = message
            .mentions
            .iter()
            .filter(|u| **u != sender.to_string());
        self.count_mentions(message, named, true).await;
    }

    /// Adds `message` to (or removes it from) the unread mentions of `users`. Bookkeeping:
    /// a failure is logged, never the caller's.
    async fn count_mentions<'a>(
        &self,
        message: &Message,
        users: impl Iterator<Item = &'a String>,
        add: bool,
    ) {
        let entry = format!("{} {}", message.room_id, message.id);
        let mut pipe = redis::pipe();
        let mut any = false;
        for user in users.filter_map(|u| u.parse::<UserId>().ok()) {
            any = true;
            let key = keys::mentions(user);
            if add {
                pipe.cmd("ZADD")
                    .arg(&key)
                    .arg(format!("{:.3}", message.date))
                    .arg(&entry)
                    .ignore();
                pipe.cmd("ZREMRANGEBYRANK")
                    .arg(&key)
                    .arg(0)
                    .arg(-keys::MENTIONS_KEPT - 1)
                    .ignore();
            } else {
                pipe.cmd("ZREM").arg(&key).arg(&entry).ignore();
            }
        }
        if !any {
            return;
        }
        let done: Result<(), Failure> = async {
            let mut conn = self.ctx.redis().await?;
            timed("mentions", pipe.query_async::<()>(&mut *conn)).await
        }
        .await;
        if let Err(e) = done {
            tracing::warn!(error = %e, add, "could not count a message's mentions");
        }
    }

    /// Fills in what a page of messages carries beside what is stored: each one's
    /// reactions (as `viewer` sees them) and its parent's quote as the parent is now.
    pub(crate) async fn decorate(
        &self,
        room: &RoomId,
        viewer: UserId,
        messages: &mut [Message],
    ) -> Result<(), Failure> {
        let ours = |m: &Message| !m.is_deleted() && !m.id.starts_with("seed-");
        let ids: Vec<String> = messages
            .iter()
            .filter(|m| ours(m))
            .map(|m| m.id.clone())
            .collect();
        if !ids.is_empty() {
            let mut conn = self.ctx.redis().await?;
            let raw: Vec<Option<String>> = timed(
                "hmget",
                redis::cmd("HMGET")
                    .arg(keys::reactions(room))
                    .arg(&ids)
                    .query_async(&mut *conn),
            )
            .await?;
            for (m, r) in messages.iter_mut().filter(|m| ours(m)).zip(raw) {
                m.reactions = parse_reactions(r.as_deref(), viewer);
            }
        }
        let mut quotes: HashMap<String, ReplyQuote> = HashMap::new();
        let parents: Vec<String> = messages
            .iter()
            .filter_map(|m| m.reply_to.as_ref().map(|r| r.id.clone()))
            .collect();
        for parent in &parents {
            if let Some(p) = messages.iter().find(|m| &m.id == parent) {
                quotes.insert(parent.clone(), ReplyQuote::of(p));
            }
        }
        let missing: std::collections::BTreeSet<&String> = parents
            .iter()
            .filter(|p| !quotes.contains_key(*p))
            .collect();
        let missing: Vec<MessageId> = missing
            .into_iter()
            .filter_map(|p| MessageId::parse_owned(p))
            .collect();
        let found = join_all(missing.iter().map(|p| self.find_by_id(room, p))).await;
        for (p, f) in missing.iter().zip(found) {
            if let Some(f) = f? {
                quotes.insert(p.as_str().to_owned(), ReplyQuote::of(&f.message));
            }
        }
        for m in messages.iter_mut() {
            if let Some(r) = &mut m.reply_to {
                if let Some(q) = quotes.get(&r.id) {
                    *r = q.clone();
                }
            }
        }
        Ok(())
    }

    /// Message `id` of `room`, which must be there.
    async fn existing(&self, room: &RoomId, id: &MessageId) -> Result<Found, SendError> {
        self.find_by_id(room, id)
            .await?
            .ok_or(SendError::NoSuchMessage)
    }

    /// Message `id` of `room`, which must be there and be `user`'s.
    async fn own(&self, user: UserId, room: &RoomId, id: &MessageId) -> Result<Found, SendError> {
        let found = self.existing(room, id).await?;
        if found.message.from != user.to_string() {
            return Err(SendError::NotAuthor);
        }
        Ok(found)
    }

    /// Checks that `user` may change things in `room`, and is within their rate.
    async fn may_change(&self, user: UserId, room: &RoomId) -> Result<(), SendError> {
        self.check_access(user, room).await?;
        self.ctx
            .limiter()
            .check(user, Action::Message)
            .map_err(SendError::RateLimited)
    }

    /// Replaces `found` with `replacement` (stored form) if it is still there, and
    /// publishes `event` (its data) as `kind`. False when the message changed meanwhile.
    async fn replace(
        &self,
        room: &RoomId,
        found: &Found,
        replacement: &Message,
        kind: EventKind,
        event: &Message,
    ) -> Result<bool, Failure> {
        let data = serde_json::to_string(event)?;
        let envelope = Envelope::encode(self.ctx.server_id(), kind.as_str(), &data);
        let (publish, channel) = self.ctx.events().room_channel(room);
        let mut conn = self.ctx.redis().await?;
        let replaced: i64 = timed(
            "replace_message",
            self.scripts
                .replace
                .key(keys::room(room))
                .key(keys::reactions(room))
                .arg(&found.raw)
                .arg(replacement.stored_json()?)
                .arg(&found.score)
                .arg(&found.message.id)
                .arg(if replacement.is_deleted() { "1" } else { "0" })
                .arg(publish)
                .arg(channel)
                .arg(envelope)
                .invoke_async(&mut *conn),
        )
        .await?;
        if replaced == 1 {
            let topic = Topic::Client(kind);
            metrics::ENVELOPES_OUT
                .with_label_values(&[topic.as_str()])
                .inc();
            self.ctx.events().dispatch_local(topic, &data);
        }
        Ok(replaced == 1)
    }

    /// `message` with its parent's quote as the parent is now (when it answers one).
    async fn quoted(&self, room: &RoomId, mut message: Message) -> Result<Message, Failure> {
        let parent = message
            .reply_to
            .as_ref()
            .and_then(|r| MessageId::parse_owned(&r.id));
        if let Some(parent) = parent {
            if let Some(f) = self.find_by_id(room, &parent).await? {
                message.reply_to = Some(ReplyQuote::of(&f.message));
            }
        }
        Ok(message)
    }

    /// The reactions of message `id` as `viewer` sees them.
    async fn reactions_of(
        &self,
        room: &RoomId,
        id: &str,
        viewer: UserId,
    ) -> Result<Vec<Reaction>, Failure> {
        let mut conn = self.ctx.redis().await?;
        let raw: Option<String> = timed(
            "hget",
            redis::cmd("HGET")
                .arg(keys::reactions(room))
                .arg(id)
                .query_async(&mut *conn),
        )
        .await?;
        Ok(parse_reactions(raw.as_deref(), viewer))
    }

    /// Replaces the text of `user`'s own message; every member's sockets get
    /// `message.edited`. Its mentions are read again from the new text (for display: an
    /// edit notifies no one).
    pub async fn edit(
        &self,
        user: UserId,
        room: &RoomId,
        id: &MessageId,
        text: &MessageText,
    ) -> Result<Message, SendError> {
        self.may_change(user, room).await?;
        let mentions = self.mentions(room, text.as_str()).await?;
        for _ in 0..ATTEMPTS {
            let found = self.own(user, room, id).await?;
            let old = &found.message;
            if old.is_deleted() {
                return Err(SendError::Deleted);
            }
            // Each edit is dated after the one before (and the message), whatever the
            // clocks of the instances that made them: the newest `edited` is the latest.
            let now = (now_secs() * 1000.0).round() / 1000.0;
            let after = old.edited.unwrap_or(old.date) + 0.001;
            let edited = Message {
                message: text.as_str().to_owned(),
                edited: Some(now.max((after * 1000.0).round() / 1000.0)),
                mentions: mentions.iter().map(ToString::to_string).collect(),
                ..old.clone()
            };
            let event = self.quoted(room, edited.clone()).await?;
            if self
                .replace(room, &found, &edited, EventKind::MessageEdited, &event)
                .await?
            {
                metrics::MESSAGES_CHANGED.with_label_values(&["edit"]).inc();
                // Who is no longer named stops counting it (who is newly named is not
                // notified by an edit).
                let unnamed = old.mentions.iter().filter(|u| !edited.mentions.contains(u));
                self.count_mentions(old, unnamed, false).await;
                let reactions = self.reactions_of(room, &event.id, user).await?;
                return Ok(Message { reactions, ..event });
            }
        }
        Err(SendError::Conflict)
    }

    /// Deletes `user`'s own message: a tombstone keeps its place in the history (cursors
    /// stay exact) and nothing else of it, its reactions and mentions go too; every
    /// member's sockets get `message.deleted`. Deleting a tombstone changes nothing.
    pub async fn delete(
        &self,
        user: UserId,
        room: &RoomId,
        id: &MessageId,
    ) -> Result<Message, SendError> {
        self.may_change(user, room).await?;
        for _ in 0..ATTEMPTS {
            let found = self.own(user, room, id).await?;
            let old = &found.message;
            if old.is_deleted() {
                return Ok(old.clone());
            }
            let tombstone = Message {
                id: old.id.clone(),
                from: old.from.clone(),
                date: old.date,
                room_id: old.room_id.clone(),
                deleted: Some(true),
                ..Message::default()
            };
            if self
                .replace(
                    room,
                    &found,
                    &tombstone,
                    EventKind::MessageDeleted,
                    &tombstone,
                )
                .await?
            {
                metrics::MESSAGES_CHANGED
                    .with_label_values(&["delete"])
                    .inc();
                self.count_mentions(old, old.mentions.iter(), false).await;
                return Ok(tombstone);
            }
        }
        Err(SendError::Conflict)
    }

    /// Adds (`add`) or takes back `user`'s reaction `emoji` on a message; every member's
    /// sockets get `reaction.changed` when something changed. Returns the message with its
    /// reactions as `user` sees them.
    pub async fn react(
        &self,
        user: UserId,
        room: &RoomId,
        id: &MessageId,
        emoji: &Emoji,
        add: bool,
    ) -> Result<Message, SendError> {
        self.may_change(user, room).await?;
        let head = Envelope::head(self.ctx.server_id(), EventKind::ReactionChanged.as_str());
        let (publish, channel) = self.ctx.events().room_channel(room);
        for _ in 0..ATTEMPTS {
            let found = self.existing(room, id).await?;
            if found.message.is_deleted() {
                return Err(SendError::Deleted);
            }
            let mut conn = self.ctx.redis().await?;
            let (status, reactions, data): (i64, String, String) = timed(
                "react",
                self.scripts
                    .react
                    .key(keys::room(room))
                    .key(keys::reactions(room))
                    .arg(&found.raw)
                    .arg(id.as_str())
                    .arg(user.to_string())
                    .arg(emoji.as_str())
                    .arg(if add { "1" } else { "0" })
                    .arg(MAX_REACTIONS_PER_MESSAGE)
                    .arg(MAX_REACTIONS_PER_USER)
                    .arg(publish)
                    .arg(&channel)
                    .arg(&head)
                    .arg(room.as_str())
                    .invoke_async(&mut *conn),
            )
            .await?;
            drop(conn);
            match status {
                -1 => continue,
                -2 => {
                    return Err(SendError::ReactionLimit(
                        "emoji: this message has as many different reactions as it can take",
                    ))
                }
                -3 => {
                    return Err(SendError::ReactionLimit(
                        "emoji: you have put as many reactions on this message as you can",
                    ))
                }
                1 => {
                    let topic = Topic::Client(EventKind::ReactionChanged);
                    metrics::ENVELOPES_OUT
                        .with_label_values(&[topic.as_str()])
                        .inc();
                    metrics::MESSAGES_CHANGED
                        .with_label_values(&[if add { "react" } else { "unreact" }])
                        .inc();
                    self.ctx.events().dispatch_local(topic, &data);
                }
                _ => {}
            }
            let mut message = self.quoted(room, found.message).await?;
            message.reactions = parse_reactions(Some(&reactions), user);
            return Ok(message);
        }
        Err(SendError::Conflict)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_names_after_an_at_sign() {
        assert_eq!(
            mention_names("hi @Joe and @Mary."),
            ["Joe", "Mary.", "Mary"]
        );
        assert_eq!(
            mention_names("mail me at joe@example.com"),
            Vec::<&str>::new()
        );
        assert_eq!(mention_names("@a @a @"), ["a"]);
        assert_eq!(mention_names("(@Pablo)"), ["Pablo"]);
        let long = format!("@{}", "a".repeat(33));
        assert_eq!(
            mention_names(&long),
            Vec::<&str>::new(),
            "longer than any username"
        );
    }

    #[test]
    fn reactions_are_read_for_their_viewer() {
        let raw = r#"[["👍",["1","2"]],["🎉",["2"]]]"#;
        let seen = parse_reactions(Some(raw), UserId(1));
        assert_eq!(seen.len(), 2);
        assert_eq!(
            (seen[0].emoji.as_str(), seen[0].count, seen[0].mine),
            ("👍", 2, true)
        );
        assert_eq!(
            (seen[1].emoji.as_str(), seen[1].count, seen[1].mine),
            ("🎉", 1, false)
        );
        assert!(parse_reactions(None, UserId(1)).is_empty());
        assert!(parse_reactions(Some(""), UserId(1)).is_empty());
    }
}
