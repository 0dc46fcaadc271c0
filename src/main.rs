use redis_chat::{config::Command, Application, Config};

/// mimalloc returns freed memory to the system: argon2's 19 MiB per login, and the buffers
/// of closed sockets, do not stay resident the way they do with glibc's per-thread arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::load();
    if matches!(config.command, Some(Command::Openapi)) {
        println!("{}", redis_chat::openapi_json());
        return std::process::ExitCode::SUCCESS;
    }
    let _telemetry = redis_chat::telemetry::init(&config);
    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("redis-chat: {e:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match app.run_until_stopped(shutdown_signal()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("redis-chat: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// SIGINT or SIGTERM.
async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}
