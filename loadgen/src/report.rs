//! The report: a table for people (unless `--json`) and one JSON line for comparing runs
//! (`scripts/bench.sh` appends it to `bench-results/results.jsonl`).

use std::fmt::Write as _;

use hdrhistogram::Histogram;
use serde_json::{json, Value};

/// Two decimals.
pub(crate) fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A latency histogram in µs, 1 µs to 60 s, three significant digits.
pub(crate) fn histogram() -> anyhow::Result<Histogram<u64>> {
    Ok(Histogram::new_with_bounds(1, 60_000_000, 3)?)
}

/// A µs histogram as milliseconds at the usual quantiles, with its maximum and count.
pub(crate) fn quantiles(h: &Histogram<u64>) -> Value {
    let ms = |q: f64| round(h.value_at_quantile(q) as f64 / 1000.0);
    json!({
        "p50": ms(0.5), "p90": ms(0.9), "p99": ms(0.99), "p99.9": ms(0.999),
        "max": round(h.max() as f64 / 1000.0), "count": h.len(),
    })
}

/// Prints the table (unless `json_only`), then the report as one JSON line: always the
/// last line of the output.
pub fn print(report: &Value, json_only: bool) -> anyhow::Result<()> {
    if !json_only {
        print!("{}", table(report));
    }
    println!("{}", serde_json::to_string(report)?);
    Ok(())
}

/// The headline numbers, one per line, then each measured process.
fn table(r: &Value) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario {}  instances {}  users {}",
        r["scenario"], r["instances"], r["users"]
    );
    let mut line = |k: &str, v: &Value| {
        if !v.is_null() {
            let _ = writeln!(out, "  {k:<28} {v}");
        }
    };
    for key in [
        "sent_per_second",
        "delivered_per_second",
        "latency_ms",
        "lost",
        "duplicated",
        "out_of_order",
        "errors",
        "connections",
        "rss_kb_per_connection",
        "pages_per_second",
        "page_latency_ms",
        "passes_with_gaps_or_duplicates",
        "login",
        "cost_per_message",
        "connect_ms",
        "setup_seconds",
    ] {
        line(key, &r[key]);
    }
    if let Some(procs) = r["processes"].as_object() {
        for (name, v) in procs {
            let _ = writeln!(
                out,
                "  {name:<28} cpu {}%  rss {} MB",
                v["cpu_percent"], v["rss_mb"]
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_shows_what_the_report_has() {
        let r = json!({
            "scenario": "dm", "instances": 2, "users": 6, "lost": 0,
            "latency_ms": {"p50": 1.5},
            "processes": {"loadgen": {"cpu_percent": 12.5, "rss_mb": 20.0}},
        });
        assert_eq!(
            table(&r),
            concat!(
                "scenario \"dm\"  instances 2  users 6\n",
                "  latency_ms                   {\"p50\":1.5}\n",
                "  lost                         0\n",
                "  loadgen                      cpu 12.5%  rss 20.0 MB\n",
            )
        );
    }

    #[test]
    fn quantiles_are_in_milliseconds() {
        let mut h = histogram().unwrap();
        h.record(1500).unwrap();
        let q = quantiles(&h);
        assert_eq!(q["count"], 1);
        assert_eq!(q["max"], 1.5);
    }
}
