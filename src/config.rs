//! Settings from the command line, the environment and an optional `.env`.
//! `.env.sample` lists every one with its default.

use std::{path::PathBuf, time::Duration};

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Clone, Parser)]
#[command(
    name = "redis-chat",
    version,
    about = "A chat server on Redis: REST + WebSocket, several instances share one Redis."
)]
pub struct Config {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Address to listen on.
    #[arg(long, env = "HOST", default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "PORT", default_value_t = 4000)]
    pub port: u16,

    /// Redis to use, e.g. redis://127.0.0.1:6379 or redis+unix:///path/redis.sock. Unset:
    /// start a private redis-server with its data under DATA_DIR.
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: Option<String>,

    /// The seed's way of naming the Redis: host:port (or a redis:// URL).
    #[arg(long, env = "REDIS_ENDPOINT_URI", hide = true)]
    pub redis_endpoint_uri: Option<String>,

    /// The seed's Redis password, used with REDIS_ENDPOINT_URI.
    #[arg(long, env = "REDIS_PASSWORD", hide = true)]
    pub redis_password: Option<String>,

    /// Where the embedded Redis keeps its data and append-only file.
    #[arg(long, env = "DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// The redis-server binary the embedded mode starts.
    #[arg(long, env = "REDIS_SERVER_BIN", default_value = "redis-server")]
    pub redis_server_bin: String,

    /// Run on a Redis Cluster: comma-separated seed nodes, e.g.
    /// redis://10.0.0.1:6379,redis://10.0.0.2:6379. Events then travel on sharded channels.
    /// Takes precedence over REDIS_URL.
    #[arg(long, env = "REDIS_CLUSTER_NODES")]
    pub redis_cluster_nodes: Option<String>,

    /// On a cluster: replicas a message must reach (WAIT) before it is acknowledged (0: the
    /// master's write is enough).
    #[arg(long, env = "CLUSTER_REPLICA_ACKS", default_value_t = 1)]
    pub cluster_replica_acks: u32,

    /// On a cluster: how long a message waits for its replicas, in milliseconds (at most
    /// 2000); after that it is acknowledged anyway and counted in
    /// redis_chat_messages_unreplicated_total.
    #[arg(long, env = "CLUSTER_REPLICA_ACK_TIMEOUT_MS", default_value_t = 500)]
    pub cluster_replica_ack_timeout_ms: u64,

    /// Create the demo users (with their published password) and messages on first start
    /// on an empty Redis. Unset: only on the embedded Redis; with `REDIS_URL` or
    /// `REDIS_CLUSTER_NODES`, only when set to `true`.
    #[arg(long, env = "DEMO_DATA", action = clap::ArgAction::Set)]
    pub demo_data: Option<bool>,

    /// The built browser client, served at /.
    #[arg(long, env = "CLIENT_DIR", default_value = "client/dist")]
    pub client_dir: PathBuf,

    /// Session lifetime without use, in seconds.
    #[arg(long, env = "SESSION_TTL_SECS", default_value_t = 7 * 24 * 3600)]
    pub session_ttl_secs: u64,

    /// Mark the session cookie Secure (set it when serving over HTTPS).
    #[arg(long, env = "COOKIE_SECURE", default_value_t = false, action = clap::ArgAction::Set)]
    pub cookie_secure: bool,

    /// Extra origins allowed to open WebSockets, comma-separated (same-origin always is).
    #[arg(long, env = "ALLOWED_ORIGINS", default_value = "")]
    pub allowed_origins: String,

    /// Take client addresses from X-Forwarded-For (only behind a trusted load balancer).
    #[arg(long, env = "TRUST_PROXY", default_value_t = false, action = clap::ArgAction::Set)]
    pub trust_proxy: bool,

    /// Keep seed-written bcrypt hashes instead of upgrading them to argon2 at login.
    #[arg(long, env = "KEEP_BCRYPT", default_value_t = false, action = clap::ArgAction::Set)]
    pub keep_bcrypt: bool,

    /// Failed logins per username or address before 429 (0: no login throttling).
    #[arg(long, env = "LOGIN_MAX_FAILURES", default_value_t = 10)]
    pub login_max_failures: u32,

    /// Sign-ups one client address may make per hour (0: no limit).
    #[arg(long, env = "REGISTRATIONS_PER_HOUR", default_value_t = 10)]
    pub registrations_per_hour: u32,

    /// Days a deleted account's name stays taken before anyone may sign up with it.
    #[arg(long, env = "DELETED_NAME_HOLD_DAYS", default_value_t = 30)]
    pub deleted_name_hold_days: u64,

    /// Window (seconds) over which failed logins count, and how long the lockout lasts.
    #[arg(long, env = "LOGIN_WINDOW_SECS", default_value_t = 300)]
    pub login_window_secs: u64,

    /// Events queued per WebSocket before it is closed as a slow consumer.
    #[arg(long, env = "WS_QUEUE", default_value_t = 1024)]
    pub ws_queue: usize,

    /// Messages kept per room; older ones are removed as new ones arrive (0: keep all).
    #[arg(long, env = "ROOM_MAX_MESSAGES", default_value_t = 100_000)]
    pub room_max_messages: u64,

    /// Seconds a request's headers may take from their first byte (slowloris guard).
    #[arg(long, env = "HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,

    /// Seconds from the end of a request's headers to the start of its response: the body
    /// must arrive, and the request be handled, within them.
    #[arg(long, env = "BODY_TIMEOUT_SECS", default_value_t = 30)]
    pub body_timeout_secs: u64,

    /// Seconds an HTTP connection may stay without traffic before it is closed.
    #[arg(long, env = "HTTP_IDLE_TIMEOUT_SECS", default_value_t = 120)]
    pub http_idle_timeout_secs: u64,

    /// How often open WebSockets are checked against their sessions, in seconds: a socket
    /// whose session expired or was deleted is closed.
    #[arg(long, env = "SESSION_SWEEP_SECS", default_value_t = 30)]
    pub session_sweep_secs: u64,

    /// Envelopes kept in each pub/sub channel's event log (a capped Redis stream, trimmed
    /// about there): how far back an instance that lost its subscription can recover.
    #[arg(long, env = "EVENT_LOG_LEN", default_value_t = 10000)]
    pub event_log_len: u64,

    /// The longest gap in an instance's event stream, in seconds, that it recovers from the
    /// event log; after a longer one its sockets are told to resync.
    #[arg(long, env = "RECOVERY_MAX_GAP_SECS", default_value_t = 300)]
    pub recovery_max_gap_secs: u64,

    /// WebSockets one user may hold open on this instance (0: no limit).
    #[arg(long, env = "MAX_SOCKETS_PER_USER", default_value_t = 20)]
    pub max_sockets_per_user: usize,

    /// Messages a user may post per second, sustained, per instance (0: no limit).
    #[arg(long, env = "MESSAGES_PER_SEC", default_value_t = 5.0)]
    pub messages_per_sec: f64,

    /// Messages a user may post in a burst above that rate.
    #[arg(long, env = "MESSAGE_BURST", default_value_t = 20)]
    pub message_burst: u32,

    /// Typing signals a user may send per second, all sockets together (0: no limit).
    #[arg(long, env = "TYPING_PER_SEC", default_value_t = 2.0)]
    pub typing_per_sec: f64,

    /// Named rooms a user may create per minute (0: no limit).
    #[arg(long, env = "ROOMS_PER_MINUTE", default_value_t = 5)]
    pub rooms_per_minute: u32,

    /// Direct rooms a user may open per minute (0: no limit).
    #[arg(long, env = "DIRECT_ROOMS_PER_MINUTE", default_value_t = 30)]
    pub direct_rooms_per_minute: u32,

    /// Named rooms a user may join per minute (0: no limit).
    #[arg(long, env = "JOINS_PER_MINUTE", default_value_t = 30)]
    pub joins_per_minute: u32,

    /// Invitations (to a user, or invite links) a user makes per minute (0: no limit).
    #[arg(long, env = "INVITES_PER_MINUTE", default_value_t = 20)]
    pub invites_per_minute: u32,

    /// Rooms a user may be in (General, direct and named together), checked when they
    /// join or create a named room (0: no limit).
    #[arg(long, env = "MAX_ROOMS_PER_USER", default_value_t = 1000)]
    pub max_rooms_per_user: u64,

    /// Site admins: comma-separated usernames. They act with owner rank in every room,
    /// General included.
    #[arg(long, env = "ADMIN_USERS", value_delimiter = ',', default_value = "")]
    pub admin_users: Vec<String>,

    /// Days a resolved or dismissed report is kept (then removed).
    #[arg(long, env = "REPORTS_KEPT_DAYS", default_value_t = 30)]
    pub reports_kept_days: u64,

    /// Log format: text (for people) or json (for machines).
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,

    /// Log filter (tracing-subscriber EnvFilter syntax).
    #[arg(long, env = "RUST_LOG", default_value = "info")]
    pub log_filter: String,

    /// OTLP endpoint for traces (gRPC); unset: no export.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,

    /// This instance's id in pub/sub envelopes and presence (default: random).
    #[arg(long, env = "SERVER_ID")]
    pub server_id: Option<String>,

    /// Keep uploads in this S3-compatible endpoint (e.g. http://127.0.0.1:9000) instead of
    /// under DATA_DIR/uploads; with S3_BUCKET and S3_REGION. Credentials come from
    /// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Unset with S3_BUCKET set: AWS itself.
    #[arg(long, env = "S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,

    /// The bucket uploads are kept in (setting it turns S3 storage on).
    #[arg(long, env = "S3_BUCKET")]
    pub s3_bucket: Option<String>,

    /// The S3 region.
    #[arg(long, env = "S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,

    /// S3 credentials (the usual variables; read here so that every instance setting is in
    /// one place).
    #[arg(long, env = "AWS_ACCESS_KEY_ID", hide = true)]
    pub s3_access_key_id: Option<String>,
    #[arg(
        long,
        env = "AWS_SECRET_ACCESS_KEY",
        hide = true,
        hide_env_values = true
    )]
    pub s3_secret_access_key: Option<String>,

    /// Largest file a user may upload, in bytes.
    #[arg(long, env = "UPLOAD_MAX_BYTES", default_value_t = 25 * 1024 * 1024)]
    pub upload_max_bytes: u64,

    /// Bytes one user may upload per day (UTC); 0: no limit.
    #[arg(long, env = "UPLOAD_DAILY_BYTES", default_value_t = 500 * 1024 * 1024)]
    pub upload_daily_bytes: u64,

    /// Uploads one user may make per minute; 0: no limit.
    #[arg(long, env = "UPLOADS_PER_MINUTE", default_value_t = 30)]
    pub uploads_per_minute: u32,

    /// An upload no message carries is deleted after this many seconds.
    #[arg(long, env = "UPLOAD_UNATTACHED_SECS", default_value_t = 24 * 3600)]
    pub upload_unattached_secs: u64,

    /// How often the uploads sweeper runs, in seconds (one instance at a time).
    #[arg(long, env = "UPLOAD_SWEEP_SECS", default_value_t = 600)]
    pub upload_sweep_secs: u64,

    /// Images processed at once (each on a blocking thread).
    #[arg(long, env = "UPLOAD_WORKERS", default_value_t = 2)]
    pub upload_workers: usize,

    /// Most pixels an uploaded image may have (width × height, summed over a GIF's frames).
    #[arg(long, env = "UPLOAD_MAX_PIXELS", default_value_t = 40_000_000)]
    pub upload_max_pixels: u64,

    /// How long an upload's body may take to arrive, in seconds, from the end of its
    /// headers (other bodies have BODY_TIMEOUT_SECS).
    #[arg(long, env = "UPLOAD_TIMEOUT_SECS", default_value_t = 600)]
    pub upload_timeout_secs: u64,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Config {
    /// Reads `.env` (when present), then the command line and environment.
    pub fn load() -> Self {
        let _ = dotenvy::dotenv();
        Self::parse()
    }

    /// Defaults for tests and tools, as if no flag or variable were set.
    pub fn defaults() -> Self {
        Self::parse_from(["redis-chat"])
    }

    /// The cluster's seed nodes, if `REDIS_CLUSTER_NODES` names any.
    pub fn cluster_nodes(&self) -> Option<Vec<String>> {
        let nodes: Vec<String> = self
            .redis_cluster_nodes
            .as_deref()?
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        (!nodes.is_empty()).then_some(nodes)
    }

    /// The Redis URL to use, if one is configured (`REDIS_URL` wins over the seed's names).
    pub fn external_redis(&self) -> Option<String> {
        if let Some(u) = self.redis_url.as_ref().filter(|u| !u.is_empty()) {
            return Some(u.clone());
        }
        let uri = self.redis_endpoint_uri.as_ref().filter(|u| !u.is_empty())?;
        let (scheme, rest) = uri.split_once("://").unwrap_or(("redis", uri));
        Some(
            match self.redis_password.as_ref().filter(|p| !p.is_empty()) {
                Some(pw) if !rest.contains('@') => format!("{scheme}://:{}@{rest}", urlencode(pw)),
                _ => format!("{scheme}://{rest}"),
            },
        )
    }

    /// The auth module's settings.
    pub fn auth_settings(&self) -> chat_auth::AuthSettings {
        chat_auth::AuthSettings {
            session_ttl: Duration::from_secs(self.session_ttl_secs.max(60)),
            cookie_secure: self.cookie_secure,
            keep_bcrypt: self.keep_bcrypt,
            login_max_failures: self.login_max_failures,
            login_window: Duration::from_secs(self.login_window_secs.max(1)),
            trust_proxy: self.trust_proxy,
            registrations_per_hour: self.registrations_per_hour,
            deleted_name_hold: Duration::from_secs(self.deleted_name_hold_days.max(1) * 24 * 3600),
            admins: self
                .admin_users
                .iter()
                .map(|a| a.trim().to_lowercase())
                .filter(|a| !a.is_empty())
                .collect(),
        }
    }

    /// Per-user rates of what a signed-in user does.
    pub fn rates(&self) -> chat_core::Rates {
        chat_core::Rates {
            message: chat_core::Rate::per_second(
                self.messages_per_sec.max(0.0),
                self.message_burst,
            ),
            typing: chat_core::Rate::per_second(self.typing_per_sec.max(0.0), 5),
            create_room: chat_core::Rate::per_minute(self.rooms_per_minute),
            open_direct: chat_core::Rate::per_minute(self.direct_rooms_per_minute),
            join_room: chat_core::Rate::per_minute(self.joins_per_minute),
            invite: chat_core::Rate::per_minute(self.invites_per_minute),
            upload: chat_core::Rate::per_minute(self.uploads_per_minute),
        }
    }

    /// The uploads module's settings.
    pub fn upload_settings(&self) -> chat_uploads::UploadSettings {
        let storage = match self.s3_bucket.as_ref().filter(|b| !b.is_empty()) {
            Some(bucket) => chat_uploads::StorageConfig::S3 {
                endpoint: self.s3_endpoint.clone().filter(|e| !e.is_empty()),
                bucket: bucket.clone(),
                region: self.s3_region.clone(),
                access_key_id: self.s3_access_key_id.clone(),
                secret_access_key: self.s3_secret_access_key.clone(),
            },
            None => chat_uploads::StorageConfig::Local(self.data_dir.join("uploads")),
        };
        chat_uploads::UploadSettings {
            storage,
            max_bytes: self.upload_max_bytes,
            daily_bytes: self.upload_daily_bytes,
            unattached_secs: self.upload_unattached_secs,
            sweep_every: Duration::from_secs(self.upload_sweep_secs.max(1)),
            workers: self.upload_workers.max(1),
            image: chat_uploads::ImageLimits {
                max_pixels: self.upload_max_pixels.max(1),
                ..chat_uploads::ImageLimits::default()
            },
            spool_dir: self.data_dir.join("uploads-spool"),
        }
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_redis_settings_become_a_url() {
        let mut c = Config::defaults();
        c.redis_endpoint_uri = Some("redis.example:6379".into());
        c.redis_password = Some("p@ss".into());
        assert_eq!(
            c.external_redis().as_deref(),
            Some("redis://:p%40ss@redis.example:6379")
        );
        c.redis_url = Some("redis://other:1".into());
        assert_eq!(c.external_redis().as_deref(), Some("redis://other:1"));
    }
}
