//! The binary itself: the flags `scripts/bench.sh`, `BENCHMARKS.md` and the server's
//! `tests/loadgen.rs` use, and how it fails. (The scenarios run against real servers in the
//! workspace root's `tests/loadgen.rs`, through the library.)

use std::process::Command;

fn loadgen(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args(args)
        .output()
        .expect("loadgen starts")
}

#[test]
fn help_lists_every_flag_the_scripts_use() {
    let out = loadgen(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--url",
        "--scenario",
        "--users",
        "--room-size",
        "--senders",
        "--rate",
        "--duration",
        "--warmup",
        "--prefix",
        "--password",
        "--sessions",
        "--concurrency",
        "--source-ips",
        "--pid",
        "--connections",
        "--login-rate",
        "--history-messages",
        "--threads",
        "--json",
        "--redis",
    ] {
        // A flag with a value is followed by a space, a switch by the end of its line.
        let listed = help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n"));
        assert!(listed, "{flag} missing:\n{help}");
    }
    for scenario in ["fanout", "rooms", "dm", "idle", "history", "login"] {
        assert!(help.contains(scenario), "{scenario} missing:\n{help}");
    }
}

#[test]
fn only_http_urls_are_targets() {
    let out = loadgen(&["--url", "ftp://127.0.0.1:4000", "--json"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no report on failure");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("http(s) URLs only"), "{err}");
}

#[test]
fn unknown_scenarios_are_refused_before_anything_runs() {
    let out = loadgen(&["--scenario", "nope"]);
    assert_eq!(out.status.code(), Some(2), "clap's usage error");
    assert!(out.stdout.is_empty());
}
