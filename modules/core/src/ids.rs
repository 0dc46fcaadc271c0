//! Ids, validated once at the edge.

use std::{fmt, str::FromStr, sync::Arc};

/// A user's id: the number the auth module hands out at registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct UserId(pub u64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for UserId {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(());
        }
        s.parse().map(UserId).map_err(|_| ())
    }
}

/// The seed writes `from` as a number, we write it as a string: accept both.
///
/// A visitor rather than an untagged enum: this runs for every event the hub routes, and an
/// untagged enum buffers the value and builds an error for each variant that does not fit.
impl<'de> serde::Deserialize<'de> for UserId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = UserId;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a user id (a number or a string of digits)")
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<UserId, E> {
                Ok(UserId(n))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<UserId, E> {
                s.parse().map_err(|_| E::custom("invalid user id"))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// What kind of room an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomKind {
    /// Room `0`: everyone is in it.
    General,
    /// `{min}:{max}` of two user ids.
    Direct(UserId, UserId),
    /// A named room with a numeric id.
    Named,
}

/// A room id: `0` (General), `{a}:{b}` with a < b (a direct room), or digits (a named room).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoomId(Arc<str>);

pub const GENERAL: &str = "0";

impl RoomId {
    pub fn general() -> Self {
        RoomId(Arc::from(GENERAL))
    }

    /// The direct room of two distinct users.
    pub fn direct(a: UserId, b: UserId) -> Self {
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        RoomId(Arc::from(format!("{lo}:{hi}")))
    }

    pub fn named(n: u64) -> Self {
        RoomId(Arc::from(n.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn kind(&self) -> RoomKind {
        if &*self.0 == GENERAL {
            return RoomKind::General;
        }
        match self.0.split_once(':') {
            Some((a, b)) => RoomKind::Direct(
                a.parse().unwrap_or(UserId(0)),
                b.parse().unwrap_or(UserId(0)),
            ),
            None => RoomKind::Named,
        }
    }

    /// Whether a user is one of the two members of this direct room.
    pub fn direct_has(&self, user: UserId) -> bool {
        matches!(self.kind(), RoomKind::Direct(a, b) if a == user || b == user)
    }
}

impl fmt::Display for RoomId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for RoomId {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let digits =
            |x: &str| !x.is_empty() && x.len() <= 19 && x.bytes().all(|b| b.is_ascii_digit());
        let canonical = |x: &str| x == "0" || !x.starts_with('0');
        match s.split_once(':') {
            None if digits(s) && canonical(s) => Ok(RoomId(Arc::from(s))),
            Some((a, b)) if digits(a) && digits(b) && canonical(a) && canonical(b) => {
                let (x, y): (u64, u64) = (a.parse().map_err(|_| ())?, b.parse().map_err(|_| ())?);
                if x < y {
                    Ok(RoomId(Arc::from(s)))
                } else {
                    Err(())
                }
            }
            _ => Err(()),
        }
    }
}

impl serde::Serialize for RoomId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// A visitor, as for [`UserId`]: numbers are accepted too (the seed's General is `0`).
impl<'de> serde::Deserialize<'de> for RoomId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = RoomId;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a room id")
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<RoomId, E> {
                self.visit_str(&n.to_string())
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<RoomId, E> {
                s.parse().map_err(|_| E::custom("invalid room id"))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl crate::TextInput for UserId {
    const NAME: &'static str = "UserId";

    fn schema() -> poem_openapi::registry::MetaSchema {
        crate::input::string_schema("A user's id.", Some(1), Some(19), Some("^[0-9]{1,19}$"))
    }

    fn parse(s: &str) -> Result<Self, crate::Rejection> {
        s.parse()
            .map_err(|()| ("invalid_user_id", "userId: not a user id"))
    }

    fn to_text(&self) -> String {
        self.to_string()
    }
}
crate::text_input!(UserId);

impl crate::TextInput for RoomId {
    const NAME: &'static str = "RoomId";

    fn schema() -> poem_openapi::registry::MetaSchema {
        crate::input::string_schema(
            "A room: `0` (General), `{a}:{b}` with a < b (a direct room), or digits (a named \
             room). An id of this shape that names no room is answered 404.",
            Some(1),
            Some(39),
            Some("^(0|[1-9][0-9]{0,18})(:[1-9][0-9]{0,18})?$"),
        )
    }

    fn parse(s: &str) -> Result<Self, crate::Rejection> {
        s.parse().map_err(|()| ("not_found", "id: no such room"))
    }

    fn to_text(&self) -> String {
        self.0.to_string()
    }
}
crate::text_input!(RoomId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_ids_parse_only_in_canonical_form() {
        assert!("0".parse::<RoomId>().is_ok());
        assert!("12".parse::<RoomId>().is_ok());
        assert!("1:2".parse::<RoomId>().is_ok());
        assert!("2:1".parse::<RoomId>().is_err());
        assert!("1:1".parse::<RoomId>().is_err());
        assert!("01".parse::<RoomId>().is_err());
        assert!("a".parse::<RoomId>().is_err());
        assert!("".parse::<RoomId>().is_err());
        assert_eq!(RoomId::direct(UserId(5), UserId(3)).as_str(), "3:5");
        assert_eq!(
            "3:5".parse::<RoomId>().unwrap().kind(),
            RoomKind::Direct(UserId(3), UserId(5))
        );
    }

    #[test]
    fn user_ids_accept_numbers_and_strings() {
        let a: UserId = serde_json::from_str("7").unwrap();
        let b: UserId = serde_json::from_str("\"7\"").unwrap();
        assert_eq!(a, b);
        assert!(serde_json::from_str::<UserId>("\"x\"").is_err());
    }
}
