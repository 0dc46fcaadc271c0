//! Finding a message by its id, and what a message carries when it is read beside what is
//! stored: its reactions as the reader sees them, and its parent's quote as the parent is
//! now.
//!
//! A message is found by its id through the room's index (`ids:{room:<id>}`, id → score,
//! kept by the scripts that store and trim): O(1) per id whatever the room holds, and a
//! page's missing reply parents all in one round trip (`find_message.lua`). Rooms stored
//! before the index existed are indexed once at start ([`MessagesStore::index_rooms`]).

use std::collections::{BTreeSet, HashMap};

use chat_core::{
    context::timed,
    protocol::{Message, Reaction, ReplyQuote},
    redis, Failure, RoomId, UserId,
};

use crate::{
    error::MessageError,
    input::MessageId,
    keys,
    scripts::{Indexing, Member, Resume, NAMED_PER_REACTION},
    store::MessagesStore,
};

/// A message as found in its room: its member exactly as stored (and its score), parsed.
pub(crate) struct Found {
    pub member: Member,
    pub message: Message,
}

/// A message's reactions as `viewer` sees them, from its counts as stored (`raw`) and the
/// viewer's own emoji on it (`mine`, a JSON list). Counts stored before the per-user hash
/// listed every user (`[[emoji, [user, …]], …]`): those are read as they are.
pub(crate) fn parse_reactions(
    raw: Option<&str>,
    mine: Option<&str>,
    viewer: UserId,
) -> Vec<Reaction> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Vec::new();
    };
    let mine: Vec<String> = mine
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or_default();
    let viewer = viewer.to_string();
    let names = |users: &[serde_json::Value]| -> Vec<String> {
        users
            .iter()
            .filter_map(|u| u.as_str().map(str::to_owned))
            .take(NAMED_PER_REACTION)
            .collect()
    };
    serde_json::from_str::<Vec<Vec<serde_json::Value>>>(raw)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|entry| {
            let mut entry = entry.into_iter();
            let emoji = entry.next()?.as_str()?.to_owned();
            let (count, listed, users) = match entry.next()? {
                // [emoji, count, [a few users]?]
                serde_json::Value::Number(n) => {
                    let users = match entry.next() {
                        Some(serde_json::Value::Array(users)) => names(&users),
                        _ => Vec::new(),
                    };
                    (n.as_u64()? as u32, false, users)
                }
                // Before counts: [emoji, [every user]].
                serde_json::Value::Array(users) => (
                    users.len() as u32,
                    users.iter().any(|u| u.as_str() == Some(viewer.as_str())),
                    names(&users),
                ),
                _ => return None,
            };
            let mine = listed || mine.contains(&emoji);
            Some(Reaction {
                emoji,
                count,
                mine,
                users,
            })
        })
        .filter(|r| r.count > 0)
        .collect()
}

impl MessagesStore {
    /// The message `id` of `room`, if it is there.
    pub(crate) async fn find_by_id(
        &self,
        room: &RoomId,
        id: &MessageId,
    ) -> Result<Option<Found>, Failure> {
        Ok(self.find_all(room, &[id]).await?.pop().flatten())
    }

    /// Each of `ids` in `room`, if it is there, in order: one round trip.
    pub(crate) async fn find_all(
        &self,
        room: &RoomId,
        ids: &[&MessageId],
    ) -> Result<Vec<Option<Found>>, Failure> {
        let mut conn = self.ctx.redis()?;
        let members = self.scripts.find.run(&mut conn, room, ids).await?;
        Ok(members
            .into_iter()
            .zip(ids)
            .map(|(member, id)| {
                let member = member?;
                let message = Message::parse_stored(&member.raw).filter(|m| m.id == id.as_str())?;
                Some(Found { member, message })
            })
            .collect())
    }

    /// Message `id` of `room`, which must be there.
    pub(crate) async fn existing(
        &self,
        room: &RoomId,
        id: &MessageId,
    ) -> Result<Found, MessageError> {
        self.find_by_id(room, id)
            .await?
            .ok_or(MessageError::NoSuchMessage)
    }

    /// Message `id` of `room`, which must be there and be `user`'s.
    pub(crate) async fn own(
        &self,
        user: UserId,
        room: &RoomId,
        id: &MessageId,
    ) -> Result<Found, MessageError> {
        let found = self.existing(room, id).await?;
        if found.message.from != user.to_string() {
            return Err(MessageError::NotAuthor);
        }
        Ok(found)
    }

    /// The parent a new message answers, checked: in the same room and not deleted.
    pub(crate) async fn reply_parent(
        &self,
        room: &RoomId,
        parent: &MessageId,
    ) -> Result<Message, MessageError> {
        match self.find_by_id(room, parent).await? {
            None => Err(MessageError::ReplyNotFound),
            Some(f) if f.message.is_deleted() => Err(MessageError::ReplyDeleted),
            Some(f) => Ok(f.message),
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
            // One round trip: every message's counts, and the viewer's own emoji on each.
            let mut pipe = redis::pipe();
            pipe.cmd("HMGET").arg(keys::reactions(room)).arg(&ids);
            for id in &ids {
                pipe.cmd("HGET").arg(keys::reacted(room, id)).arg(viewer.0);
            }
            let mut conn = self.ctx.redis()?;
            let (raw, mine): (Vec<Option<String>>, Vec<Option<String>>) = timed("hmget", async {
                let mut values: Vec<redis::Value> = pipe.query_async(&mut conn).await?;
                let rest = values.split_off(1.min(values.len()));
                let counts = match values.pop() {
                    Some(v) => redis::from_owned_redis_value(v)?,
                    None => Vec::new(),
                };
                let mine = rest
                    .into_iter()
                    .map(redis::from_owned_redis_value)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((counts, mine))
            })
            .await?;
            let ours_iter = messages.iter_mut().filter(|m| ours(m));
            for ((m, r), mine) in ours_iter.zip(raw).zip(mine) {
                m.reactions = parse_reactions(r.as_deref(), mine.as_deref(), viewer);
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
        let missing: BTreeSet<&String> = parents
            .iter()
            .filter(|p| !quotes.contains_key(*p))
            .collect();
        let missing: Vec<MessageId> = missing
            .into_iter()
            .filter_map(|p| MessageId::parse_owned(p))
            .collect();
        let sought: Vec<&MessageId> = missing.iter().collect();
        let found = self.find_all(room, &sought).await?;
        for (p, f) in missing.iter().zip(found) {
            if let Some(f) = f {
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

    /// `message` with its parent's quote as the parent is now (when it answers one).
    pub(crate) async fn quoted(
        &self,
        room: &RoomId,
        mut message: Message,
    ) -> Result<Message, Failure> {
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

    /// Indexes the messages every room held before the index existed (once per room: a
    /// room indexed is marked so). Run at start, before serving; idempotent, so instances
    /// starting together do no harm.
    pub async fn index_rooms(&self) -> Result<(), Failure> {
        let mut conn = self.ctx.redis()?;
        let keys = timed("scan", conn.scan_match("room:*")).await?;
        // `room:<id>` of a named or direct room; not `room:<id>:name` (the rooms module's).
        let rooms = keys
            .iter()
            .filter_map(|k| k.strip_prefix("room:")?.parse::<RoomId>().ok());
        let mut indexed = 0;
        for room in rooms {
            let mut at = Resume::start();
            while let Indexing::More(next) =
                self.scripts.index.run(&mut conn, &room, &at, 1000).await?
            {
                at = next;
            }
            indexed += 1;
        }
        tracing::debug!(rooms = indexed, "message index checked");
        Ok(())
    }

    /// The reactions of message `id` as `viewer` sees them.
    pub(crate) async fn reactions_of(
        &self,
        room: &RoomId,
        id: &str,
        viewer: UserId,
    ) -> Result<Vec<Reaction>, Failure> {
        let mut conn = self.ctx.redis()?;
        let (raw, mine): (Option<String>, Option<String>) = timed(
            "hget",
            redis::pipe()
                .cmd("HGET")
                .arg(keys::reactions(room))
                .arg(id)
                .cmd("HGET")
                .arg(keys::reacted(room, id))
                .arg(viewer.0)
                .query_async(&mut conn),
        )
        .await?;
        Ok(parse_reactions(raw.as_deref(), mine.as_deref(), viewer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reactions_are_read_for_their_viewer() {
        let raw = r#"[["👍",2,["1","2"]],["🎉",1]]"#;
        let seen = parse_reactions(Some(raw), Some(r#"["👍"]"#), UserId(1));
        assert_eq!(seen.len(), 2);
        assert_eq!(
            (seen[0].emoji.as_str(), seen[0].count, seen[0].mine),
            ("👍", 2, true)
        );
        assert_eq!(
            (seen[1].emoji.as_str(), seen[1].count, seen[1].mine),
            ("🎉", 1, false)
        );
        assert_eq!(seen[0].users, ["1", "2"]);
        assert!(seen[1].users.is_empty());
        assert!(parse_reactions(None, None, UserId(1)).is_empty());
        assert!(parse_reactions(Some(""), None, UserId(1)).is_empty());
    }

    #[test]
    fn reactions_stored_with_every_user_are_still_read() {
        let raw = r#"[["👍",["1","2"]],["🎉",["2"]]]"#;
        let seen = parse_reactions(Some(raw), None, UserId(1));
        assert_eq!(
            seen.iter()
                .map(|r| (r.emoji.as_str(), r.count, r.mine))
                .collect::<Vec<_>>(),
            [("👍", 2, true), ("🎉", 1, false)]
        );
    }
}
