//! Puts the modules together: the one place that knows them all.

use std::{
    collections::HashMap,
    future::Future,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use anyhow::Context as _;
use chat_auth::{AccountHooks, AdminApi, AuthApi, AuthStore};
use chat_core::{metrics, redis, Contract, Ctx, Described, Events, Failure, Redis, UserId};
use chat_messages::{MessagesApi, MessagesStore};
use chat_presence::{PresenceApi, PresenceStore, StartError, HEARTBEAT};
use chat_rooms::{InvitesApi, MembersApi, ReportsApi, RoomsApi, RoomsStore};
use chat_uploads::{MessageCheck, UploadsApi, UploadsStore};
use poem::{
    endpoint::StaticFilesEndpoint,
    get,
    listener::{Acceptor, Listener, TcpListener},
    EndpointExt, Route, Server,
};
use poem_openapi::OpenApiService;
use tokio_util::sync::CancellationToken;

use crate::{
    config::Config,
    dispatch::{Dispatch, Listeners, Subscriptions},
    embedded::EmbeddedRedis,
    http::{self, Health, Observe},
    hub::{CloseReason, Hub},
    net::Accept,
    pubsub, recovery, shards,
    ws::{ws_handler, WsState},
};

/// Rooms follow accounts: a new user is put in General, a deleted one is taken out of
/// every room.
struct ModulesFollowAccounts {
    rooms: RoomsStore,
    messages: MessagesStore,
}

#[async_trait::async_trait]
impl AccountHooks for ModulesFollowAccounts {
    async fn user_created(&self, id: UserId) -> Result<(), Failure> {
        self.rooms.add_to_general(id).await
    }

    async fn user_deleted(&self, id: UserId) -> Result<(), Failure> {
        self.rooms.remove_user(id).await?;
        self.messages.forget_user(id).await
    }
}

/// The uploads sweeper asks the messages module which messages still exist.
struct LiveMessages(MessagesStore);

#[async_trait::async_trait]
impl MessageCheck for LiveMessages {
    async fn live(&self, room: &chat_core::RoomId, ids: &[String]) -> Result<Vec<bool>, Failure> {
        self.0.live(room, ids).await
    }
}

/// The stores of every module over one context.
#[derive(Clone)]
struct Modules {
    ctx: Ctx,
    auth: AuthStore,
    presence: PresenceStore,
    rooms: RoomsStore,
    messages: MessagesStore,
    uploads: UploadsStore,
}

impl Modules {
    fn new(ctx: Ctx, config: &Config) -> anyhow::Result<Self> {
        let auth = AuthStore::new(ctx.clone(), config.auth_settings());
        let presence = PresenceStore::new(ctx.clone(), auth.clone());
        let rooms = RoomsStore::new(ctx.clone(), auth.clone(), config.max_rooms_per_user)
            .with_reports_kept_days(config.reports_kept_days);
        let messages = MessagesStore::new(
            ctx.clone(),
            rooms.clone(),
            config.room_max_messages,
            chat_messages::Durability {
                replicas: config.cluster_replica_acks,
                // Below the cluster connection's 5 s response timeout, with room: a WAIT
                // that outlived it would be retried (and block its connection) again.
                timeout: Duration::from_millis(
                    config.cluster_replica_ack_timeout_ms.clamp(1, 2000),
                ),
            },
        );
        let uploads = UploadsStore::new(ctx.clone(), rooms.clone(), config.upload_settings())
            .context("upload storage")?;
        let messages = messages.with_uploads(uploads.clone());
        auth.on_account(Arc::new(ModulesFollowAccounts {
            rooms: rooms.clone(),
            messages: messages.clone(),
        }));
        Ok(Self {
            ctx,
            auth,
            presence,
            rooms,
            messages,
            uploads,
        })
    }

    /// Readies Redis for this instance before it serves: takes its `SERVER_ID` and clears
    /// what a previous life left, names General, claims usernames ignoring case, indexes
    /// messages by id, creates the demo data if asked. While Redis fails it tries again
    /// (backing off from 100 ms to 5 s); only a `SERVER_ID` held by a live process ends it.
    async fn prepare(&self, demo: bool) -> anyhow::Result<()> {
        let mut backoff = Duration::from_millis(100);
        loop {
            match self.prepare_once(demo).await {
                Ok(()) => return Ok(()),
                Err(StartError::InUse(id)) => {
                    return Err(anyhow::anyhow!("{}", StartError::InUse(id)))
                }
                Err(StartError::Failed(e)) => {
                    tracing::warn!(error = %e, retry_in = ?backoff, "preparing Redis failed");
                }
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
    }

    async fn prepare_once(&self, demo: bool) -> Result<(), StartError> {
        let step = |what: &'static str| move |e: Failure| Failure::internal(format!("{what}: {e}"));
        self.presence.start().await?;
        self.rooms
            .ensure_general()
            .await
            .map_err(step("naming General"))?;
        self.auth
            .claim_folded_names()
            .await
            .map_err(step("claiming usernames ignoring case"))?;
        self.auth
            .index_sessions()
            .await
            .map_err(step("indexing sessions by user"))?;
        self.messages
            .index_rooms()
            .await
            .map_err(step("indexing messages by id"))?;
        if demo {
            crate::demo::ensure(&self.ctx, &self.auth, &self.rooms, &self.messages)
                .await
                .map_err(step("creating demo data"))?;
        }
        Ok(())
    }

    fn openapi(&self) -> OpenApiService<Apis, ()> {
        describe(Contract((
            AuthApi::new(self.auth.clone()),
            AdminApi::new(self.auth.clone()),
            RoomsApi::new(
                self.rooms.clone(),
                self.presence.clone(),
                Arc::new(self.messages.clone()),
            ),
            MembersApi::new(self.rooms.clone(), self.presence.clone()),
            InvitesApi::new(self.rooms.clone()),
            ReportsApi::new(self.rooms.clone()),
            MessagesApi::new(self.messages.clone()),
            PresenceApi::new(self.presence.clone()),
            UploadsApi::new(self.uploads.clone()),
        )))
    }
}

/// Every module's API, with the HTTP layer's answers declared.
type Apis = Contract<(
    AuthApi,
    AdminApi,
    RoomsApi,
    MembersApi,
    InvitesApi,
    ReportsApi,
    MessagesApi,
    PresenceApi,
    UploadsApi,
)>;

/// The service around `api` (the served one, or [`Described`] for printing).
fn describe<T: poem_openapi::OpenApi>(api: T) -> OpenApiService<T, ()> {
    OpenApiService::new(api, "redis-chat", env!("CARGO_PKG_VERSION"))
        .description(
            "A chat on Redis. Sign in with `POST /api/auth/login` (the browser keeps the `sid` \
             cookie), or paste the returned token into **Authorize** (bearer). Live events flow \
             over the WebSocket at `/ws`, documented in `openapi/asyncapi.yaml`.",
        )
        .server("/")
}

/// What the subscription is made from: one Redis's client, or the cluster's connection
/// and the credentials for its masters.
enum Backend {
    Single(redis::Client),
    Cluster(
        redis::cluster_async::ClusterConnection,
        redis::RedisConnectionInfo,
    ),
}

/// One Redis at `url`, connected on first use: the instance starts whether or not Redis
/// is up yet.
fn single(url: &str) -> anyhow::Result<(Redis, Backend)> {
    let client = redis::Client::open(url).context("REDIS_URL is not a valid Redis URL")?;
    Ok((Redis::single(client.clone()), Backend::Single(client)))
}

/// The subscription this instance runs: `MESSAGES` on one Redis, or the sharded channels
/// its sockets need on a cluster.
enum Subscriber {
    Messages(redis::Client, recovery::Recovery),
    Sharded(Box<shards::Keeper>),
}

/// Connects to the cluster named by `nodes`, waiting (up to ~10 s) for it to answer.
async fn connect_cluster(
    nodes: &[String],
) -> anyhow::Result<(
    Redis,
    redis::cluster_async::ClusterConnection,
    redis::RedisConnectionInfo,
)> {
    use redis::IntoConnectionInfo as _;
    let auth = nodes[0]
        .as_str()
        .into_connection_info()
        .context("REDIS_CLUSTER_NODES: not a Redis URL")?
        .redis;
    let client = redis::cluster::ClusterClientBuilder::new(nodes.to_vec())
        .connection_timeout(Duration::from_secs(5))
        .response_timeout(Duration::from_secs(5))
        // Redirects and a failover (a few seconds) are followed; past that a command fails
        // and its caller answers an error the client retries. The crate's defaults (16
        // retries, waits from 1.3 s up to 11 min) would hold a request for minutes.
        .retries(6)
        .min_retry_wait(50)
        .max_retry_wait(1000)
        .build()
        .context("REDIS_CLUSTER_NODES: not valid seed nodes")?;
    let mut last = None;
    for _ in 0..50 {
        match client.get_async_connection().await {
            Ok(conn) => {
                let mut probe = Redis::cluster(conn.clone());
                match probe.ping_all().await {
                    Ok(()) => return Ok((probe, conn, auth)),
                    Err(e) => last = Some(e),
                }
            }
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err(anyhow::anyhow!(
        "the Redis Cluster does not answer: {}",
        last.map(|e| e.to_string()).unwrap_or_default()
    ))
}

fn server_id(config: &Config) -> String {
    config
        .server_id
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            let bytes: [u8; 6] = rand::random();
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        })
}

/// The OpenAPI document, exactly as the server serves it at `/openapi.json`.
pub fn openapi_json() -> String {
    describe(Described::<Apis>::default()).spec()
}

/// A built server: bound to its port, ready to run. Redis need not be up: running
/// prepares it (retrying while it is away) before the API and sockets are served.
pub struct Application {
    acceptor: Accept,
    port: u16,
    app: poem::endpoint::BoxEndpoint<'static>,
    modules: Modules,
    hub: Hub,
    dispatch: Dispatch,
    subscriber: Subscriber,
    pubsub_live: Arc<AtomicBool>,
    /// Set once [`Modules::prepare`] is done: until then `/api` and `/ws` answer 503.
    prepared: Arc<AtomicBool>,
    /// Whether to create the demo accounts (by default only on the embedded Redis: they
    /// have a published password).
    demo_data: bool,
    session_sweep: Duration,
    http_idle_timeout: Duration,
    embedded: Option<EmbeddedRedis>,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        metrics::init();
        let cluster = config.cluster_nodes();
        let embedded = match (&cluster, config.external_redis()) {
            (None, None) => {
                Some(EmbeddedRedis::start(&config.redis_server_bin, &config.data_dir).await?)
            }
            _ => None,
        };
        let (redis, backend) = match (&cluster, &embedded, config.external_redis()) {
            (Some(nodes), _, _) => {
                let (redis, conn, auth) = connect_cluster(nodes).await?;
                (redis, Backend::Cluster(conn, auth))
            }
            (None, Some(e), _) => single(e.url())?,
            (None, None, Some(url)) => single(&url)?,
            (None, None, None) => unreachable!("embedded or external"),
        };
        let server_id = server_id(&config);
        let events =
            Events::with_log_len(server_id.clone(), Some(redis.clone()), config.event_log_len);
        let ctx = Ctx::new(Some(redis.clone()), events.clone(), config.rates());
        let modules = Modules::new(ctx, &config)?;
        let hub = Hub::new(config.ws_queue);
        let pubsub_live = Arc::new(AtomicBool::new(false));
        let recovery = recovery::Recovery {
            log_len: config.event_log_len.max(1),
            max_gap: Duration::from_secs(config.recovery_max_gap_secs),
        };
        let (subscriber, subscriptions) = match backend {
            Backend::Single(client) => (Subscriber::Messages(client, recovery), None),
            Backend::Cluster(conn, auth) => {
                let (shards, keeper) = shards::new(conn, auth, Arc::clone(&pubsub_live), recovery);
                let shards: Arc<dyn Subscriptions> = Arc::new(shards);
                (Subscriber::Sharded(Box::new(keeper)), Some(shards))
            }
        };
        let dispatch = Dispatch::new(hub.clone(), Arc::from(server_id.as_str()), subscriptions);
        events.set_sink(Arc::new(dispatch.clone()));

        let api = modules.openapi();
        let routes: HashMap<String, String> = operation_routes(&api.spec());
        let docs = api.swagger_ui();
        let spec = api.spec_endpoint();
        let prepared = Arc::new(AtomicBool::new(false));
        let health = Health {
            redis: redis.clone(),
            pubsub_live: Arc::clone(&pubsub_live),
            prepared: Arc::clone(&prepared),
        };
        let ws_state = WsState {
            dispatch: dispatch.clone(),
            auth: modules.auth.clone(),
            rooms: modules.rooms.clone(),
            messages: modules.messages.clone(),
            presence: modules.presence.clone(),
            allowed_origins: Arc::new(
                config
                    .allowed_origins
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
            server_id: Arc::from(server_id.as_str()),
            pubsub_live: Arc::clone(&pubsub_live),
            max_sockets_per_user: config.max_sockets_per_user,
        };
        let mut route = Route::new()
            .nest_no_strip("/api", api)
            .nest("/docs", docs)
            .at("/openapi.json", spec)
            .at("/ws", get(ws_handler.data(Arc::new(ws_state))))
            .at("/healthz", get(http::healthz))
            .at("/readyz", get(http::readyz))
            .at("/metrics", get(http::metrics_handler));
        route = if http::client_built(&config.client_dir) {
            route.nest(
                "/",
                StaticFilesEndpoint::new(&config.client_dir)
                    .index_file("index.html")
                    .fallback_to_index(),
            )
        } else {
            tracing::warn!(dir = %config.client_dir.display(), "the browser client is not built; / explains how");
            route.at("/", get(http::client_missing))
        };
        let app = route
            .data(modules.auth.clone())
            .data(health)
            .with(poem::middleware::CatchPanic::new())
            .with(http::UntilPrepared(Arc::clone(&prepared)))
            .catch_all_error(http::error_json)
            .with(Observe {
                routes: Arc::new(routes),
                // The form around the file: its boundaries and part headers.
                upload_body: config.upload_max_bytes.saturating_add(64 * 1024),
            })
            .boxed();

        let acceptor = Accept {
            inner: TcpListener::bind(format!("{}:{}", config.host, config.port))
                .into_acceptor()
                .await
                .with_context(|| format!("listening on {}:{}", config.host, config.port))?,
            header_timeout: Duration::from_secs(config.header_timeout_secs.max(1)),
            body_timeout: Duration::from_secs(config.body_timeout_secs.max(1)),
            upload_timeout: Duration::from_secs(config.upload_timeout_secs.max(1)),
        };
        let port = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().map(|s| s.port()))
            .unwrap_or(0);
        tracing::info!(
            server_id,
            port,
            "redis-chat listening on http://{}:{port}",
            config.host
        );
        Ok(Self {
            acceptor,
            port,
            app,
            modules,
            hub,
            dispatch,
            subscriber,
            pubsub_live,
            prepared,
            demo_data: config.demo_data.unwrap_or(embedded.is_some()),
            session_sweep: Duration::from_secs(config.session_sweep_secs.max(1)),
            http_idle_timeout: Duration::from_secs(config.http_idle_timeout_secs.max(1)),
            embedded,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn server_id(&self) -> &str {
        self.modules.ctx.server_id()
    }

    /// Serves until `shutdown` completes, then stops gracefully: stop accepting, finish
    /// requests in flight, close WebSockets with a close frame, leave presence, stop the
    /// embedded Redis (which flushes its append-only file).
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let stop = CancellationToken::new();
        let listeners: Arc<dyn Listeners> = Arc::new(self.dispatch.clone());
        let sub = match self.subscriber {
            Subscriber::Messages(client, recovery) => tokio::spawn(pubsub::run(
                client,
                listeners,
                Arc::from(self.modules.ctx.server_id()),
                Arc::clone(&self.pubsub_live),
                recovery,
                stop.clone(),
            )),
            Subscriber::Sharded(keeper) => tokio::spawn(keeper.run(listeners, stop.clone())),
        };
        // Redis is prepared first (waiting for it if it is away); then the API and
        // sockets are served and the jobs that keep presence and sessions run.
        let fatal: Arc<parking_lot::Mutex<Option<anyhow::Error>>> = Arc::default();
        let failed = CancellationToken::new();
        let jobs = {
            let (modules, hub, stop) = (self.modules.clone(), self.hub.clone(), stop.clone());
            let (prepared, demo) = (Arc::clone(&self.prepared), self.demo_data);
            let (fatal, failed, sweep_every) =
                (Arc::clone(&fatal), failed.clone(), self.session_sweep);
            tokio::spawn(async move {
                let outcome = tokio::select! {
                    _ = stop.cancelled() => return Vec::new(),
                    outcome = modules.prepare(demo) => outcome,
                };
                if let Err(e) = outcome {
                    *fatal.lock() = Some(e);
                    failed.cancel();
                    return Vec::new();
                }
                prepared.store(true, Ordering::SeqCst);
                tracing::info!("Redis is prepared: serving the API and sockets");
                background_jobs(&modules, &hub, sweep_every, &stop)
            })
        };
        // The multiplexed connection reconnects when a command fails on it: a PING a second
        // finds a broken one (a Redis restart) before a message does.
        let keepalive = self.modules.ctx.redis().ok().map(|hot| {
            every(Duration::from_secs(1), stop.clone(), move || {
                let mut hot = hot.clone();
                async move {
                    let _: Result<String, _> = redis::cmd("PING").query_async(&mut hot).await;
                }
            })
        });
        let hub = self.hub.clone();
        let signal = async move {
            tokio::select! {
                _ = shutdown => tracing::info!("shutting down"),
                _ = failed.cancelled() => {}
            }
            hub.close_all(CloseReason::Shutdown);
        };
        let served = Server::new_with_acceptor(self.acceptor)
            .idle_timeout(self.http_idle_timeout)
            .run_with_graceful_shutdown(self.app, signal, Some(Duration::from_secs(10)))
            .await;
        for _ in 0..50 {
            if self.hub.connections() == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        stop.cancel();
        for job in jobs.await.unwrap_or_default() {
            let _ = job.await;
        }
        if let Some(k) = keepalive {
            let _ = k.await;
        }
        let _ = sub.await;
        // Only an instance that took its SERVER_ID gives it back.
        if self.prepared.load(Ordering::SeqCst) {
            if let Err(e) = self.modules.presence.leave().await {
                tracing::warn!(error = %e, "leaving presence failed");
            }
        }
        if let Some(redis) = self.embedded {
            redis.stop().await;
        }
        if let Some(e) = fatal.lock().take() {
            return Err(e);
        }
        served.context("serving HTTP")
    }
}

/// The presence heartbeat and the session sweep, running until `stop`.
fn background_jobs(
    modules: &Modules,
    hub: &Hub,
    sweep_every: Duration,
    stop: &CancellationToken,
) -> Vec<tokio::task::JoinHandle<()>> {
    let (presence, beat_hub) = (modules.presence.clone(), hub.clone());
    let beat = every(HEARTBEAT, stop.clone(), move || {
        let (presence, hub) = (presence.clone(), beat_hub.clone());
        async move {
            if let Err(e) = presence.heartbeat(&hub.local_users()).await {
                tracing::warn!(error = %e, "presence heartbeat failed");
            }
        }
    });
    // Sockets must not outlive their session: expired or deleted sessions are found by a
    // periodic check of every session with a socket here.
    let (auth, sweep_hub) = (modules.auth.clone(), hub.clone());
    let sweep = every(sweep_every, stop.clone(), move || {
        let (auth, hub) = (auth.clone(), sweep_hub.clone());
        async move {
            let ids = hub.sessions();
            match auth.sessions_alive(&ids).await {
                Ok(alive) => ids
                    .iter()
                    .zip(alive)
                    .filter(|(_, alive)| !alive)
                    .for_each(|(id, _)| hub.close_session(id)),
                Err(e) => tracing::warn!(error = %e, "checking sessions failed"),
            }
        }
    });
    // Files leave with their messages (deleted or trimmed), unattached ones after a day;
    // failed storage deletes are tried again. One instance sweeps at a time.
    let (uploads, messages) = (modules.uploads.clone(), modules.messages.clone());
    let uploads_every = uploads.settings().sweep_every;
    let files = every(uploads_every, stop.clone(), move || {
        let (uploads, messages) = (uploads.clone(), LiveMessages(messages.clone()));
        async move {
            if let Err(e) = uploads.sweep(&messages).await {
                tracing::warn!(error = %e, "sweeping uploads failed");
            }
        }
    });
    vec![beat, sweep, files]
}

/// Runs `job` every `period` (the first time at once) until `stop`.
fn every<F, Fut>(period: Duration, stop: CancellationToken, job: F) -> tokio::task::JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tick.tick() => {
                    // A job stuck on a Redis that went away must not hold up shutdown.
                    tokio::select! {
                        _ = stop.cancelled() => break,
                        _ = job() => {}
                    }
                }
            }
        }
    })
}

/// operationId → "/path/{template}" from the OpenAPI document, for metric labels.
fn operation_routes(spec: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(spec) else {
        return out;
    };
    if let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) {
        for (path, ops) in paths {
            for op in ops.as_object().into_iter().flat_map(|o| o.values()) {
                if let Some(id) = op.get("operationId").and_then(|v| v.as_str()) {
                    out.insert(id.to_owned(), path.clone());
                }
            }
        }
    }
    out
}
