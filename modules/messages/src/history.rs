//! Reading history: a page of a room's messages, oldest first, by exact cursors.

use chat_core::{context::timed, protocol::Message, redis, Failure, RoomId, TextInput, UserId};

use crate::{input::Cursor, keys, store::MessagesStore};

/// A page of history, oldest first.
#[derive(Debug)]
pub struct Page {
    pub messages: Vec<Message>,
    /// Cursor for the next older page; `None` at the beginning of the room.
    pub before: Option<String>,
    /// Cursor that continues forward after this page.
    pub after: Option<String>,
    /// At the beginning of the room's kept history: the date up to which older messages
    /// were removed by the retention setting (`None` when none were).
    pub trimmed_before: Option<f64>,
}

/// Whether two date strings (a cursor's, a score from Redis) name the same date.
fn same_date(a: &str, b: &str) -> bool {
    matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y)
}

impl MessagesStore {
    /// A page of `room`'s history, oldest first. With `before`: the messages just older
    /// than the cursor; with `after`: just newer; with both: those between them, from the
    /// oldest; with neither: the newest.
    pub async fn page(
        &self,
        room: &RoomId,
        viewer: UserId,
        before: Option<&Cursor>,
        after: Option<&Cursor>,
        limit: usize,
    ) -> Result<Page, Failure> {
        let key = keys::room(room);
        let mut conn = self.ctx.redis()?;
        let forward = after.is_some();
        let cursor = after.or(before);
        let (bound, skip) = match cursor {
            None => ("+inf".to_owned(), 0),
            Some(Cursor { date, skip: None }) => (format!("({date}"), 0),
            Some(Cursor {
                date,
                skip: Some(n),
            }) => (date.clone(), *n),
        };
        let fetch = limit + 1;
        // Forward with both cursors: stop at `before`. At a tied date `before` has already
        // seen its newest `n` messages, so only the others there are in the range.
        let (end, tied_in_range) = match (forward, before) {
            (true, Some(Cursor { date, skip: None })) => (format!("({date}"), None),
            (
                true,
                Some(Cursor {
                    date,
                    skip: Some(n),
                }),
            ) => {
                let at: u64 = timed(
                    "zcount",
                    redis::cmd("ZCOUNT")
                        .arg(&key)
                        .arg(date)
                        .arg(date)
                        .query_async(&mut conn),
                )
                .await?;
                // With `after` at that same date too, its first messages there are skipped
                // by the query itself.
                let skipped = match after {
                    Some(Cursor {
                        date: a,
                        skip: Some(k),
                    }) if same_date(a, date) => *k,
                    _ => 0,
                };
                (
                    date.clone(),
                    Some((date, at.saturating_sub(*n).saturating_sub(skipped))),
                )
            }
            (true, None) => ("+inf".to_owned(), None),
            (false, _) => ("-inf".to_owned(), None),
        };
        let (op, command) = if forward {
            ("zrangebyscore", "ZRANGEBYSCORE")
        } else {
            ("zrevrangebyscore", "ZREVRANGEBYSCORE")
        };
        let mut raw: Vec<(String, String)> = timed(
            op,
            redis::cmd(command)
                .arg(&key)
                .arg(&bound)
                .arg(end)
                .arg("WITHSCORES")
                .arg("LIMIT")
                .arg(skip)
                .arg(fetch)
                .query_async(&mut conn),
        )
        .await?;
        if let Some((date, keep)) = tied_in_range {
            let mut seen = 0;
            if let Some(cut) = raw.iter().position(|(_, score)| {
                let tied = same_date(date, score);
                seen += u64::from(tied);
                tied && seen > keep
            }) {
                raw.truncate(cut);
            }
        }
        let more = raw.len() > limit;
        let mut items: Vec<(String, String)> = raw.into_iter().take(limit).collect();
        // The cursor for continuing past the last item of `items`, in fetch order.
        let next = items.last().map(|(_, score)| {
            let same = items.iter().rev().take_while(|(_, s)| s == score).count() as u64;
            let inherited = match cursor {
                Some(Cursor {
                    date,
                    skip: Some(n),
                }) if same_date(date, score) => *n,
                _ => 0,
            };
            Cursor {
                date: score.clone(),
                skip: Some(same + inherited),
            }
            .to_text()
        });
        let (before_cursor, after_cursor) = if forward {
            // Fetched oldest first: older than this page is strictly before its first date.
            let older = items.first().map(|(_, s)| s.clone());
            (older, next.or_else(|| cursor.map(Cursor::to_text)))
        } else {
            items.reverse();
            let newer = items.last().map(|(_, s)| s.clone());
            (
                if more { next } else { None },
                newer.or_else(|| cursor.map(Cursor::to_text)),
            )
        };
        let messages = items
            .iter()
            .filter_map(|(raw, _)| Message::parse_stored(raw))
            .map(|mut m| {
                if m.room_id.is_empty() {
                    m.room_id = room.to_string();
                }
                m
            });
        let mut messages: Vec<Message> = messages.collect();
        self.decorate(room, viewer, &mut messages).await?;
        let trimmed_before = if before_cursor.is_none() && !forward {
            let mut conn = self.ctx.redis()?;
            let t: Option<f64> = timed(
                "get",
                redis::cmd("GET")
                    .arg(keys::trimmed(room))
                    .query_async(&mut conn),
            )
            .await?;
            t
        } else {
            None
        };
        Ok(Page {
            messages,
            before: before_cursor,
            after: after_cursor,
            trimmed_before,
        })
    }
}
