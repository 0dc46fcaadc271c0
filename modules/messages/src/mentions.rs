//! Mentions: the members a text names as `@username`, and the per-user count of unread
//! mentions (`user:{id}:mentions`) that sending, editing and deleting keep.

use chat_core::{
    context::timed,
    protocol::{Message, MAX_MENTIONS},
    redis, Failure, RoomId, UserId,
};
use chat_rooms::Access;
use futures_util::future::join_all;

use crate::{input::MessageId, keys, store::MessagesStore};

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

impl MessagesStore {
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

    /// Counts a new message of `room` as an unread mention for everyone it names but its
    /// sender.
    ///
    /// The count comes after the store: a delete or an edit in between took back mentions
    /// not counted yet, and counting them now would leave them for good. So the message is
    /// read again after counting, and what it no longer names is taken back. Any order
    /// ends right: a change before that read is seen by it; one after it takes back what
    /// was counted here itself.
    pub(crate) async fn record_mentions(&self, room: &RoomId, message: &Message, sender: UserId) {
        let sender = sender.to_string();
        let named: Vec<&String> = message.mentions.iter().filter(|u| **u != sender).collect();
        if named.is_empty() {
            return;
        }
        self.count_mentions(message, named.iter().copied(), true)
            .await;
        let Some(id) = MessageId::parse_owned(&message.id) else {
            return;
        };
        let now = match self.find_by_id(room, &id).await {
            Ok(found) => found.map(|f| f.message).filter(|m| !m.is_deleted()),
            Err(e) => {
                tracing::warn!(error = %e, "could not check a message's mentions");
                return;
            }
        };
        let still: &[String] = now.as_ref().map_or(&[], |m| &m.mentions);
        let stale = named.into_iter().filter(|u| !still.contains(u));
        self.count_mentions(message, stale, false).await;
    }

    /// Adds `message` to (or removes it from) the unread mentions of `users`. Bookkeeping:
    /// a failure is logged, never the caller's.
    pub(crate) async fn count_mentions<'a>(
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
            let mut conn = self.ctx.redis()?;
            timed("mentions", pipe.query_async::<()>(&mut conn)).await
        }
        .await;
        if let Err(e) = done {
            tracing::warn!(error = %e, add, "could not count a message's mentions");
        }
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
}
