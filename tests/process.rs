//! The real binary: the embedded Redis, graceful shutdown, a SIGKILLed instance, the
//! checked-in OpenAPI document.

mod common;

use std::{
    process::{Child, Command},
    time::Duration,
};

use chat_core::redis;
use common::*;

fn start(env: &[(&str, String)]) -> Child {
    start_binary(env)
}

async fn ready(port: u16) -> bool {
    binary_ready(port).await
}

fn signal(child: &Child, sig: &str) {
    Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
}

fn app_at(port: u16) -> TestApp {
    TestApp::external(port)
}

#[tokio::test]
async fn with_no_redis_url_it_runs_its_own_redis_and_keeps_the_data_across_restarts() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let env = [
        ("PORT", port.to_string()),
        ("DATA_DIR", data.path().display().to_string()),
    ];
    let mut child = start(&env);
    assert!(
        ready(port).await,
        "the server with its embedded Redis becomes ready"
    );
    let app = app_at(port);
    app.login("Pablo").await;
    let zoe = app.user("zoe").await;
    zoe.say("0", "remember me").await;
    signal(&child, "TERM");
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "a graceful stop exits 0: {status}");
    let files: Vec<String> = std::fs::read_dir(data.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files.iter().any(|f| f.starts_with("appendonly")),
        "append-only data in DATA_DIR: {files:?}"
    );
    assert!(
        !std::process::Command::new("pgrep")
            .arg("-f")
            .arg(data.path())
            .status()
            .unwrap()
            .success(),
        "the embedded redis-server stopped with the server"
    );

    let mut child = start(&env);
    assert!(ready(port).await);
    let zoe = app.login("zoe").await;
    let page = zoe.history("0", "").await.1;
    let texts = texts(page["messages"].as_array().unwrap());
    assert_eq!(texts.iter().filter(|t| **t == "remember me").count(), 1);
    assert_eq!(
        texts.iter().filter(|t| **t == "Hello!").count(),
        1,
        "demo data once"
    );
    signal(&child, "INT");
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn demo_accounts_are_made_only_on_the_embedded_redis_unless_asked_for() {
    let redis = TestRedis::start().await;
    let port = free_port();
    let child = start(&[("PORT", port.to_string()), ("REDIS_URL", redis.url())]);
    assert!(ready(port).await);
    let keys = redis.keys().await;
    assert!(
        !keys
            .iter()
            .any(|k| k == "demo_data" || k.starts_with("username:")),
        "no demo accounts on a Redis of one's own: {keys:?}"
    );
    signal(&child, "TERM");
    let status = tokio::task::spawn_blocking(move || {
        let mut child = child;
        child.wait()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn a_missing_redis_server_is_explained() {
    let data = tempfile::tempdir().unwrap();
    let child = start(&[
        ("PORT", free_port().to_string()),
        ("DATA_DIR", data.path().display().to_string()),
        ("REDIS_SERVER_BIN", "/nonexistent/redis-server".into()),
    ]);
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("apt-get install redis-server") && err.contains("REDIS_URL"),
        "{err}"
    );
}

#[tokio::test]
async fn users_of_an_instance_killed_with_sigkill_are_cleared_by_the_survivors() {
    let redis = TestRedis::start().await;
    let survivor = TestApp::spawn(&redis).await;
    let port = free_port();
    let mut doomed = start(&[
        ("PORT", port.to_string()),
        ("REDIS_URL", redis.url()),
        ("DEMO_DATA", "false".into()),
    ]);
    assert!(ready(port).await);
    let doomed_app = app_at(port);
    let watcher = survivor.user("watcher").await;
    let mut w = watcher.connect(&survivor).await;
    let victim = doomed_app.user("victim").await;
    let _socket = victim.connect(&doomed_app).await;
    loop {
        if w.expect("user.connected").await["id"] == victim.id.as_str() {
            break;
        }
    }
    doomed.kill().unwrap();
    doomed.wait().unwrap();
    let gone = loop {
        let e = w
            .expect_within("user.disconnected", Duration::from_secs(30))
            .await;
        if e["id"] == victim.id.as_str() {
            break e;
        }
    };
    assert_eq!(gone["online"], false);
    let online: Vec<String> = redis::cmd("SMEMBERS")
        .arg("online_users")
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert_eq!(online, vec![watcher.id.clone()]);
    let leftovers: Vec<String> = redis::cmd("KEYS")
        .arg(format!("user:{}:connections", victim.id))
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert!(leftovers.is_empty());
}

#[tokio::test]
async fn the_checked_in_openapi_document_is_what_the_server_serves() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let served = reqwest::get(format!("{}/openapi.json", app.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let served: serde_json::Value = serde_json::from_str(&served).unwrap();
    let file =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .expect("openapi/openapi.json exists (make openapi writes it)");
    let file: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert!(
        served == file,
        "openapi/openapi.json is stale: run `make openapi` and commit it"
    );
    let printed = Command::new(bin()).arg("openapi").output().unwrap();
    let printed: serde_json::Value = serde_json::from_slice(&printed.stdout).unwrap();
    assert_eq!(
        printed, served,
        "`redis-chat openapi` prints what is served"
    );
    assert!(
        served["components"]["securitySchemes"]
            .as_object()
            .unwrap()
            .len()
            >= 2,
        "cookie and bearer"
    );
    let docs = reqwest::get(format!("{}/docs", app.base)).await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(
        docs.text().await.unwrap().contains("swagger"),
        "Swagger UI at /docs"
    );
}

#[tokio::test]
async fn the_asyncapi_document_names_exactly_the_websocket_events() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/openapi/asyncapi.yaml"
    ))
    .unwrap();
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("asyncapi.yaml parses");
    assert_eq!(doc["asyncapi"].as_str(), Some("3.0.0"));
    let mut consts = Vec::new();
    fn walk(v: &serde_yaml::Value, out: &mut Vec<String>) {
        match v {
            serde_yaml::Value::Mapping(m) => {
                for (k, v) in m {
                    if k.as_str() == Some("const") {
                        if let Some(s) = v.as_str() {
                            out.push(s.to_owned());
                        }
                    }
                    walk(v, out);
                }
            }
            serde_yaml::Value::Sequence(s) => s.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    walk(&doc, &mut consts);
    // Exactly the protocol's types: none missing, none the server does not know.
    let mut types: Vec<String> = chat_core::ClientEvent::TYPES
        .iter()
        .chain(chat_core::ServerEvent::TYPES)
        .map(|t| t.to_string())
        .collect();
    types.sort();
    consts.sort();
    assert_eq!(consts, types, "asyncapi.yaml's event types");
}
