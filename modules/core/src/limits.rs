//! Per-user rate limits: token buckets held in this instance's memory.
//!
//! Each action a signed-in user takes that costs others something (a message everyone in
//! the room receives, a typing signal, a new room) draws a token from that user's bucket
//! for the action; an empty bucket refuses with how long to wait. Buckets live in memory,
//! per instance: no Redis round trip on the hot path. A user whose sockets are spread over
//! n instances gets at most n times the rate, which still bounds what one account can do.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use parking_lot::Mutex;

use crate::UserId;

/// What is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Posting a message (WebSocket or REST).
    Message,
    /// A typing signal (over the limit it is dropped silently: it is only a hint).
    Typing,
    /// Creating a named room.
    CreateRoom,
    /// Opening a direct room.
    OpenDirect,
    /// Joining a named room.
    JoinRoom,
    /// Inviting someone to a room, or making an invite link.
    Invite,
    /// Uploading a file.
    Upload,
}

/// A sustained rate and a burst; a rate of 0 means unlimited.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_sec: f64,
    pub burst: f64,
}

impl Rate {
    pub const UNLIMITED: Rate = Rate {
        per_sec: 0.0,
        burst: 0.0,
    };

    /// `per_sec` sustained (0: unlimited), up to `burst` at once.
    pub fn per_second(per_sec: f64, burst: u32) -> Self {
        Rate {
            per_sec,
            burst: f64::from(burst.max(1)),
        }
    }

    /// `n` a minute (0: unlimited), all of them at once if saved up.
    pub fn per_minute(n: u32) -> Self {
        Rate {
            per_sec: f64::from(n) / 60.0,
            burst: f64::from(n.max(1)),
        }
    }
}

/// The rate of each action.
#[derive(Debug, Clone, Copy)]
pub struct Rates {
    pub message: Rate,
    pub typing: Rate,
    pub create_room: Rate,
    pub open_direct: Rate,
    pub join_room: Rate,
    pub invite: Rate,
    pub upload: Rate,
}

impl Default for Rates {
    fn default() -> Self {
        Self {
            message: Rate::per_second(5.0, 20),
            typing: Rate::per_second(2.0, 5),
            create_room: Rate::per_minute(5),
            open_direct: Rate::per_minute(30),
            join_room: Rate::per_minute(30),
            invite: Rate::per_minute(20),
            upload: Rate::per_minute(30),
        }
    }
}

impl Rates {
    pub fn unlimited() -> Self {
        Self {
            message: Rate::UNLIMITED,
            typing: Rate::UNLIMITED,
            create_room: Rate::UNLIMITED,
            open_direct: Rate::UNLIMITED,
            join_room: Rate::UNLIMITED,
            invite: Rate::UNLIMITED,
            upload: Rate::UNLIMITED,
        }
    }

    fn of(&self, action: Action) -> Rate {
        match action {
            Action::Message => self.message,
            Action::Typing => self.typing,
            Action::CreateRoom => self.create_room,
            Action::OpenDirect => self.open_direct,
            Action::JoinRoom => self.join_room,
            Action::Invite => self.invite,
            Action::Upload => self.upload,
        }
    }
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets are sharded by user so that sockets of different users rarely share a lock.
const SHARDS: usize = 16;
/// A shard holding more buckets than this drops the full ones (users who went quiet).
const PRUNE_ABOVE: usize = 4096;

/// One shard's buckets. Dropping the full ones scans the shard: it is done when the shard
/// has doubled since the last scan (and holds more than [`PRUNE_ABOVE`]), so however many
/// users are active, a scan costs O(1) per bucket added, never O(n) per check.
#[derive(Default)]
struct Shard {
    buckets: HashMap<(UserId, Action), Bucket>,
    /// Scan again when the shard holds more than this.
    prune_above: usize,
    /// Scans so far.
    scans: u64,
}

/// The limiter: cheap to share (`Arc`) across modules and the WebSocket route.
pub struct Limiter {
    rates: Rates,
    shards: [Mutex<Shard>; SHARDS],
}

impl Limiter {
    pub fn new(rates: Rates) -> Self {
        Self {
            rates,
            shards: std::array::from_fn(|_| {
                Mutex::new(Shard {
                    prune_above: PRUNE_ABOVE,
                    ..Shard::default()
                })
            }),
        }
    }

    pub fn rates(&self) -> &Rates {
        &self.rates
    }

    /// Takes a token for `action` by `user`, or says how long until one is there.
    ///
    /// Hot path: once per message a user sends.
    pub fn check(&self, user: UserId, action: Action) -> Result<(), Duration> {
        let rate = self.rates.of(action);
        if rate.per_sec <= 0.0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut shard = self.shards[(user.0 as usize) % SHARDS].lock();
        if shard.buckets.len() > shard.prune_above {
            shard.buckets.retain(|(_, a), b| {
                let r = self.rates.of(*a);
                b.tokens + now.duration_since(b.at).as_secs_f64() * r.per_sec < r.burst
            });
            shard.prune_above = PRUNE_ABOVE.max(2 * shard.buckets.len());
            shard.scans += 1;
        }
        let bucket = shard.buckets.entry((user, action)).or_insert(Bucket {
            tokens: rate.burst,
            at: now,
        });
        bucket.tokens = (bucket.tokens
            + now.duration_since(bucket.at).as_secs_f64() * rate.per_sec)
            .min(rate.burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - bucket.tokens) / rate.per_sec,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_active_users_cost_a_scan_per_doubling_not_per_check() {
        // Refilling one token in 1,000 s: every bucket stays below its burst (active).
        let limiter = Limiter::new(Rates {
            message: Rate::per_second(0.001, 1),
            ..Rates::unlimited()
        });
        let users = SHARDS as u64 * 5_000;
        for u in 0..users {
            assert!(limiter.check(UserId(u), Action::Message).is_ok());
        }
        let (buckets, scans) = limiter.shards.iter().fold((0, 0), |(b, s), shard| {
            let shard = shard.lock();
            (b + shard.buckets.len() as u64, s + shard.scans)
        });
        assert_eq!(buckets, users, "active buckets are kept");
        assert!(
            scans <= SHARDS as u64,
            "{scans} scans for {users} checks: one per shard past 4,096, not one per check"
        );
    }

    #[test]
    fn a_burst_passes_then_the_rate_holds_and_users_are_apart() {
        // One token a second: the checks below run far closer together than that on
        // any machine, and a slower machine only refills more, never less.
        let limiter = Limiter::new(Rates {
            message: Rate::per_second(1.0, 3),
            ..Rates::unlimited()
        });
        for _ in 0..3 {
            assert!(limiter.check(UserId(1), Action::Message).is_ok());
        }
        let wait = limiter.check(UserId(1), Action::Message).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert!(
            limiter.check(UserId(2), Action::Message).is_ok(),
            "another user"
        );
        assert!(
            limiter.check(UserId(1), Action::Typing).is_ok(),
            "unlimited action"
        );
        std::thread::sleep(wait + Duration::from_millis(10));
        assert!(
            limiter.check(UserId(1), Action::Message).is_ok(),
            "refilled"
        );
    }
}
