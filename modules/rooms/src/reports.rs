//! Reports of messages: any member reports one; the room's moderators and up see them
//! live and in a queue, and close them (resolved or dismissed). The reporter hears that
//! theirs was closed, never by whom. Closed reports are kept for a while, then removed.

use chat_core::{
    context::timed,
    lua::{read, Lua},
    now_secs,
    protocol::{ReportCreated, ReportUpdated, ServerEvent},
    redis, Failure, RoomId, UserId,
};
use serde::{Deserialize, Serialize};

use crate::{keys, RoomsStore};

/// A report, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub id: String,
    pub room_id: String,
    pub message_id: String,
    pub reporter: String,
    /// The reported message's author.
    pub author: String,
    /// The message's text when it was reported (moderators judge what was said, even
    /// once it was edited or deleted).
    pub excerpt: String,
    pub reason: String,
    /// Unix ms.
    pub date: u64,
    /// `open`, `resolved` or `dismissed`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handled_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handled_at: Option<u64>,
}

/// What closing a report found.
pub enum Closing {
    /// This call closed it.
    Closed(Report),
    /// It was closed before.
    Was(Report),
    Absent,
}

/// Which reports to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    Open,
    Closed,
}

/// `report.lua`.
#[derive(Clone)]
pub(crate) struct ReportScript(Lua);

impl ReportScript {
    pub fn new() -> Self {
        Self(Lua::new(include_str!("scripts/report.lua")))
    }
}

fn now_ms() -> u64 {
    (now_secs() * 1000.0) as u64
}

fn parse(raw: &str) -> Result<Report, Failure> {
    serde_json::from_str(raw).map_err(|e| Failure::internal(format!("a stored report: {e}")))
}

impl RoomsStore {
    /// The ids of `room`'s moderators, admins and owners (those with a role).
    pub async fn staff_of(&self, room: &RoomId) -> Result<Vec<UserId>, Failure> {
        let mut conn = self.ctx.redis()?;
        let ids: Vec<String> = timed(
            "hkeys",
            redis::cmd("HKEYS")
                .arg(keys::roles(room))
                .query_async(&mut conn),
        )
        .await?;
        Ok(ids.iter().filter_map(|i| i.parse().ok()).collect())
    }

    fn report_keys(room: &RoomId) -> [String; 4] {
        [
            keys::reports(room),
            keys::reports_open(room),
            keys::reports_closed(room),
            keys::audit(room),
        ]
    }

    async fn run_report(
        &self,
        room: &RoomId,
        args: &[String],
    ) -> Result<(String, String), Failure> {
        let [a, b, c, d] = Self::report_keys(room);
        let mut cmd = self.report.0.call(&[&a, &b, &c, &d]);
        for arg in args {
            cmd.arg(arg);
        }
        let mut conn = self.ctx.redis()?;
        let answer = timed("evalsha", self.report.0.run(&mut conn, &cmd)).await?;
        read("report", answer)
    }

    /// Files `reporter`'s report of message `message` (by `author`, reading `excerpt`) in
    /// `room`: `(true, report)` when new (the room's staff get `report.created`), or
    /// `(false, their open report of that message)`.
    pub async fn report(
        &self,
        room: &RoomId,
        message: &str,
        reporter: UserId,
        author: &str,
        excerpt: &str,
        reason: &str,
    ) -> Result<(bool, Report), Failure> {
        let date = now_ms();
        let report = Report {
            id: chat_auth::new_token()[..24].to_owned(),
            room_id: room.to_string(),
            message_id: message.to_owned(),
            reporter: reporter.to_string(),
            author: author.to_owned(),
            excerpt: excerpt.to_owned(),
            reason: reason.to_owned(),
            date,
            status: "open".to_owned(),
            handled_by: None,
            handled_at: None,
        };
        let json = serde_json::to_string(&report).map_err(|e| Failure::internal(e.to_string()))?;
        let (status, raw) = self
            .run_report(
                room,
                &[
                    "create".into(),
                    report.id.clone(),
                    reporter.to_string(),
                    message.to_owned(),
                    json,
                    date.to_string(),
                ],
            )
            .await?;
        let stored = parse(&raw)?;
        if status != "new" {
            return Ok((false, stored));
        }
        for staff in self.staff_of(room).await? {
            let event = ReportCreated {
                user_id: staff.to_string(),
                id: stored.id.clone(),
                room_id: stored.room_id.clone(),
                message_id: stored.message_id.clone(),
                reporter_id: stored.reporter.clone(),
                author_id: stored.author.clone(),
                excerpt: stored.excerpt.clone(),
                reason: stored.reason.clone(),
                date: stored.date as f64 / 1000.0,
            };
            self.ctx
                .events()
                .publish(&ServerEvent::ReportCreated(event))
                .await?;
        }
        Ok((true, stored))
    }

    /// Closes report `id` of `room` as `status` (`resolved` or `dismissed`), by `handler`:
    /// the room's staff get `report.updated` (with who), the reporter too (without).
    pub async fn close_report(
        &self,
        room: &RoomId,
        id: &str,
        status: &str,
        handler: UserId,
    ) -> Result<Closing, Failure> {
        let (outcome, raw) = self
            .run_report(
                room,
                &[
                    "close".into(),
                    id.to_owned(),
                    status.to_owned(),
                    handler.to_string(),
                    now_ms().to_string(),
                    (self.reports_kept_days * 86_400_000).to_string(),
                    keys::AUDIT_KEPT.to_string(),
                ],
            )
            .await?;
        let report = match outcome.as_str() {
            "absent" => return Ok(Closing::Absent),
            "was" => return Ok(Closing::Was(parse(&raw)?)),
            _ => parse(&raw)?,
        };
        let update = |to: &str, by: Option<String>| ReportUpdated {
            user_id: to.to_owned(),
            id: report.id.clone(),
            room_id: report.room_id.clone(),
            message_id: report.message_id.clone(),
            status: report.status.clone(),
            handled_by: by,
        };
        let mut events = vec![update(&report.reporter, None)];
        for staff in self.staff_of(room).await? {
            if staff.to_string() != report.reporter {
                events.push(update(&staff.to_string(), Some(handler.to_string())));
            }
        }
        for event in events {
            self.ctx
                .events()
                .publish(&ServerEvent::ReportUpdated(event))
                .await?;
        }
        Ok(Closing::Closed(report))
    }

    /// Up to `limit` of `room`'s open or closed reports, newest first, dated before
    /// `before` (ms) when given.
    pub async fn reports_page(
        &self,
        room: &RoomId,
        queue: Queue,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<Report>, Failure> {
        let key = match queue {
            Queue::Open => keys::reports_open(room),
            Queue::Closed => keys::reports_closed(room),
        };
        let max = before.map_or_else(|| "+inf".to_owned(), |b| format!("({b}"));
        let mut conn = self.ctx.redis()?;
        let ids: Vec<String> = timed(
            "zrevrangebyscore",
            redis::cmd("ZREVRANGEBYSCORE")
                .arg(&key)
                .arg(max)
                .arg("-inf")
                .arg("LIMIT")
                .arg(0)
                .arg(limit)
                .query_async(&mut conn),
        )
        .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let raw: Vec<Option<String>> = timed(
            "hmget",
            redis::cmd("HMGET")
                .arg(keys::reports(room))
                .arg(&ids)
                .query_async(&mut conn),
        )
        .await?;
        raw.into_iter().flatten().map(|r| parse(&r)).collect()
    }

    /// Report `id` of `room`.
    pub async fn report_of(&self, room: &RoomId, id: &str) -> Result<Option<Report>, Failure> {
        let mut conn = self.ctx.redis()?;
        let raw: Option<String> = timed(
            "hget",
            redis::cmd("HGET")
                .arg(keys::reports(room))
                .arg(id)
                .query_async(&mut conn),
        )
        .await?;
        raw.map(|r| parse(&r)).transpose()
    }
}
