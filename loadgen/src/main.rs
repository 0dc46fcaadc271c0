//! `loadgen`: drives redis-chat instances with many users and measures delivery. See the
//! library (`src/lib.rs`) for how; `loadgen --help` for the flags.

use clap::Parser;

fn main() -> anyhow::Result<()> {
    let args = loadgen::Args::parse();
    let report = loadgen::run_blocking(&args)?;
    loadgen::report::print(&report, args.json)
}
