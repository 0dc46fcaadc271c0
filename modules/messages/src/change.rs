//! Changing what is stored: edits, deletions (tombstones), reactions.
//!
//! Every change runs as one script on the room's hash slot that first checks the stored
//! message is still exactly the one read (compare and swap): a change made meanwhile (an
//! edit, a deletion, the retention trim) makes it read again, never overwrite. A change
//! that keeps losing is refused as a conflict.

use chat_core::{
    metrics, now_secs,
    protocol::{Message, ReactionChanged, MAX_REACTIONS_PER_MESSAGE, MAX_REACTIONS_PER_USER},
    templates::ReactionJson,
    Envelope, EventKind, Failure, RoomId, Route, Topic, UserId,
};

use chat_rooms::Role;

use crate::{
    error::MessageError,
    input::{Emoji, MessageId, MessageText},
    lookup::{parse_reactions, Found},
    scripts::{Reacted, Reaction, Replaced, Replacement},
    store::MessagesStore,
};

/// How often a change reads the message again after it changed in between.
const ATTEMPTS: usize = 3;

impl MessagesStore {
    /// Replaces the text of `user`'s own message; every member's sockets get
    /// `message.edited`. Its mentions are read again from the new text (for display: an
    /// edit notifies no one).
    pub async fn edit(
        &self,
        user: UserId,
        room: &RoomId,
        id: &MessageId,
        text: &MessageText,
    ) -> Result<Message, MessageError> {
        self.may_change(user, room).await?;
        self.check_muted(user, room).await?;
        // Resolved once, and only for an edit that may happen: not for someone else's
        // message or a tombstone.
        let mut named: Option<Vec<chat_core::UserId>> = None;
        for _ in 0..ATTEMPTS {
            let found = self.own(user, room, id).await?;
            let old = &found.message;
            if old.is_deleted() {
                return Err(MessageError::Deleted);
            }
            if named.is_none() {
                named = Some(self.mentions(room, text.as_str()).await?);
            }
            let mentions = named.as_deref().unwrap_or_default();
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
        Err(MessageError::Conflict)
    }

    /// Deletes `user`'s own message, or as a moderator of the room (or above) anyone's: a
    /// tombstone keeps its place in the history (cursors stay exact) and nothing else of it
    /// (`moderated: true` when a moderator removed it), its reactions and mentions go too;
    /// every member's sockets get `message.deleted`. Deleting a tombstone changes nothing.
    pub async fn delete(
        &self,
        user: UserId,
        room: &RoomId,
        id: &MessageId,
    ) -> Result<Message, MessageError> {
        self.may_change(user, room).await?;
        // Asked once, and only for someone else's message: a moderator and up, above the
        // author's rank.
        let mut moderator: Option<bool> = None;
        for _ in 0..ATTEMPTS {
            let found = self.existing(room, id).await?;
            let old = &found.message;
            let own = old.from == user.to_string();
            if !own && moderator.is_none() {
                let role = self.rooms.role(user, room).await?;
                let author = match old.from.parse() {
                    Ok(author) => self.rooms.role(author, room).await?,
                    Err(_) => Role::Member,
                };
                moderator = Some(role >= Role::Moderator && role > author);
            }
            if !own && moderator != Some(true) {
                return Err(MessageError::NotAuthor);
            }
            if old.is_deleted() {
                return Ok(old.clone());
            }
            let tombstone = Message {
                id: old.id.clone(),
                from: old.from.clone(),
                date: old.date,
                room_id: old.room_id.clone(),
                deleted: Some(true),
                moderated: (!own).then_some(true),
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
                if let (Some(uploads), false) = (&self.uploads, old.attachments.is_empty()) {
                    let ids: Vec<String> = old.attachments.iter().map(|a| a.id.clone()).collect();
                    uploads.discard_with(room, &old.id, &ids).await;
                }
                return Ok(tombstone);
            }
        }
        Err(MessageError::Conflict)
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
    ) -> Result<Message, MessageError> {
        self.may_change(user, room).await?;
        self.check_muted(user, room).await?;
        let kind = EventKind::ReactionChanged;
        let envelope_head = Envelope::head(self.ctx.server_id(), kind.as_str());
        let event = ReactionJson::of(&ReactionChanged {
            room_id: room.to_string(),
            message_id: id.as_str().to_owned(),
            emoji: emoji.as_str().to_owned(),
            count: 0,
            user_id: user.to_string(),
            added: add,
            version: 0,
        })
        .map_err(Failure::from)?;
        let target = self.publish_target(room);
        for _ in 0..ATTEMPTS {
            let found = self.existing(room, id).await?;
            if found.message.is_deleted() {
                return Err(MessageError::Deleted);
            }
            let mut conn = self.ctx.redis()?;
            let reacted = self
                .scripts
                .react
                .run(
                    &mut conn,
                    &Reaction {
                        room,
                        read: &found.member,
                        id: id.as_str(),
                        user,
                        emoji: emoji.as_str(),
                        add,
                        most_emoji: MAX_REACTIONS_PER_MESSAGE,
                        most_mine: MAX_REACTIONS_PER_USER,
                        publish: &target,
                        envelope_head: &envelope_head,
                        event: &event,
                    },
                )
                .await?;
            let reactions = match reacted {
                Reacted::MessageChanged => continue,
                Reacted::TooManyEmoji => {
                    return Err(MessageError::ReactionLimit(
                        "emoji: this message has as many different reactions as it can take",
                    ))
                }
                Reacted::TooManyOfUser => {
                    return Err(MessageError::ReactionLimit(
                        "emoji: you have put as many reactions on this message as you can",
                    ))
                }
                Reacted::Unchanged { reactions, mine } => (reactions, mine),
                Reacted::Changed {
                    reactions,
                    mine,
                    count,
                    version,
                } => {
                    let topic = Topic::Client(kind);
                    metrics::ENVELOPES_OUT
                        .with_label_values(&[topic.as_str()])
                        .inc();
                    metrics::MESSAGES_CHANGED
                        .with_label_values(&[if add { "react" } else { "unreact" }])
                        .inc();
                    self.ctx.events().dispatch_local(
                        kind,
                        Route::room(room),
                        &event.fill(count, version),
                    );
                    (reactions, mine)
                }
            };
            let mut message = self.quoted(room, found.message).await?;
            message.reactions = parse_reactions(Some(&reactions.0), Some(&reactions.1), user);
            return Ok(message);
        }
        Err(MessageError::Conflict)
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
        let target = self.publish_target(room);
        let mut conn = self.ctx.redis()?;
        let replaced = self
            .scripts
            .replace
            .run(
                &mut conn,
                &Replacement {
                    room,
                    read: &found.member,
                    id: &found.message.id,
                    with: &replacement.stored_json()?,
                    drop_reactions: replacement.is_deleted(),
                    publish: &target,
                    envelope: &envelope,
                },
            )
            .await?;
        if replaced == Replaced::Done {
            let topic = Topic::Client(kind);
            metrics::ENVELOPES_OUT
                .with_label_values(&[topic.as_str()])
                .inc();
            self.ctx
                .events()
                .dispatch_local(kind, Route::room(room), &data);
        }
        Ok(replaced == Replaced::Done)
    }

    /// `user` reports someone else's message `id` in `room` (a room they are in) for
    /// `reason`: `(true, report)` when new (the room's staff get `report.created`), or
    /// `(false, their open report of it)`. Counts against the message rate.
    pub async fn report(
        &self,
        user: UserId,
        room: &RoomId,
        id: &MessageId,
        reason: &str,
    ) -> Result<(bool, chat_rooms::Report), MessageError> {
        self.may_change(user, room).await?;
        let found = self.existing(room, id).await?;
        let m = &found.message;
        if m.is_deleted() {
            return Err(MessageError::Deleted);
        }
        if m.from == user.to_string() {
            return Err(MessageError::OwnMessage);
        }
        Ok(self
            .rooms
            .report(room, &m.id, user, &m.from, &m.message, reason)
            .await?)
    }
}
