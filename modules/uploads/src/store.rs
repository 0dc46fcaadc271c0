//! The uploads store: taking a file in (spooled to disk, typed from its content, an image
//! re-encoded in the worker pool, then put in storage), attaching uploads to messages,
//! serving them to the room's members, and letting them go: with their message, when
//! retention trims it, or a day after an upload nobody attached.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};

use chat_core::{
    context::timed, metrics, now_secs, protocol::Attachment, redis, Action, Ctx, Failure, RoomId,
    UserId,
};
use chat_rooms::{Access, RoomsStore};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use crate::{
    keys,
    media::{self, ImageLimits, Kind},
    pool::Pool,
    scripts::{Attached, Scripts},
    storage::{Storage, StorageConfig},
};

/// At most this many files go with one message.
pub const MAX_ATTACHMENTS: usize = 10;

/// A file name is kept to this many characters.
const MAX_NAME_CHARS: usize = 200;

/// A body that sends nothing for this long is cut off (on top of the upload's deadline).
const READ_GAP: Duration = Duration::from_secs(30);

/// How long a storage key stays in the trash as a guard while its upload is being made:
/// if the instance dies mid-upload, the sweeper deletes what it had stored after this.
const IN_FLIGHT_GUARD_SECS: u64 = 3600;

/// The longest wait before a failed storage delete is tried again (the next sweep, if
/// sooner).
const RETRY_DELETE_SECS: u64 = 60;

/// What the uploads module is set to.
#[derive(Debug, Clone)]
pub struct UploadSettings {
    pub storage: StorageConfig,
    /// Largest file (`UPLOAD_MAX_BYTES`).
    pub max_bytes: u64,
    /// Bytes one user may upload per day, UTC (`UPLOAD_DAILY_BYTES`; 0: no limit).
    pub daily_bytes: u64,
    /// An upload not attached to a message after this long is deleted
    /// (`UPLOAD_UNATTACHED_SECS`).
    pub unattached_secs: u64,
    /// How often the sweeper runs (`UPLOAD_SWEEP_SECS`).
    pub sweep_every: Duration,
    /// Images decoded at once (`UPLOAD_WORKERS`).
    pub workers: usize,
    pub image: ImageLimits,
    /// Where a file is spooled while it arrives.
    pub spool_dir: PathBuf,
}

/// An upload as recorded in Redis (`uploads:{room:<id>}`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    owner: String,
    name: String,
    size: u64,
    content_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    height: Option<u32>,
    /// The file's storage key.
    key: String,
    /// The thumbnail's storage key (images only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    thumb: Option<String>,
    /// The thumbnail's type (JPEG, or PNG for an image with transparency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    thumb_type: Option<String>,
    /// When it was made (unix s).
    made: u64,
    /// The message it is attached to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

impl Record {
    fn attachment(&self, id: &str) -> Attachment {
        Attachment {
            id: id.to_owned(),
            name: self.name.clone(),
            size: self.size,
            content_type: self.content_type.clone(),
            width: self.width,
            height: self.height,
        }
    }

    fn is_image(&self) -> bool {
        self.thumb.is_some()
    }
}

/// An upload that may go ahead: on which day, and how many bytes it may have.
pub struct Admitted {
    day: u64,
    allowed: u64,
}

/// A file received, in its spool file (removed when this is dropped).
pub struct Received {
    spool: tempfile::TempPath,
    size: u64,
    day: u64,
}

fn count_outcome(e: &UploadError) {
    let label = match e {
        UploadError::Internal(_) => "failed",
        _ => "refused",
    };
    metrics::UPLOADS.with_label_values(&[label]).inc();
}

/// Why an upload was refused.
#[derive(Debug)]
pub enum UploadError {
    NotMember,
    NotFound,
    /// Over `UPLOAD_MAX_BYTES`.
    TooLarge(u64),
    /// Over the user's rate; retry after this long.
    RateLimited(Duration),
    /// Over the user's daily bytes; retry after this long (the next day, UTC).
    Quota(Duration),
    /// An image that cannot be decoded.
    InvalidImage(String),
    /// An image over the pixel limits (a decompression bomb, or just too big).
    ImageTooLarge(String),
    /// The body stopped arriving.
    Stalled,
    Internal(Failure),
}

impl From<Failure> for UploadError {
    fn from(f: Failure) -> Self {
        UploadError::Internal(f)
    }
}

/// Why uploads could not go with a message.
#[derive(Debug)]
pub enum AttachError {
    /// Not one of the sender's uploads in this room (or it was swept).
    Missing(String),
    /// Already sent with another message.
    Taken(String),
    TooMany,
    Internal(Failure),
}

impl From<Failure> for AttachError {
    fn from(f: Failure) -> Self {
        AttachError::Internal(f)
    }
}

/// A file to serve.
pub struct Download {
    pub content_type: String,
    pub name: String,
    /// An image (shown inline); anything else is served as an attachment.
    pub image: bool,
    pub size: u64,
    pub body: futures_util::stream::BoxStream<'static, std::io::Result<bytes::Bytes>>,
}

/// Tells the sweeper which messages still exist (the messages module does).
#[async_trait::async_trait]
pub trait MessageCheck: Send + Sync {
    /// For each id, whether `room` still has that message, not deleted.
    async fn live(&self, room: &RoomId, ids: &[String]) -> Result<Vec<bool>, Failure>;
}

#[derive(Clone)]
pub struct UploadsStore {
    ctx: Ctx,
    rooms: RoomsStore,
    storage: Storage,
    settings: Arc<UploadSettings>,
    scripts: Arc<Scripts>,
    pool: Pool,
}

impl UploadsStore {
    pub fn new(ctx: Ctx, rooms: RoomsStore, settings: UploadSettings) -> anyhow::Result<Self> {
        let storage = Storage::open(&settings.storage)?;
        std::fs::create_dir_all(&settings.spool_dir)?;
        // What a previous process was receiving when it stopped is of no use now.
        for entry in std::fs::read_dir(&settings.spool_dir)?.flatten() {
            if entry.file_name().to_string_lossy().starts_with("upload-") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(Self {
            ctx,
            rooms,
            storage,
            pool: Pool::new(settings.workers.max(1)),
            settings: Arc::new(settings),
            scripts: Arc::new(Scripts::new()),
        })
    }

    pub fn settings(&self) -> &UploadSettings {
        &self.settings
    }

    pub fn storage_kind(&self) -> &'static str {
        self.storage.kind
    }

    /// Whether `user` may upload to `room` now: a member, within their rate and with
    /// bytes left today. Checked before any of the body is read.
    pub async fn admit(&self, user: UserId, room: &RoomId) -> Result<Admitted, UploadError> {
        let admitted = self.admit_inner(user, room).await;
        if let Err(e) = &admitted {
            count_outcome(e);
        }
        admitted
    }

    async fn admit_inner(&self, user: UserId, room: &RoomId) -> Result<Admitted, UploadError> {
        match self.rooms.access(user, room).await? {
            Access::Member => {}
            Access::NotMember => return Err(UploadError::NotMember),
            Access::NotFound => return Err(UploadError::NotFound),
        }
        self.ctx
            .limiter()
            .check(user, Action::Upload)
            .map_err(UploadError::RateLimited)?;
        let day = now_secs() as u64 / 86_400;
        let allowed = self.allowance(user, day).await?;
        if allowed == 0 {
            return Err(UploadError::Quota(until_tomorrow()));
        }
        Ok(Admitted { day, allowed })
    }

    /// Takes in the file of an admitted upload: `body` is read to a spool file (never
    /// whole in memory) within the file limit. Then [`Self::keep`] stores it.
    pub async fn receive(
        &self,
        admitted: Admitted,
        body: impl AsyncRead + Unpin,
    ) -> Result<Received, UploadError> {
        let received = self.receive_inner(admitted, body).await;
        if let Err(e) = &received {
            count_outcome(e);
        }
        received
    }

    async fn receive_inner(
        &self,
        admitted: Admitted,
        body: impl AsyncRead + Unpin,
    ) -> Result<Received, UploadError> {
        let Admitted { day, allowed } = admitted;
        let spool = tempfile::Builder::new()
            .prefix("upload-")
            .tempfile_in(&self.settings.spool_dir)
            .map_err(|e| Failure::internal(format!("spool file: {e}")))?
            .into_temp_path();
        let size = spool_to(&spool, body, allowed).await?;
        if size > self.settings.max_bytes {
            return Err(UploadError::TooLarge(self.settings.max_bytes));
        }
        if size > allowed {
            return Err(UploadError::Quota(until_tomorrow()));
        }
        Ok(Received { spool, size, day })
    }

    /// Adds `size` bytes to `user`'s day, unless that passes the daily limit (uploads at
    /// the same moment cannot all spend the same allowance). Whether it was charged.
    async fn charge(&self, user: UserId, day: u64, size: u64) -> Result<bool, Failure> {
        if self.settings.daily_bytes == 0 || size == 0 {
            return Ok(true);
        }
        let quota = keys::daily_bytes(user, day);
        let mut conn = self.ctx.redis()?;
        let (total,): (u64,) = timed(
            "incrby",
            redis::pipe()
                .cmd("INCRBY")
                .arg(&quota)
                .arg(size)
                .cmd("EXPIRE")
                .arg(&quota)
                .arg(2 * 86_400)
                .ignore()
                .query_async(&mut conn),
        )
        .await?;
        if total > self.settings.daily_bytes {
            self.refund(user, day, size).await;
            return Ok(false);
        }
        Ok(true)
    }

    /// Takes back bytes charged to `user`'s day for a file that was not kept.
    async fn refund(&self, user: UserId, day: u64, size: u64) {
        if self.settings.daily_bytes == 0 || size == 0 {
            return;
        }
        let refunded = match self.ctx.redis() {
            Ok(mut conn) => {
                timed(
                    "decrby",
                    redis::cmd("DECRBY")
                        .arg(keys::daily_bytes(user, day))
                        .arg(size)
                        .query_async::<()>(&mut conn),
                )
                .await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = refunded {
            tracing::warn!(error = %e, "an upload's bytes were not refunded");
        }
    }

    /// A file sent in a refused request (the form had other fields): nothing kept.
    pub fn refuse(&self, received: Received) {
        metrics::UPLOADS.with_label_values(&["refused"]).inc();
        drop(received);
    }

    /// Stores a received file: its bytes charged to the user's day (refunded if it is not
    /// kept; uploads at the same moment cannot all spend the same allowance), typed from
    /// its content, an image re-encoded without metadata with a thumbnail, put in storage
    /// and recorded, unattached. Run it where a dropped request cannot cancel it halfway.
    pub async fn keep(
        &self,
        user: UserId,
        room: &RoomId,
        name: Option<&str>,
        received: Received,
    ) -> Result<Attachment, UploadError> {
        let (day, size) = (received.day, received.size);
        if !self.charge(user, day, size).await? {
            count_outcome(&UploadError::Quota(Duration::ZERO));
            return Err(UploadError::Quota(until_tomorrow()));
        }
        let kept = self.keep_inner(user, room, name, received).await;
        match &kept {
            Ok(_) => metrics::UPLOADS.with_label_values(&["stored"]).inc(),
            Err(e) => {
                count_outcome(e);
                self.refund(user, day, size).await;
            }
        }
        kept
    }

    async fn keep_inner(
        &self,
        user: UserId,
        room: &RoomId,
        name: Option<&str>,
        received: Received,
    ) -> Result<Attachment, UploadError> {
        let Received { spool, size, .. } = received;
        let id = uuid::Uuid::now_v7().simple().to_string();
        let key = format!("uploads/{id}");
        let head = media::head_of(&spool).map_err(|e| Failure::internal(format!("spool: {e}")))?;
        // As a download; an image gets its type, size and dimensions as re-encoded.
        let mut record = Record {
            owner: user.to_string(),
            name: file_name(name),
            size,
            content_type: media::OCTET_STREAM.to_owned(),
            width: None,
            height: None,
            key: key.clone(),
            thumb: None,
            thumb_type: None,
            made: now_secs() as u64,
            message: None,
        };
        let guarded = match media::detect(&head) {
            Kind::Image(format) => {
                let limits = self.settings.image;
                let path = spool.to_path_buf();
                let started = Instant::now();
                let processed = self
                    .pool
                    .run(move || media::process(&path, format, limits))
                    .await?;
                metrics::IMAGE_PROCESSING.observe(started.elapsed().as_secs_f64());
                let processed = processed.map_err(|e| match e {
                    media::ImageError::TooLarge(why) => UploadError::ImageTooLarge(why),
                    media::ImageError::Invalid(why) => UploadError::InvalidImage(why),
                })?;
                let thumb = format!("{key}.thumb");
                // Until the record exists, what is stored waits in the trash (due in an
                // hour): an instance dying now leaves nothing behind for good.
                let guarded = vec![key.clone(), thumb.clone()];
                self.guard(room, &guarded).await?;
                record.size = processed.bytes.len() as u64;
                record.content_type = processed.content_type.to_owned();
                record.width = Some(processed.width);
                record.height = Some(processed.height);
                record.thumb = Some(thumb.clone());
                record.thumb_type = Some(processed.thumbnail_type.to_owned());
                self.storage.put_bytes(&key, processed.bytes).await?;
                self.storage.put_bytes(&thumb, processed.thumbnail).await?;
                guarded
            }
            Kind::File(mime) => {
                let guarded = vec![key.clone()];
                self.guard(room, &guarded).await?;
                self.storage.put_file(&key, &spool).await?;
                record.content_type = mime.to_owned();
                guarded
            }
        };
        self.record(room, &id, &record, &guarded).await?;
        // An image may be larger re-encoded than sent: the day is charged what is kept.
        if record.size > size {
            let _ = self
                .charge(user, now_secs() as u64 / 86_400, record.size - size)
                .await;
        }
        Ok(record.attachment(&id))
    }

    /// Bytes `user` may still upload today (capped by the file limit, plus one byte to
    /// tell "over the cap" from "at the cap").
    async fn allowance(&self, user: UserId, day: u64) -> Result<u64, Failure> {
        let cap = self.settings.max_bytes.saturating_add(1);
        if self.settings.daily_bytes == 0 {
            return Ok(cap);
        }
        let mut conn = self.ctx.redis()?;
        let used: Option<u64> = timed(
            "get",
            redis::cmd("GET")
                .arg(keys::daily_bytes(user, day))
                .query_async(&mut conn),
        )
        .await?;
        let left = self.settings.daily_bytes.saturating_sub(used.unwrap_or(0));
        Ok(left.min(cap))
    }

    /// Puts storage keys in the room's trash, due in an hour: deleted unless
    /// [`Self::record`] takes them out first.
    async fn guard(&self, room: &RoomId, keys_: &[String]) -> Result<(), Failure> {
        let due = now_secs() as u64 + IN_FLIGHT_GUARD_SECS;
        let mut conn = self.ctx.redis()?;
        // The sweeper walks the rooms it knows: this one from before its first key.
        timed(
            "sadd",
            redis::cmd("SADD")
                .arg(keys::rooms())
                .arg(room.to_string())
                .query_async::<()>(&mut conn),
        )
        .await?;
        let mut cmd = redis::cmd("ZADD");
        cmd.arg(keys::trash(room));
        for k in keys_ {
            cmd.arg(due).arg(k);
        }
        timed("zadd", cmd.query_async::<()>(&mut conn)).await
    }

    /// Records a stored upload: its room by id, and its record (which takes its storage
    /// keys out of the trash).
    async fn record(
        &self,
        room: &RoomId,
        id: &str,
        record: &Record,
        guarded: &[String],
    ) -> Result<(), Failure> {
        let mut conn = self.ctx.redis()?;
        let json = serde_json::to_string(record)?;
        timed(
            "set",
            redis::cmd("SET")
                .arg(keys::upload_room(id))
                .arg(room.to_string())
                .query_async::<()>(&mut conn),
        )
        .await?;
        self.scripts
            .create(&mut conn, room, id, &json, record.made, guarded)
            .await
    }

    /// Attaches `ids` (the sender's uploads in `room`, not sent yet) to message
    /// `message`: all or none. Their descriptions, in order.
    pub async fn attach(
        &self,
        owner: UserId,
        room: &RoomId,
        message: &str,
        ids: &[String],
    ) -> Result<Vec<Attachment>, AttachError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        if ids.len() > MAX_ATTACHMENTS {
            return Err(AttachError::TooMany);
        }
        for id in ids {
            if !valid_id(id) {
                return Err(AttachError::Missing(id.clone()));
            }
            if ids.iter().filter(|other| *other == id).count() > 1 {
                return Err(AttachError::Taken(id.clone()));
            }
        }
        let mut conn = self.ctx.redis()?;
        match self
            .scripts
            .attach(&mut conn, room, owner, message, ids)
            .await?
        {
            Attached::Records(records) => records
                .iter()
                .zip(ids)
                .map(|(raw, id)| {
                    serde_json::from_str::<Record>(raw)
                        .map(|r| r.attachment(id))
                        .map_err(|e| AttachError::Internal(e.into()))
                })
                .collect(),
            Attached::Missing(id) => Err(AttachError::Missing(id)),
            Attached::Taken(id) => Err(AttachError::Taken(id)),
        }
    }

    /// Gives back uploads attached to `message` when it was not stored after all.
    pub async fn release(&self, room: &RoomId, message: &str, ids: &[String]) {
        if ids.is_empty() {
            return;
        }
        let released = match self.ctx.redis() {
            Ok(mut conn) => self.scripts.release(&mut conn, room, message, ids).await,
            Err(e) => Err(e),
        };
        if let Err(e) = released {
            // They stay attached to a message that does not exist: the sweeper finds
            // that message gone and deletes them.
            tracing::warn!(error = %e, "attached uploads were not released");
        }
    }

    /// Deletes the files of a deleted message (by its author or a moderator): their
    /// records go now, storage follows (and is retried until it succeeds).
    pub async fn discard_with(&self, room: &RoomId, message: &str, ids: &[String]) {
        let pairs: Vec<(String, String)> = ids
            .iter()
            .map(|id| (id.clone(), message.to_owned()))
            .collect();
        match self.discard(room, 0, &pairs).await {
            Ok(gone) if !gone.is_empty() => self.empty_trash(room).await,
            Ok(_) => {}
            // The sweeper finds the message deleted and does it.
            Err(e) => tracing::warn!(error = %e, "a deleted message's files were not discarded"),
        }
    }

    async fn discard(
        &self,
        room: &RoomId,
        cutoff: u64,
        pairs: &[(String, String)],
    ) -> Result<Vec<String>, Failure> {
        let mut conn = self.ctx.redis()?;
        let gone = self
            .scripts
            .discard(&mut conn, room, now_secs() as u64, cutoff, pairs)
            .await?;
        if !gone.is_empty() {
            // Each in its own slot on a cluster: one at a time.
            for id in &gone {
                let _ = timed(
                    "del",
                    redis::cmd("DEL")
                        .arg(keys::upload_room(id))
                        .query_async::<()>(&mut conn),
                )
                .await;
            }
        }
        Ok(gone)
    }

    /// Deletes from storage what is due in the room's trash; what fails is tried again
    /// later.
    async fn empty_trash(&self, room: &RoomId) {
        let Ok(mut conn) = self.ctx.redis() else {
            return;
        };
        let now = now_secs() as u64;
        let retry_in = self
            .settings
            .sweep_every
            .as_secs()
            .clamp(1, RETRY_DELETE_SECS);
        let due: Vec<String> = match timed(
            "zrangebyscore",
            redis::cmd("ZRANGEBYSCORE")
                .arg(keys::trash(room))
                .arg("-inf")
                .arg(now)
                .arg("LIMIT")
                .arg(0)
                .arg(100)
                .query_async(&mut conn),
        )
        .await
        {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!(error = %e, "reading the uploads trash");
                return;
            }
        };
        for key in due {
            let done = self.storage.delete(&key).await;
            let step = match done {
                Ok(()) => redis::cmd("ZREM")
                    .arg(keys::trash(room))
                    .arg(&key)
                    .to_owned(),
                Err(e) => {
                    tracing::warn!(error = %e, "deleting an upload from storage; will retry");
                    redis::cmd("ZADD")
                        .arg(keys::trash(room))
                        .arg("XX")
                        .arg(now + retry_in)
                        .arg(&key)
                        .to_owned()
                }
            };
            if let Err(e) = timed("trash", step.query_async::<()>(&mut conn)).await {
                tracing::warn!(error = %e, "updating the uploads trash");
            }
        }
    }

    /// The file (or its thumbnail) of upload `id`, for a member of its room; `None` for
    /// anyone else and for what does not exist.
    pub async fn open(
        &self,
        user: UserId,
        id: &str,
        thumbnail: bool,
    ) -> Result<Option<Download>, Failure> {
        if !valid_id(id) {
            return Ok(None);
        }
        let mut conn = self.ctx.redis()?;
        let room: Option<String> = timed(
            "get",
            redis::cmd("GET")
                .arg(keys::upload_room(id))
                .query_async(&mut conn),
        )
        .await?;
        let Some(room) = room.and_then(|r| r.parse::<RoomId>().ok()) else {
            return Ok(None);
        };
        if self.rooms.access(user, &room).await? != Access::Member {
            return Ok(None);
        }
        let raw: Option<String> = timed(
            "hget",
            redis::cmd("HGET")
                .arg(keys::records(&room))
                .arg(id)
                .query_async(&mut conn),
        )
        .await?;
        let Some(record) = raw.and_then(|r| serde_json::from_str::<Record>(&r).ok()) else {
            return Ok(None);
        };
        let (key, content_type) = match (thumbnail, &record.thumb) {
            (false, _) => (record.key.clone(), record.content_type.clone()),
            (true, Some(thumb)) => (
                thumb.clone(),
                record
                    .thumb_type
                    .clone()
                    .unwrap_or_else(|| "image/jpeg".into()),
            ),
            (true, None) => return Ok(None),
        };
        let (size, body) = self.storage.get(&key).await?;
        Ok(Some(Download {
            content_type,
            name: record.name.clone(),
            image: record.is_image(),
            size,
            body,
        }))
    }

    /// One pass of the sweeper over every room with uploads: unattached uploads past
    /// their time and uploads whose message is gone (deleted, or trimmed by retention) are
    /// discarded, and each room's due trash is deleted from storage. Only one instance
    /// sweeps at a time.
    pub async fn sweep(&self, messages: &dyn MessageCheck) -> Result<(), Failure> {
        let mut conn = self.ctx.redis()?;
        let lease_ms = self.settings.sweep_every.as_millis().max(1000) as u64;
        let leased: Option<String> = timed(
            "set",
            redis::cmd("SET")
                .arg(keys::sweep_lease())
                .arg(self.ctx.server_id())
                .arg("NX")
                .arg("PX")
                .arg(lease_ms)
                .query_async(&mut conn),
        )
        .await?;
        if leased.is_none() {
            return Ok(());
        }
        let cutoff = (now_secs() as u64).saturating_sub(self.settings.unattached_secs);
        let mut cursor = 0u64;
        loop {
            let (next, rooms): (u64, Vec<String>) = timed(
                "sscan",
                redis::cmd("SSCAN")
                    .arg(keys::rooms())
                    .arg(cursor)
                    .arg("COUNT")
                    .arg(100)
                    .query_async(&mut conn),
            )
            .await?;
            for room in rooms.iter().filter_map(|r| r.parse::<RoomId>().ok()) {
                if let Err(e) = self.sweep_room(&room, cutoff, messages).await {
                    tracing::warn!(error = %e, room = %room, "sweeping uploads");
                }
                self.empty_trash(&room).await;
            }
            cursor = next;
            if cursor == 0 {
                return Ok(());
            }
        }
    }

    async fn sweep_room(
        &self,
        room: &RoomId,
        cutoff: u64,
        messages: &dyn MessageCheck,
    ) -> Result<(), Failure> {
        let grace = ATTACH_GRACE.min(Duration::from_secs(self.settings.unattached_secs));
        let mut conn = self.ctx.redis()?;
        let mut cursor = 0u64;
        loop {
            let (next, flat): (u64, Vec<String>) = timed(
                "hscan",
                redis::cmd("HSCAN")
                    .arg(keys::records(room))
                    .arg(cursor)
                    .arg("COUNT")
                    .arg(200)
                    .query_async(&mut conn),
            )
            .await?;
            let mut pairs = Vec::new();
            let mut attached: Vec<(String, String)> = Vec::new();
            for chunk in flat.chunks(2) {
                let [id, raw] = chunk else { continue };
                let Ok(record) = serde_json::from_str::<Record>(raw) else {
                    continue;
                };
                match record.message {
                    None if record.made <= cutoff => pairs.push((id.clone(), String::new())),
                    None => {}
                    // A message is attached to before it is stored: one younger than the
                    // grace may not be in the room yet.
                    Some(m) if message_age(&m) < grace => {}
                    Some(m) => attached.push((id.clone(), m)),
                }
            }
            if !attached.is_empty() {
                let ids: Vec<String> = attached.iter().map(|(_, m)| m.clone()).collect();
                let live = messages.live(room, &ids).await?;
                pairs.extend(
                    attached
                        .into_iter()
                        .zip(live)
                        .filter(|(_, live)| !live)
                        .map(|(pair, _)| pair),
                );
            }
            self.discard(room, cutoff, &pairs).await?;
            cursor = next;
            if cursor == 0 {
                return Ok(());
            }
        }
    }
}

/// Reads `body` into the file at `path`, up to `limit` bytes (one more tells it was
/// over); a body that sends nothing for [`READ_GAP`] is cut off. The bytes read.
async fn spool_to(
    path: &Path,
    body: impl AsyncRead + Unpin,
    limit: u64,
) -> Result<u64, UploadError> {
    let mut file = tokio::fs::File::create(path)
        .await
        .map_err(|e| Failure::internal(format!("spool: {e}")))?;
    let mut body = body.take(limit.saturating_add(1));
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = match tokio::time::timeout(READ_GAP, body.read(&mut buf)).await {
            Err(_) => return Err(UploadError::Stalled),
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "reading an upload");
                return Err(UploadError::Stalled);
            }
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => n,
        };
        total += n as u64;
        if total > limit {
            return Ok(total);
        }
        file.write_all(&buf[..n])
            .await
            .map_err(|e| Failure::internal(format!("spool: {e}")))?;
    }
    file.flush()
        .await
        .map_err(|e| Failure::internal(format!("spool: {e}")))?;
    Ok(total)
}

/// How long after a message was drafted (its id taken) the sweeper leaves its uploads
/// alone, whether or not the message is found: it is attached to before it is stored
/// (or `UPLOAD_UNATTACHED_SECS`, if shorter).
const ATTACH_GRACE: Duration = Duration::from_secs(600);

/// How old a message is by its id (a UUIDv7: its first 48 bits are unix milliseconds);
/// an id of another shape counts as old.
fn message_age(id: &str) -> Duration {
    let made_ms = id.get(..12).and_then(|h| u64::from_str_radix(h, 16).ok());
    let now_ms = (now_secs() * 1000.0) as u64;
    made_ms.map_or(Duration::MAX, |ms| {
        Duration::from_millis(now_ms.saturating_sub(ms))
    })
}

/// An upload id: 32 lowercase hex digits.
pub fn valid_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The name to keep: no directories, no control characters, at most
/// [`MAX_NAME_CHARS`]; `file` when nothing is left.
fn file_name(name: Option<&str>) -> String {
    let base = name
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .take(MAX_NAME_CHARS)
        .collect();
    let clean = clean.trim();
    if clean.is_empty() || clean == "." || clean == ".." {
        "file".into()
    } else {
        clean.to_owned()
    }
}

/// Time until the next UTC day.
fn until_tomorrow() -> Duration {
    let now = now_secs();
    Duration::from_secs_f64(86_400.0 - now.rem_euclid(86_400.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_no_directories_or_controls() {
        assert_eq!(file_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(file_name(Some("C:\\Users\\me\\a b.pdf")), "a b.pdf");
        assert_eq!(file_name(Some("evil\u{202e}fdp.exe")), "evilfdp.exe");
        assert_eq!(file_name(Some("line\nbreak.txt")), "linebreak.txt");
        assert_eq!(file_name(Some("")), "file");
        assert_eq!(file_name(None), "file");
        assert_eq!(file_name(Some(&"x".repeat(500))).chars().count(), 200);
    }

    #[test]
    fn a_message_is_as_old_as_its_id_says() {
        let fresh = uuid::Uuid::now_v7().simple().to_string();
        assert!(message_age(&fresh) < Duration::from_secs(5));
        let old = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, 1_000_000, 0))
            .simple()
            .to_string();
        assert!(message_age(&old) > Duration::from_secs(3600));
        assert_eq!(message_age("seed-0011"), Duration::MAX);
    }

    #[test]
    fn upload_ids_are_32_hex_digits() {
        assert!(valid_id(&uuid::Uuid::now_v7().simple().to_string()));
        assert!(!valid_id("../uploads"));
        assert!(!valid_id(&"A".repeat(32)));
    }
}
