//! The module's Lua scripts, each in its own `.lua` file, behind one typed wrapper each.
//! Every script touches one room's keys only (one hash slot).

use chat_core::{
    context::timed,
    lua::{read, Lua},
    redis, Failure, RoomId, UserId,
};
use redis::aio::ConnectionLike;

use crate::keys;

pub(crate) struct Scripts {
    create: Lua,
    attach: Lua,
    release: Lua,
    discard: Lua,
}

/// What [`Scripts::attach`] answered.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Attached {
    /// Every upload is attached to the message: their records, in the order asked.
    Records(Vec<String>),
    /// This upload is not the owner's unattached upload in this room (nothing changed).
    Missing(String),
    /// This upload is attached to another message (nothing changed).
    Taken(String),
}

impl Scripts {
    pub fn new() -> Self {
        Self {
            create: Lua::new(include_str!("create_upload.lua")),
            attach: Lua::new(include_str!("attach.lua")),
            release: Lua::new(include_str!("release.lua")),
            discard: Lua::new(include_str!("discard.lua")),
        }
    }

    pub async fn create<C: ConnectionLike>(
        &self,
        conn: &mut C,
        room: &RoomId,
        id: &str,
        record: &str,
        made: u64,
        stored: &[String],
    ) -> Result<(), Failure> {
        let mut cmd = self.create.call(&[
            &keys::records(room),
            &keys::unattached(room),
            &keys::trash(room),
        ]);
        cmd.arg(id).arg(record).arg(made).arg(stored);
        timed("uploads_create", self.create.run(conn, &cmd)).await?;
        Ok(())
    }

    pub async fn attach<C: ConnectionLike>(
        &self,
        conn: &mut C,
        room: &RoomId,
        owner: UserId,
        message: &str,
        ids: &[String],
    ) -> Result<Attached, Failure> {
        let mut cmd = self
            .attach
            .call(&[&keys::records(room), &keys::unattached(room)]);
        cmd.arg(owner.to_string()).arg(message).arg(ids);
        let value = timed("uploads_attach", self.attach.run(conn, &cmd)).await?;
        let mut answer: Vec<String> = read("attach", value)?;
        if answer.first().map(String::as_str) == Some("attached") {
            answer.remove(0);
            return Ok(Attached::Records(answer));
        }
        match answer.as_slice() {
            [_, id, why] if why == "attached" => Ok(Attached::Taken(id.clone())),
            [_, id, _] => Ok(Attached::Missing(id.clone())),
            _ => Err(Failure::internal("attach answered an unknown shape")),
        }
    }

    pub async fn release<C: ConnectionLike>(
        &self,
        conn: &mut C,
        room: &RoomId,
        message: &str,
        ids: &[String],
    ) -> Result<u64, Failure> {
        let mut cmd = self
            .release
            .call(&[&keys::records(room), &keys::unattached(room)]);
        cmd.arg(message).arg(ids);
        let value = timed("uploads_release", self.release.run(conn, &cmd)).await?;
        read("release", value)
    }

    /// Discards the uploads of `pairs` (upload id, message id; an empty message id: an
    /// unattached upload made at or before `cutoff`). The ids discarded.
    pub async fn discard<C: ConnectionLike>(
        &self,
        conn: &mut C,
        room: &RoomId,
        due: u64,
        cutoff: u64,
        pairs: &[(String, String)],
    ) -> Result<Vec<String>, Failure> {
        if pairs.is_empty() {
            return Ok(Vec::new());
        }
        let mut cmd = self.discard.call(&[
            &keys::records(room),
            &keys::unattached(room),
            &keys::trash(room),
        ]);
        cmd.arg(due).arg(cutoff);
        for (id, message) in pairs {
            cmd.arg(id).arg(message);
        }
        let value = timed("uploads_discard", self.discard.run(conn, &cmd)).await?;
        read("discard", value)
    }
}

#[cfg(test)]
mod tests {
    use chat_core::testing::ScratchRedis;

    use super::*;

    fn record(owner: u64, made: u64) -> String {
        serde_json::json!({"owner": owner.to_string(), "name": "a.png", "size": 3,
            "contentType": "image/png", "key": "uploads/x", "thumb": "uploads/x.thumb",
            "made": made})
        .to_string()
    }

    #[tokio::test]
    async fn uploads_attach_once_all_or_none_and_are_released_and_discarded() {
        let redis = ScratchRedis::start().await;
        let mut conn = redis.connect().await.unwrap();
        let s = Scripts::new();
        let room: RoomId = "7".parse().unwrap();
        let (joe, ann) = (UserId(1), UserId(2));
        s.create(&mut conn, &room, "a", &record(1, 100), 100, &[])
            .await
            .unwrap();
        s.create(&mut conn, &room, "b", &record(1, 100), 100, &[])
            .await
            .unwrap();
        s.create(&mut conn, &room, "c", &record(2, 100), 100, &[])
            .await
            .unwrap();
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();

        // Another's upload: refused, and nothing was attached.
        let refused = s
            .attach(&mut conn, &room, joe, "m1", &ids(&["a", "c"]))
            .await
            .unwrap();
        assert_eq!(refused, Attached::Missing("c".into()));
        let unattached: u64 = redis::cmd("ZCARD")
            .arg(keys::unattached(&room))
            .query_async(&mut conn)
            .await
            .unwrap();
        assert_eq!(unattached, 3);

        let Attached::Records(records) = s
            .attach(&mut conn, &room, joe, "m1", &ids(&["a", "b"]))
            .await
            .unwrap()
        else {
            panic!("attached")
        };
        assert_eq!(records.len(), 2);
        assert!(records[0].contains(r#""message":"m1""#));
        // The same message again (a retry): the same answer; another message: taken.
        assert!(matches!(
            s.attach(&mut conn, &room, joe, "m1", &ids(&["a"]))
                .await
                .unwrap(),
            Attached::Records(_)
        ));
        assert_eq!(
            s.attach(&mut conn, &room, joe, "m2", &ids(&["a"]))
                .await
                .unwrap(),
            Attached::Taken("a".into())
        );
        assert_eq!(
            s.attach(&mut conn, &room, ann, "m3", &ids(&["a"]))
                .await
                .unwrap(),
            Attached::Missing("a".into())
        );

        // Released (the message was not stored): unattached again, attachable again.
        assert_eq!(
            s.release(&mut conn, &room, "m1", &ids(&["b"]))
                .await
                .unwrap(),
            1
        );
        assert!(matches!(
            s.attach(&mut conn, &room, joe, "m2", &ids(&["b"]))
                .await
                .unwrap(),
            Attached::Records(_)
        ));

        // Discard: "a" with its message; an unattached one only past the cutoff.
        let pairs = vec![
            ("a".to_string(), "m9".to_string()),
            ("c".to_string(), String::new()),
        ];
        assert!(s
            .discard(&mut conn, &room, 500, 99, &pairs)
            .await
            .unwrap()
            .is_empty());
        let pairs = vec![
            ("a".to_string(), "m1".to_string()),
            ("c".to_string(), String::new()),
        ];
        assert_eq!(
            s.discard(&mut conn, &room, 500, 100, &pairs).await.unwrap(),
            ids(&["a", "c"])
        );
        let trash: Vec<String> = redis::cmd("ZRANGE")
            .arg(keys::trash(&room))
            .arg(0)
            .arg(-1)
            .query_async(&mut conn)
            .await
            .unwrap();
        assert_eq!(trash, ids(&["uploads/x", "uploads/x.thumb"]));
        let left: Vec<String> = redis::cmd("HKEYS")
            .arg(keys::records(&room))
            .query_async(&mut conn)
            .await
            .unwrap();
        assert_eq!(left, ids(&["b"]));
    }
}
