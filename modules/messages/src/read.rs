//! Read markers (`user:{id}:read`) and what a user's room list shows of each room: its
//! last message, how many are unread, how many of those mention the user.

use chat_core::{
    context::timed,
    protocol::{Message, RoomRead, ServerEvent},
    redis, Failure, RoomId, UserId,
};
use chat_rooms::{Activity, RoomActivity};

use crate::{error::MessageError, input::ReadDate, keys, scripts::Marker, store::MessagesStore};

impl MessagesStore {
    /// Moves `user`'s read marker in `room` forward to `date` and tells their other sockets.
    pub async fn mark_read(
        &self,
        user: UserId,
        room: &RoomId,
        date: ReadDate,
    ) -> Result<(), MessageError> {
        let date = date.0;
        self.check_access(user, room).await?;
        let mut conn = self.ctx.redis()?;
        // Never beyond the newest message: a marker in the future would hide later ones.
        let newest: Vec<(String, f64)> = timed(
            "zrevrange",
            redis::cmd("ZREVRANGE")
                .arg(keys::room(room))
                .arg(0)
                .arg(0)
                .arg("WITHSCORES")
                .query_async(&mut conn),
        )
        .await?;
        let date = newest.first().map_or(0.0, |(_, top)| date.min(*top));
        if date <= 0.0 {
            return Ok(());
        }
        let moved = self
            .scripts
            .mark_read
            .run(&mut conn, user, room, &format!("{date:.3}"))
            .await?;
        drop(conn);
        if moved == Marker::Moved {
            let event = RoomRead {
                room_id: room.to_string(),
                user_id: user.to_string(),
                date,
            };
            self.ctx
                .events()
                .publish(&ServerEvent::RoomRead(event))
                .await?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl RoomActivity for MessagesStore {
    async fn activity(&self, user: UserId, rooms: &[RoomId]) -> Result<Vec<Activity>, Failure> {
        if rooms.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.ctx.redis()?;
        let mut markers = redis::cmd("HMGET");
        markers.arg(keys::read_markers(user));
        for r in rooms {
            markers.arg(r.as_str());
        }
        let mut mentions = redis::cmd("ZRANGE");
        mentions
            .arg(keys::mentions(user))
            .arg(0)
            .arg(-1)
            .arg("WITHSCORES");
        let (markers, mentions): (Vec<Option<String>>, Vec<(String, f64)>) = timed(
            "hmget",
            redis::pipe()
                .add_command(markers)
                .add_command(mentions)
                .query_async(&mut conn),
        )
        .await?;
        let mut pipe = redis::pipe();
        for (r, marker) in rooms.iter().zip(&markers) {
            let key = keys::room(r);
            pipe.cmd("ZREVRANGE").arg(&key).arg(0).arg(0);
            let from = marker
                .as_deref()
                .map_or_else(|| "-inf".to_owned(), |m| format!("({m}"));
            pipe.cmd("ZCOUNT").arg(&key).arg(from).arg("+inf");
        }
        let out: Vec<redis::Value> = timed("activity", pipe.query_async(&mut conn)).await?;
        let mut result = Vec::with_capacity(rooms.len());
        for (i, (room, marker)) in rooms.iter().zip(&markers).enumerate() {
            let last: Vec<String> = redis::from_redis_value(&out[2 * i]).unwrap_or_default();
            let unread: u64 = redis::from_redis_value(&out[2 * i + 1]).unwrap_or(0);
            let last = last
                .first()
                .and_then(|raw| Message::parse_stored(raw))
                .map(|mut m| {
                    if m.room_id.is_empty() {
                        m.room_id = room.to_string();
                    }
                    m
                });
            let read_up_to = marker
                .as_deref()
                .and_then(|m| m.parse::<f64>().ok())
                .unwrap_or(0.0);
            let mentions = mentions
                .iter()
                .filter(|(entry, date)| {
                    *date > read_up_to
                        && entry
                            .split_once(' ')
                            .is_some_and(|(r, _)| r == room.as_str())
                })
                .count() as u64;
            result.push(Activity {
                last,
                unread,
                mentions: mentions.min(unread),
            });
        }
        Ok(result)
    }
}
