//! The command line. `scripts/bench.sh`, `BENCHMARKS.md` and the server's `tests/loadgen.rs`
//! use these flags: renaming one breaks them.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

// No doc comments on the two types themselves: clap would turn them into help text.

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    /// One big room (General): every user receives every message.
    Fanout,
    /// Many named rooms of `--room-size` members.
    Rooms,
    /// Pairs of users in their direct rooms.
    Dm,
    /// Many connections, no traffic: memory and CPU per connection.
    Idle,
    /// Paging through a long room's history.
    History,
    /// A storm of logins while `fanout` chat goes on.
    Login,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Placement {
    /// User i on instance i mod n: a room's members are spread over every instance.
    Spread,
    /// A room's members (`rooms`: `--room-size` consecutive users; `dm`: a pair) on one
    /// instance, rooms dealt over the instances in turn.
    ByRoom,
}

#[derive(Debug, Clone, Parser)]
#[command(
    name = "loadgen",
    about = "Load generator and benchmark for redis-chat."
)]
pub struct Args {
    /// Base URL of a server instance; repeat for several (users are spread over them).
    #[arg(long = "url", default_value = "http://127.0.0.1:4000")]
    pub urls: Vec<String>,
    /// Which instance each user connects to.
    #[arg(long, value_enum, default_value = "spread")]
    pub placement: Placement,
    #[arg(long, value_enum, default_value = "fanout")]
    pub scenario: Scenario,
    /// Number of users (sockets).
    #[arg(long, default_value_t = 200)]
    pub users: usize,
    /// Members per room (`rooms`).
    #[arg(long, default_value_t = 10)]
    pub room_size: usize,
    /// Users that send (`fanout`, `login`; `rooms` and `dm` use one per room).
    #[arg(long, default_value_t = 10)]
    pub senders: usize,
    /// Messages per second, all senders together.
    #[arg(long, default_value_t = 500.0)]
    pub rate: f64,
    /// Measured time, seconds.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Warm-up before measuring, seconds.
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
    /// Prefix of the load users' names.
    #[arg(long, default_value = "lg")]
    pub prefix: String,
    #[arg(long, default_value = "loadgen-password")]
    pub password: String,
    /// Keep session tokens here between runs (argon2 logins are slow by design).
    #[arg(long)]
    pub sessions: Option<PathBuf>,
    /// Concurrent connects and logins during set-up.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Spread client sockets over this many source addresses 127.0.0.1, 127.0.0.2, …
    #[arg(long, default_value_t = 1)]
    pub source_ips: u8,
    /// Processes to measure (CPU, RSS): pids, or `auto` for every redis-chat and redis-server.
    #[arg(long = "pid")]
    pub pids: Vec<String>,
    /// Sockets to open in the `idle` scenario (spread over the users, like browser tabs).
    #[arg(long)]
    pub connections: Option<usize>,
    /// Logins per second in the `login` scenario.
    #[arg(long, default_value_t = 20.0)]
    pub login_rate: f64,
    /// Messages in the room the `history` scenario pages through.
    #[arg(long, default_value_t = 2000)]
    pub history_messages: usize,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print only the JSON line.
    #[arg(long)]
    pub json: bool,
    /// The Redis the servers use (e.g. `redis+unix:///tmp/redis.sock`): its `INFO
    /// commandstats` before and after the measured window give Redis commands per message.
    #[arg(long)]
    pub redis: Option<String>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Args::command().debug_assert();
    }
}
