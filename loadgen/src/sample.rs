//! Process measurements from `/proc`: CPU seconds and RSS of the servers, Redis and the
//! generator itself, over a window.

use std::time::Instant;

use serde_json::{json, Value};

use crate::report::round;

/// A process to measure, named `comm[pid]` in the report.
#[derive(Clone, Debug)]
pub(crate) struct Proc {
    pub(crate) pid: u32,
    pub(crate) name: String,
}

/// `--pid` values (pids, or `auto` for every `redis-chat` and `redis-server`), plus this
/// process as `loadgen`.
pub(crate) fn resolve_pids(specs: &[String]) -> Vec<Proc> {
    let mut out = Vec::new();
    for s in specs {
        if s == "auto" {
            if let Ok(dir) = std::fs::read_dir("/proc") {
                for e in dir.flatten() {
                    let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
                        continue;
                    };
                    let comm =
                        std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
                    let comm = comm.trim();
                    if comm == "redis-chat" || comm == "redis-server" {
                        out.push(Proc {
                            pid,
                            name: format!("{comm}[{pid}]"),
                        });
                    }
                }
            }
        } else if let Ok(pid) = s.parse::<u32>() {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            out.push(Proc {
                pid,
                name: format!("{}[{pid}]", comm.trim()),
            });
        }
    }
    out.push(Proc {
        pid: std::process::id(),
        name: "loadgen".into(),
    });
    out
}

/// (CPU seconds used, RSS bytes) of a process.
pub(crate) fn sample(pid: u32) -> Option<(f64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss_kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some((ticks / 100.0, rss_kb * 1024))
}

/// A measurement window: when it started and every process's sample then.
pub(crate) struct Window {
    at: Instant,
    start: Vec<Option<(f64, u64)>>,
}

pub(crate) fn window_start(procs: &[Proc]) -> Window {
    Window {
        at: Instant::now(),
        start: procs.iter().map(|p| sample(p.pid)).collect(),
    }
}

impl Window {
    /// Seconds since the window started.
    pub(crate) fn secs(&self) -> f64 {
        self.at.elapsed().as_secs_f64().max(0.001)
    }
}

/// Per process: CPU % over the window, RSS at its start and now.
pub(crate) fn window_end(procs: &[Proc], w: &Window) -> Value {
    let secs = w.at.elapsed().as_secs_f64().max(0.001);
    let mut out = serde_json::Map::new();
    for (p, start) in procs.iter().zip(&w.start) {
        if let (Some((c0, rss0)), Some((c1, rss1))) = (start, sample(p.pid)) {
            out.insert(
                p.name.clone(),
                json!({
                    "cpu_percent": round((c1 - c0) / secs * 100.0),
                    "rss_mb_start": round(*rss0 as f64 / 1048576.0),
                    "rss_mb": round(rss1 as f64 / 1048576.0),
                }),
            );
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn this_process_is_sampled() {
        let procs = resolve_pids(&[]);
        assert_eq!(procs.len(), 1);
        assert_eq!(procs[0].name, "loadgen");
        let (cpu, rss) = sample(procs[0].pid).expect("/proc/self");
        assert!(cpu >= 0.0 && rss > 0);
    }
}
