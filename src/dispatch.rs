//! Dispatch: the one place where an event meets the sockets that should get it.
//!
//! It stands between the [`Hub`] (who is connected here, in which rooms) and the
//! subscriber (how events of other instances arrive: the `MESSAGES` subscription in
//! `src/pubsub.rs`, or on a cluster the keeper of sharded subscriptions in
//! `src/shards.rs`). Neither knows the other, nor the hub: a subscriber sees this instance
//! as [`Listeners`], and dispatch sees the cluster's subscriptions as [`Subscriptions`].
//!
//! - An event produced here arrives with its route (its producer knows who it is for):
//!   nothing is parsed. An envelope from another instance is parsed once, routed by its
//!   type and data ([`chat_core::route`]), and our own envelopes coming back are dropped
//!   unread.
//! - **Subscribe, then deliver**: on a cluster, a socket opening ([`Dispatch::open`]) and a
//!   room a user here has just entered (a `room.joined`, a new direct room) wait until
//!   this instance listens to the channels concerned, at most [`SUBSCRIBE_WAIT`], before
//!   the client hears of them; from then on it misses nothing. When the wait fails, the
//!   sockets concerned are closed to resync.

use std::{collections::HashSet, sync::Arc, time::Duration};

use chat_core::{metrics, route, EventKind, EventSink, Route, SessionEnded, Topic, UserId};

use crate::hub::{CloseReason, Hub};

/// How long a socket or a membership event waits for its channels to be subscribed before
/// its sockets are closed to resync instead.
pub const SUBSCRIBE_WAIT: Duration = Duration::from_secs(5);

/// A cluster's sharded subscriptions, as dispatch asks for them.
#[async_trait::async_trait]
pub trait Subscriptions: Send + Sync + 'static {
    /// Subscribes `channels` (those not yet) and waits up to `wait` until all are: false if
    /// they are not.
    async fn ensure(&self, channels: Vec<String>, wait: Duration) -> bool;
}

/// What a subscriber needs of this instance.
pub trait Listeners: Send + Sync + 'static {
    /// An envelope arrived (from any instance, this one included).
    fn on_envelope(&self, payload: &str);
    /// The sharded channels the sockets here need.
    fn wanted_channels(&self) -> HashSet<String>;
    /// Events may have been missed: close (to resync) the sockets that needed one of the
    /// `lost` channels, or every socket when `lost` is `None` (the one `MESSAGES`
    /// subscription). Returns how many were closed.
    fn resync(&self, lost: Option<&HashSet<String>>) -> usize;
}

/// Cheap to clone.
#[derive(Clone)]
pub struct Dispatch {
    inner: Arc<Inner>,
}

struct Inner {
    hub: Hub,
    server_id: Arc<str>,
    /// On a cluster; `None` on one Redis, where `MESSAGES` carries every event.
    subscriptions: Option<Arc<dyn Subscriptions>>,
}

impl Dispatch {
    pub fn new(
        hub: Hub,
        server_id: Arc<str>,
        subscriptions: Option<Arc<dyn Subscriptions>>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                hub,
                server_id,
                subscriptions,
            }),
        }
    }

    pub fn hub(&self) -> &Hub {
        &self.inner.hub
    }

    /// A socket of `user` registered: on a cluster, subscribes its channels (waiting for
    /// them) before it is told `ready`. False when they could not be subscribed.
    pub async fn open(&self, user: UserId) -> bool {
        match &self.inner.subscriptions {
            Some(subs) => {
                let channels = self.inner.hub.channels_of(user);
                subs.ensure(channels, SUBSCRIBE_WAIT).await
            }
            None => true,
        }
    }

    /// Routes one event to the sockets here that should get it.
    ///
    /// Hot path: once per event per instance: a frame built once, then a queue push per
    /// recipient socket.
    fn deliver(&self, kind: EventKind, route: Route, data: &str) {
        let Route {
            audience,
            date,
            normalized,
        } = route;
        let data = normalized.as_deref().unwrap_or(data);
        let hub = &self.inner.hub;
        let entered = hub.track(kind, &audience, data);
        let frame = Hub::frame(kind, data, date);
        let (Some(room), Some(subs)) = (entered, &self.inner.subscriptions) else {
            return hub.push(&audience, &frame);
        };
        let (hub, subs) = (hub.clone(), Arc::clone(subs));
        tokio::spawn(async move {
            if subs
                .ensure(vec![chat_core::channels::room(&room)], SUBSCRIBE_WAIT)
                .await
            {
                hub.push(&audience, &frame);
            } else {
                hub.close_audience(&audience, CloseReason::Resync);
            }
        });
    }

    /// An event from another instance: routed by its type and data.
    fn deliver_remote(&self, topic: Topic, data: &str) {
        match topic {
            Topic::SessionEnded => {
                if let Ok(e) = serde_json::from_str::<SessionEnded>(data) {
                    self.inner.hub.close_session(&e.session);
                }
            }
            Topic::Client(kind) => {
                if let Some(route) = route(kind, data) {
                    self.deliver(kind, route, data);
                }
            }
        }
    }
}

impl EventSink for Dispatch {
    fn deliver(&self, kind: EventKind, route: Route, data: &str) {
        Dispatch::deliver(self, kind, route, data);
    }

    fn end_session(&self, session: &str) {
        self.inner.hub.close_session(session);
    }
}

impl Listeners for Dispatch {
    /// Hot path: every envelope of every instance. Our own come back too (`MESSAGES` has no
    /// "except me"); they start with our `serverId` as written by `Envelope::encode`, so
    /// they are dropped without a parse.
    fn on_envelope(&self, payload: &str) {
        let server_id = &*self.inner.server_id;
        if payload
            .strip_prefix(r#"{"serverId":""#)
            .and_then(|rest| rest.strip_prefix(server_id))
            .is_some_and(|rest| rest.starts_with('"'))
        {
            return;
        }
        let Ok(env) = serde_json::from_str::<chat_core::Envelope<'_>>(payload) else {
            tracing::debug!("ignoring a malformed envelope");
            return;
        };
        if env.server_id.as_deref() == Some(server_id) {
            return;
        }
        let topic = Topic::parse(&env.kind);
        metrics::ENVELOPES_IN
            .with_label_values(&[topic.map_or("other", Topic::as_str)])
            .inc();
        // A type this version does not know (a newer instance's) is not for its sockets.
        if let Some(topic) = topic {
            self.deliver_remote(topic, env.data.get());
        }
    }

    fn wanted_channels(&self) -> HashSet<String> {
        self.inner.hub.wanted_channels()
    }

    fn resync(&self, lost: Option<&HashSet<String>>) -> usize {
        match lost {
            Some(lost) => self.inner.hub.resync(lost),
            None => self.inner.hub.close_all(CloseReason::Resync),
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::sync::mpsc;

    use super::*;
    use chat_core::RoomId;

    use crate::hub::Frame;

    const MESSAGE: Topic = Topic::Client(EventKind::Message);

    fn drain(rx: &mut mpsc::Receiver<Arc<Frame>>) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(f) = rx.try_recv() {
            out.push(f.text.clone());
        }
        out
    }

    #[test]
    fn a_direct_rooms_messages_reach_only_its_two_users() {
        let hub = Hub::new(16);
        let d = Dispatch::new(hub.clone(), "me".into(), None);
        let (_a, mut ra, _) = hub.register(hub.admit(UserId(1), 0).unwrap(), "s", &[], 0, None);
        let (_b, mut rb, _) = hub.register(hub.admit(UserId(2), 0).unwrap(), "s", &[], 0, None);
        let (_c, mut rc, _) = hub.register(hub.admit(UserId(3), 0).unwrap(), "s", &[], 0, None);
        d.deliver_remote(
            MESSAGE,
            r#"{"id":"x","from":"1","date":1.5,"message":"hi","roomId":"1:2"}"#,
        );
        assert_eq!(drain(&mut ra).len(), 1);
        assert_eq!(drain(&mut rb).len(), 1);
        assert!(drain(&mut rc).is_empty());
    }

    #[test]
    fn named_rooms_follow_joins_and_leaves() {
        let hub = Hub::new(16);
        let d = Dispatch::new(hub.clone(), "me".into(), None);
        let (_a, mut ra, _) = hub.register(
            hub.admit(UserId(1), 0).unwrap(),
            "s",
            &["7".parse().unwrap()],
            0,
            None,
        );
        let (_b, mut rb, _) = hub.register(hub.admit(UserId(2), 0).unwrap(), "s", &[], 0, None);
        let msg = r#"{"id":"x","from":"1","date":1.5,"message":"hi","roomId":"7"}"#;
        d.deliver_remote(MESSAGE, msg);
        assert_eq!(drain(&mut ra).len(), 1);
        assert!(drain(&mut rb).is_empty());
        d.deliver_remote(
            Topic::Client(EventKind::RoomJoined),
            r#"{"roomId":"7","userId":"2","name":"x"}"#,
        );
        d.deliver_remote(MESSAGE, msg);
        assert_eq!(drain(&mut rb).len(), 2, "the join event and the message");
        d.deliver_remote(
            Topic::Client(EventKind::RoomLeft),
            r#"{"roomId":"7","userId":"2","name":"x"}"#,
        );
        drain(&mut rb);
        d.deliver_remote(MESSAGE, msg);
        assert!(drain(&mut rb).is_empty());
    }

    #[test]
    fn membership_is_vouched_for_only_when_no_event_came_while_rooms_were_read() {
        let hub = Hub::new(16);
        let d = Dispatch::new(hub.clone(), "me".into(), None);
        let (seven, direct): (RoomId, RoomId) = ("7".parse().unwrap(), "1:2".parse().unwrap());
        let seq = hub.membership_seq();
        let (_a, _ra, exact) = hub.register(
            hub.admit(UserId(1), 0).unwrap(),
            "s",
            &[seven.clone(), direct.clone()],
            seq,
            None,
        );
        assert!(exact);
        assert!(hub.is_member(UserId(1), &seven) && hub.is_member(UserId(1), &direct));
        assert!(hub.is_member(UserId(1), &"0".parse().unwrap()));
        assert!(
            !hub.is_member(UserId(1), &"8".parse().unwrap()),
            "unknown: ask Redis"
        );
        assert!(!hub.is_member(UserId(1), &"2:3".parse().unwrap()));
        d.deliver_remote(
            Topic::Client(EventKind::RoomLeft),
            r#"{"roomId":"7","userId":"1","name":"x"}"#,
        );
        assert!(
            !hub.is_member(UserId(1), &seven),
            "a leave takes effect at once"
        );

        // User 2's rooms are read, then a leave is processed before they register: the
        // list read is stale, so it is not vouched for until reloaded.
        let seq = hub.membership_seq();
        d.deliver_remote(
            Topic::Client(EventKind::RoomLeft),
            r#"{"roomId":"9","userId":"2","name":"x"}"#,
        );
        let nine: RoomId = "9".parse().unwrap();
        let (_b, _rb, exact) = hub.register(
            hub.admit(UserId(2), 0).unwrap(),
            "s",
            std::slice::from_ref(&nine),
            seq,
            None,
        );
        assert!(!exact);
        assert!(!hub.is_member(UserId(2), &nine));
        assert!(hub.reload(UserId(2), &[], hub.membership_seq()));
        assert!(!hub.is_member(UserId(2), &nine));
        d.deliver_remote(
            Topic::Client(EventKind::ShowRoom),
            r#"{"id":"2:5","names":["b","e"]}"#,
        );
        assert!(
            hub.is_member(UserId(2), &"2:5".parse().unwrap()),
            "a new direct room"
        );
    }

    #[test]
    fn a_full_queue_closes_the_slow_socket_only() {
        let hub = Hub::new(8);
        let d = Dispatch::new(hub.clone(), "me".into(), None);
        let (slow, _keep, _) = hub.register(hub.admit(UserId(1), 0).unwrap(), "s", &[], 0, None);
        let (fast, mut rf, _) = hub.register(hub.admit(UserId(2), 0).unwrap(), "s", &[], 0, None);
        for _ in 0..9 {
            d.deliver_remote(
                MESSAGE,
                r#"{"id":"x","from":"1","date":1.5,"message":"hi","roomId":"0"}"#,
            );
            drain(&mut rf);
        }
        assert!(slow.cancelled().is_cancelled());
        assert_eq!(slow.reason(), CloseReason::SlowConsumer);
        assert!(!fast.cancelled().is_cancelled());
    }

    #[test]
    fn the_first_frame_comes_before_any_event_and_seed_messages_are_reshaped() {
        let hub = Hub::new(8);
        let d = Dispatch::new(hub.clone(), "me".into(), None);
        let (_a, mut ra, _) = hub.register(
            hub.admit(UserId(1), 0).unwrap(),
            "s",
            &[],
            0,
            Some(Hub::frame(EventKind::Ready, "{}", None)),
        );
        d.deliver_remote(
            MESSAGE,
            r#"{"from":1,"date":1615480369,"message":"hi","roomId":"0"}"#,
        );
        let frames = drain(&mut ra);
        assert_eq!(frames[0], r#"{"type":"ready","data":{}}"#);
        let m: serde_json::Value = serde_json::from_str(&frames[1]).unwrap();
        assert_eq!(m["data"]["from"], "1");
        assert!(m["data"]["id"].as_str().unwrap().starts_with("seed-"));
    }

    #[test]
    fn ending_a_session_closes_only_its_sockets() {
        let hub = Hub::new(8);
        let d = Dispatch::new(hub.clone(), "me".into(), None);
        let (a, _ra, _) = hub.register(hub.admit(UserId(1), 0).unwrap(), "s1", &[], 0, None);
        let (b, _rb, _) = hub.register(hub.admit(UserId(1), 0).unwrap(), "s2", &[], 0, None);
        d.deliver_remote(Topic::SessionEnded, r#"{"userId":"1","session":"s1"}"#);
        assert!(a.cancelled().is_cancelled());
        assert!(!b.cancelled().is_cancelled());
    }

    #[test]
    fn own_envelopes_are_ignored_and_unknown_types_dropped() {
        let hub = Hub::new(8);
        let d = Dispatch::new(hub.clone(), "me".into(), None);
        let (_a, mut ra, _) = hub.register(hub.admit(UserId(1), 0).unwrap(), "s", &[], 0, None);
        d.on_envelope(r#"{"serverId":"me","type":"message","data":{"roomId":"0","date":1}}"#);
        d.on_envelope(r#"{"serverId":"other","type":"nope","data":{"roomId":"0"}}"#);
        assert!(drain(&mut ra).is_empty());
        d.on_envelope(r#"{"serverId":"other","type":"message","data":{"roomId":"0","date":1}}"#);
        assert_eq!(
            drain(&mut ra),
            vec![r#"{"type":"message","data":{"roomId":"0","date":1}}"#.to_owned()]
        );
        // A server whose id merely starts with ours is another server.
        d.on_envelope(r#"{"serverId":"meX","type":"message","data":{"roomId":"0","date":1}}"#);
        assert_eq!(drain(&mut ra).len(), 1);
    }
}
