//! `/api/rooms/{id}/reports`: the moderators' queue of reported messages. (Reporting a
//! message is `POST /api/rooms/{id}/messages/{messageId}/reports`, in the messages module,
//! which knows the message.)

use chat_auth::SessionAuth;
use chat_core::{
    input::string_schema, protocol::UserView, ErrorBody, Failure, Rejection, RoomId, TextInput,
    UserId,
};
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    registry::MetaSchema,
    ApiResponse, Enum, Object, OpenApi, Tags,
};

use crate::{
    members_api::{body, or_stop, secs, staff, Stop},
    reports::{Closing, Queue, Report},
    roles::Role,
    RoomsStore,
};

#[derive(Tags)]
enum ApiTags {
    /// Reports of messages, for the room's moderators.
    Reports,
}

/// Longest report reason, in characters.
pub const MAX_REPORT_REASON: usize = 500;

/// Why a message is reported: 1–500 characters, not only white space, no control
/// characters but line breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportReason(String);

impl ReportReason {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TextInput for ReportReason {
    const NAME: &'static str = "ReportReason";

    fn schema() -> MetaSchema {
        string_schema(
            "Why: 1–500 characters, not only white space (stored trimmed), no control \
             characters but line breaks.",
            Some(1),
            Some(MAX_REPORT_REASON),
            Some(
                r"^[^\u0000-\u0009\u000B-\u001F\u007F-\u009F]*[^\u0000-\u0020\u007F-\u009F][^\u0000-\u0009\u000B-\u001F\u007F-\u009F]*$",
            ),
        )
    }

    fn parse(s: &str) -> Result<Self, Rejection> {
        let trimmed = s.trim();
        if trimmed.is_empty()
            || s.chars().nth(MAX_REPORT_REASON).is_some()
            || s.chars().any(|c| c.is_control() && c != '\n')
            || !s.chars().any(|c| !c.is_control() && c != ' ')
        {
            return Err((
                "invalid_reason",
                "reason: 1 to 500 characters, no control characters but line breaks",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    fn to_text(&self) -> String {
        self.0.clone()
    }
}
chat_core::text_input!(ReportReason);

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum ReportStatus {
    /// Waiting for a moderator.
    Open,
    /// A moderator acted on it.
    Resolved,
    /// A moderator found nothing to do.
    Dismissed,
}

/// A reported message, as moderators see it.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct ReportView {
    pub id: String,
    pub room_id: String,
    pub message_id: String,
    /// Who reported it.
    pub reporter: UserView,
    /// Who wrote the message.
    pub author: UserView,
    /// The message's text when it was reported.
    pub excerpt: String,
    pub reason: String,
    /// When, in unix seconds.
    pub date: f64,
    pub status: ReportStatus,
    /// The moderator who closed it.
    #[oai(skip_serializing_if_is_none)]
    pub handled_by: Option<UserView>,
    /// When it was closed, in unix seconds.
    #[oai(skip_serializing_if_is_none)]
    pub handled_at: Option<f64>,
}

/// How a report is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum Verdict {
    /// A moderator acted on it.
    Resolved,
    /// A moderator found nothing to do.
    Dismissed,
}

/// How to close a report.
#[derive(Debug, Object)]
pub struct CloseReport {
    /// `resolved` or `dismissed`.
    pub status: Verdict,
}

/// Which reports to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum ReportQueue {
    /// Waiting for a moderator (the default).
    Open,
    /// Resolved or dismissed (kept for `REPORTS_KEPT_DAYS`).
    Closed,
}

#[derive(ApiResponse)]
pub enum ReportsPage {
    /// Reports, newest first.
    #[oai(status = 200)]
    Ok(Json<Vec<ReportView>>),
    /// The caller is not a moderator of the room.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
}

#[derive(ApiResponse)]
pub enum CloseResponse {
    /// The report, closed.
    #[oai(status = 200)]
    Ok(Json<Box<ReportView>>),
    /// The caller is not a moderator of the room.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room or report.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// It was closed already (`already_closed`): the report as it is.
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
}

impl From<Stop> for ReportsPage {
    fn from(stop: Stop) -> Self {
        match stop {
            Stop::Forbidden(e, m) | Stop::Conflict(e, m) => ReportsPage::Forbidden(body(e, m)),
            Stop::NotFound(m) => ReportsPage::NotFound(body("not_found", m)),
        }
    }
}

impl From<Stop> for CloseResponse {
    fn from(stop: Stop) -> Self {
        match stop {
            Stop::Forbidden(e, m) | Stop::Conflict(e, m) => CloseResponse::Forbidden(body(e, m)),
            Stop::NotFound(m) => CloseResponse::NotFound(body("not_found", m)),
        }
    }
}

/// A report's id: 24 hex digits (anything else names none: 404).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportId(String);

impl TextInput for ReportId {
    const NAME: &'static str = "ReportId";

    fn schema() -> MetaSchema {
        string_schema(
            "A report's id (24 hex digits).",
            Some(24),
            Some(24),
            Some("^[0-9a-f]{24}$"),
        )
    }

    fn parse(s: &str) -> Result<Self, Rejection> {
        if s.len() == 24 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(Self(s.to_owned()))
        } else {
            Err(("not_found", "reportId: no such report"))
        }
    }

    fn to_text(&self) -> String {
        self.0.clone()
    }
}
chat_core::text_input!(ReportId);

/// Views of reports, with the users they name (`with_handler`: moderators see who closed
/// one).
pub async fn report_views(
    store: &RoomsStore,
    reports: Vec<Report>,
    with_handler: bool,
) -> Result<Vec<ReportView>, Failure> {
    let mut ids: Vec<UserId> = Vec::new();
    for r in &reports {
        for u in [Some(&r.reporter), Some(&r.author), r.handled_by.as_ref()]
            .into_iter()
            .flatten()
        {
            if let Ok(id) = u.parse() {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
    }
    let names = store.auth().usernames(&ids).await?;
    let view = |id: &str| UserView {
        id: id.to_owned(),
        username: ids
            .iter()
            .position(|u| u.to_string() == id)
            .and_then(|i| names.get(i).cloned().flatten())
            .unwrap_or_default(),
        online: false,
    };
    Ok(reports
        .into_iter()
        .map(|r| ReportView {
            reporter: view(&r.reporter),
            author: view(&r.author),
            handled_by: r.handled_by.as_deref().filter(|_| with_handler).map(view),
            handled_at: r.handled_at.filter(|_| with_handler).map(secs),
            status: match r.status.as_str() {
                "resolved" => ReportStatus::Resolved,
                "dismissed" => ReportStatus::Dismissed,
                _ => ReportStatus::Open,
            },
            date: secs(r.date),
            id: r.id,
            room_id: r.room_id,
            message_id: r.message_id,
            excerpt: r.excerpt,
            reason: r.reason,
        })
        .collect())
}

/// The reports API.
pub struct ReportsApi {
    store: RoomsStore,
}

impl ReportsApi {
    pub fn new(store: RoomsStore) -> Self {
        Self { store }
    }
}

#[OpenApi(prefix_path = "/api/rooms", tag = "ApiTags::Reports")]
impl ReportsApi {
    /// A room's reports
    ///
    /// For moderators and up: open reports (or closed ones), newest first, at most `limit`
    /// (default 50), dated before `before` (unix seconds) when given.
    #[oai(path = "/:id/reports", method = "get", operation_id = "listReports")]
    async fn list(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        /// `open` (default) or `closed`.
        status: Query<Option<ReportQueue>>,
        /// Reports per page (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `date` of the oldest report seen: the page holds older ones.
        #[oai(validator(minimum(value = "0"), maximum(value = "100000000000")))]
        before: Query<Option<f64>>,
    ) -> poem::Result<ReportsPage> {
        let p = or_stop!(staff(&self.store, auth.user_id(), id.0, Role::Moderator).await?);
        let queue = match status.0 {
            Some(ReportQueue::Closed) => Queue::Closed,
            _ => Queue::Open,
        };
        let reports = self
            .store
            .reports_page(
                &p.room,
                queue,
                before.0.map(|b| (b * 1000.0).ceil() as u64),
                limit.0.unwrap_or(50) as usize,
            )
            .await?;
        Ok(ReportsPage::Ok(Json(
            report_views(&self.store, reports, true).await?,
        )))
    }

    /// Close a report
    ///
    /// Moderators and up mark a report `resolved` (they acted, e.g. deleted the message)
    /// or `dismissed`. The room's staff get `report.updated` with who closed it; the
    /// reporter gets it without.
    #[oai(
        path = "/:id/reports/:report_id",
        method = "patch",
        operation_id = "closeReport"
    )]
    async fn close(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        report_id: Path<ReportId>,
        body_: Json<CloseReport>,
    ) -> poem::Result<CloseResponse> {
        let me = auth.user_id();
        let p = or_stop!(staff(&self.store, me, id.0, Role::Moderator).await?);
        let status = match body_.status {
            Verdict::Resolved => "resolved",
            Verdict::Dismissed => "dismissed",
        };
        let view = |r: Report| async { report_views(&self.store, vec![r], true).await };
        match self
            .store
            .close_report(&p.room, &report_id.0 .0, status, me)
            .await?
        {
            Closing::Absent => Ok(CloseResponse::NotFound(body(
                "not_found",
                "reportId: no such report",
            ))),
            Closing::Was(_) => Ok(CloseResponse::Conflict(body(
                "already_closed",
                "reportId: this report was closed already",
            ))),
            Closing::Closed(r) => match view(r).await?.pop() {
                Some(v) => Ok(CloseResponse::Ok(Json(Box::new(v)))),
                None => Err(Failure::internal("a closed report vanished").into()),
            },
        }
    }
}
