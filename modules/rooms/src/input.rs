//! What a client sends about rooms, validated once: each type's schema in the OpenAPI
//! document and its check are written together.

use chat_core::{input::string_schema, Rejection, TextInput};
use poem_openapi::registry::MetaSchema;

use crate::MAX_ROOM_NAME;

/// A named room's name: 1–64 characters with at least one that is not white space, and
/// none that changes how a name displays without being seen (controls, line breaks,
/// text-direction overrides and isolates, zero-width characters, the soft hyphen): a name
/// holding them could pose as another. Stored without the white space around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomName(String);

/// Refused anywhere in a name.
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// The schema's spelling of [`hidden`] (a character class body).
const HIDDEN: &str = r"\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u2028-\u202E\u2060-\u2064\u2066-\u2069\uFEFF";
/// The white space that is not [`hidden`] (what trimming removes besides controls).
const SPACE: &str = r"\u0020\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000";

impl TextInput for RoomName {
    const NAME: &'static str = "RoomName";

    fn schema() -> MetaSchema {
        string_schema(
            "1–64 characters, not only white space (stored trimmed), no control, invisible, \
             line-breaking or text-direction characters; unique ignoring case.",
            Some(1),
            Some(MAX_ROOM_NAME),
            Some(&format!("^[^{HIDDEN}]*[^{HIDDEN}{SPACE}][^{HIDDEN}]*$")),
        )
    }

    fn parse(name: &str) -> Result<Self, Rejection> {
        let trimmed = name.trim();
        if trimmed.is_empty()
            || name.chars().nth(MAX_ROOM_NAME).is_some()
            || name.chars().any(hidden)
        {
            return Err((
                "invalid_name",
                "name: 1 to 64 characters, no control, invisible or text-direction characters",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    fn to_text(&self) -> String {
        self.0.clone()
    }
}
chat_core::text_input!(RoomName);

impl RoomName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What to look for in room names: at most 64 characters (compared ignoring case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomSearch(String);

impl TextInput for RoomSearch {
    const NAME: &'static str = "RoomSearch";

    fn schema() -> MetaSchema {
        string_schema(
            "Part of a room's name, compared ignoring case.",
            None,
            Some(MAX_ROOM_NAME),
            None,
        )
    }

    fn parse(q: &str) -> Result<Self, Rejection> {
        match q.chars().nth(MAX_ROOM_NAME) {
            None => Ok(Self(q.to_owned())),
            Some(_) => Err(("invalid_query", "q: at most 64 characters")),
        }
    }

    fn to_text(&self) -> String {
        self.0.clone()
    }
}
chat_core::text_input!(RoomSearch);

impl RoomSearch {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_names() {
        assert_eq!(RoomName::parse("  Rust  ").unwrap().as_str(), "Rust");
        assert!(RoomName::parse(&"é".repeat(64)).is_ok());
        for bad in ["", "   ", "a\u{202E}b", "a\nb", "a\u{200B}", "a\u{2028}b"] {
            assert!(RoomName::parse(bad).is_err(), "{bad:?}");
        }
        assert!(RoomName::parse(&"x".repeat(65)).is_err());
    }
}

/// Where a page of members or bans goes on: the `cursor` of the previous page's `Link`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageCursor(pub chat_core::scan::ScanCursor);

impl TextInput for PageCursor {
    const NAME: &'static str = "PageCursor";

    fn schema() -> MetaSchema {
        string_schema(
            "Where the next page starts: the `cursor` of the previous page's \
             `Link: <…>; rel=\"next\"` header.",
            Some(3),
            Some(39),
            Some(chat_core::scan::ScanCursor::PATTERN),
        )
    }

    fn parse(s: &str) -> Result<Self, Rejection> {
        chat_core::scan::ScanCursor::parse(s).map(Self).ok_or((
            "invalid_cursor",
            "cursor: the `cursor` of a previous page's Link header",
        ))
    }

    fn to_text(&self) -> String {
        self.0.to_text()
    }
}
chat_core::text_input!(PageCursor);

/// An audit entry's id (`<ms>-<n>`): the page goes on with older entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditCursor {
    pub ms: u64,
    pub n: u64,
}

impl TextInput for AuditCursor {
    const NAME: &'static str = "AuditCursor";

    fn schema() -> MetaSchema {
        string_schema(
            "The `id` of the oldest entry of the previous page: this page has older ones.",
            Some(3),
            Some(39),
            Some("^[0-9]{1,19}-[0-9]{1,19}$"),
        )
    }

    fn parse(s: &str) -> Result<Self, Rejection> {
        let number = |t: &str| {
            ((1..=19).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse().ok())
                .flatten()
        };
        match s.split_once('-') {
            Some((ms, n)) => match (number(ms), number(n)) {
                (Some(ms), Some(n)) => Ok(Self { ms, n }),
                _ => Err(("invalid_cursor", "before: an audit entry's id")),
            },
            None => Err(("invalid_cursor", "before: an audit entry's id")),
        }
    }

    fn to_text(&self) -> String {
        format!("{}-{}", self.ms, self.n)
    }
}
chat_core::text_input!(AuditCursor);

/// Why a user is banned (from a room here, from the site in the auth module): one input.
pub use chat_core::input::BanReason;
