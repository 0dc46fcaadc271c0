//! A small run of every load-generator scenario, so the tool never rots. Correctness only
//! (nothing lost, duplicated or reordered); speed is measured by `make bench`, not here.
//!
//! The generator is the workspace crate `loadgen`: its binary is a thin `main` over the
//! library this test calls, with the same command-line arguments. (A binary of another
//! package has no `CARGO_BIN_EXE_*` here, and `cargo test` does not build it.)

mod common;

use common::*;
use serde_json::Value;

async fn loadgen(app: &TestApp, args: &[&str]) -> Value {
    let argv: Vec<String> = [
        "--url",
        &app.base,
        "--json",
        "--warmup",
        "0.3",
        "--duration",
        "1",
        "--threads",
        "2",
    ]
    .iter()
    .chain(args)
    .map(|a| a.to_string())
    .collect();
    // On a blocking thread with its own runtime, as the binary runs: the app under test
    // runs on this test's runtime and must keep serving.
    let report = tokio::task::spawn_blocking(move || loadgen::run_with_args(argv))
        .await
        .expect("loadgen runs");
    report.unwrap_or_else(|e| panic!("loadgen {args:?} failed: {e:#}"))
}

fn assert_clean(r: &Value) {
    assert!(r["deliveries_expected"].as_u64().unwrap() > 0, "{r}");
    assert_eq!(r["lost"], 0, "{r}");
    assert_eq!(r["duplicated"], 0, "{r}");
    assert_eq!(r["out_of_order"], 0, "{r}");
    assert_eq!(r["errors"], 0, "{r}");
    assert!(r["latency_ms"]["count"].as_u64().unwrap() > 0, "{r}");
}

#[tokio::test]
async fn every_loadgen_scenario_runs_against_two_instances_without_loss() {
    let redis = TestRedis::start().await;
    let (a, b) = (TestApp::spawn(&redis).await, TestApp::spawn(&redis).await);
    let urls = ["--url", &b.base];
    let fanout = loadgen(
        &a,
        &[
            &urls[..],
            &[
                "--scenario",
                "fanout",
                "--users",
                "8",
                "--senders",
                "2",
                "--rate",
                "40",
            ],
        ]
        .concat(),
    )
    .await;
    assert_clean(&fanout);
    assert_eq!(fanout["instances"], 2);
    assert_eq!(
        fanout["deliveries_expected"].as_u64().unwrap() % 8,
        0,
        "every user gets every message"
    );
    let rooms = loadgen(
        &a,
        &[
            &urls[..],
            &[
                "--scenario",
                "rooms",
                "--users",
                "9",
                "--room-size",
                "3",
                "--rate",
                "30",
                "--prefix",
                "r",
            ],
        ]
        .concat(),
    )
    .await;
    assert_clean(&rooms);
    assert_eq!(rooms["rooms"], 3);
    let redis_url = redis.url();
    let dm = loadgen(
        &a,
        &[
            &urls[..],
            &[
                "--redis",
                &redis_url,
                "--scenario",
                "dm",
                "--users",
                "6",
                "--rate",
                "30",
                "--prefix",
                "d",
            ],
        ]
        .concat(),
    )
    .await;
    assert_clean(&dm);
    let cost = &dm["cost_per_message"];
    assert!(cost["stored"].as_u64().unwrap() > 0, "{cost}");
    assert!(
        cost["redis_commands_by_name"]["evalsha"].as_f64().unwrap() >= 1.0,
        "the store script runs for every stored message: {cost}"
    );
    let login = loadgen(
        &a,
        &[
            "--scenario",
            "login",
            "--users",
            "4",
            "--senders",
            "1",
            "--rate",
            "20",
            "--login-rate",
            "5",
            "--prefix",
            "l",
        ],
    )
    .await;
    assert_clean(&login);
    assert!(login["login"]["logins"].as_u64().unwrap() > 0, "{login}");
    assert_eq!(login["login"]["failures"], 0);
    let history = loadgen(
        &a,
        &[
            "--scenario",
            "history",
            "--users",
            "2",
            "--history-messages",
            "120",
            "--prefix",
            "h",
        ],
    )
    .await;
    assert!(history["full_passes"].as_u64().unwrap() > 0, "{history}");
    assert_eq!(history["passes_with_gaps_or_duplicates"], 0, "{history}");
    let idle = loadgen(
        &a,
        &[
            "--scenario",
            "idle",
            "--users",
            "2",
            "--connections",
            "20",
            "--prefix",
            "i",
        ],
    )
    .await;
    assert_eq!(idle["connections"], 20, "{idle}");
}

#[tokio::test]
async fn loadgen_reuses_sessions_between_runs() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.json");
    let file = file.to_str().unwrap();
    let args = [
        "--scenario",
        "fanout",
        "--users",
        "3",
        "--senders",
        "1",
        "--rate",
        "10",
        "--sessions",
        file,
    ];
    assert_clean(&loadgen(&a, &args).await);
    let sessions: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(sessions.as_object().unwrap().len(), 3);
    let keys_before = redis
        .keys()
        .await
        .iter()
        .filter(|k| k.starts_with("session:"))
        .count();
    assert_clean(&loadgen(&a, &args).await);
    let keys_after = redis
        .keys()
        .await
        .iter()
        .filter(|k| k.starts_with("session:"))
        .count();
    assert_eq!(keys_before, keys_after, "the second run logged in no one");
}
