//! # chat-uploads
//!
//! Files in chat: `POST /api/rooms/{id}/uploads` takes a file from a member of the room,
//! a message carries up to ten of them (`attachments`), and `GET /api/uploads/{id}` serves
//! them to the room's members only.
//!
//! - A file is spooled to disk as it arrives (never whole in memory), refused past
//!   `UPLOAD_MAX_BYTES` or the user's daily bytes, and typed from its content ([`media`]).
//! - Only JPEG, PNG, GIF and WebP are images: decoded within pixel limits in a bounded
//!   pool of blocking threads, turned upright, re-encoded without metadata, thumbnailed.
//!   Everything else (SVG and HTML included) is served as a download.
//! - Storage is one interface ([`storage`]): the local filesystem or S3-compatible.
//! - Files leave with their message (deleted, or trimmed by retention) and a day after an
//!   upload nobody attached; a storage delete that fails stays in the room's trash and is
//!   tried again ([`UploadsStore::sweep`]).
//!
//! Keys (all but two in the room's hash slot): see [`keys`].

mod api;
pub mod keys;
pub mod media;
mod pool;
mod scripts;
pub mod storage;
mod store;

pub use api::{UploadsApi, FILE_CSP};
pub use media::ImageLimits;
pub use storage::StorageConfig;
pub use store::{
    valid_id, Admitted, AttachError, MessageCheck, Received, UploadError, UploadSettings,
    UploadsStore, MAX_ATTACHMENTS,
};
