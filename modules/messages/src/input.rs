//! What a client sends about messages, validated once for REST and WebSocket alike: each
//! type's schema in the OpenAPI document and its check are written together.

use chat_core::{
    input::string_schema,
    protocol::{MAX_CLIENT_ID_LEN, MAX_MESSAGE_CHARS},
    Rejection, TextInput,
};
use poem_openapi::registry::MetaSchema;

/// The characters `str::trim` removes (Unicode White_Space), spelled out so that the schema
/// says exactly what the server checks, in every regular-expression dialect.
const NOT_BLANK: &str =
    r"[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";

/// A message's text: 1–4,000 characters with at least one that is not white space. It is
/// stored without the white space around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText(String);

impl TextInput for MessageText {
    const NAME: &'static str = "MessageText";

    fn schema() -> MetaSchema {
        string_schema(
            "1–4,000 characters, not only white space (stored trimmed). Render it as text, \
             never as HTML.",
            Some(1),
            Some(MAX_MESSAGE_CHARS),
            Some(NOT_BLANK),
        )
    }

    fn parse(text: &str) -> Result<Self, Rejection> {
        if text.chars().nth(MAX_MESSAGE_CHARS).is_some() {
            return Err(("message_too_long", "message: at most 4000 characters"));
        }
        match text.trim() {
            "" => Err(("empty_message", "message: must not be empty")),
            t => Ok(Self(t.to_owned())),
        }
    }

    fn to_text(&self) -> String {
        self.0.clone()
    }
}
chat_core::text_input!(MessageText);

impl MessageText {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An id of the client's choosing for a message: 1–64 printable ASCII characters. A retry
/// with the same `clientId` is answered with the first message instead of posting a second.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientId(String);

impl TextInput for ClientId {
    const NAME: &'static str = "ClientId";

    fn schema() -> MetaSchema {
        MetaSchema {
            // Where it is optional, `null` means the same as leaving it out.
            nullable: true,
            ..string_schema(
                "1–64 printable ASCII characters of the client's choosing: a retry with the \
                 same `clientId` returns the first message instead of posting a second.",
                Some(1),
                Some(MAX_CLIENT_ID_LEN),
                Some("^[!-~]+$"),
            )
        }
    }

    fn parse(id: &str) -> Result<Self, Rejection> {
        if !id.is_empty()
            && id.len() <= MAX_CLIENT_ID_LEN
            && id.bytes().all(|b| b.is_ascii_graphic())
        {
            Ok(Self(id.to_owned()))
        } else {
            Err((
                "invalid_client_id",
                "clientId: 1 to 64 printable characters",
            ))
        }
    }

    fn to_text(&self) -> String {
        self.0.clone()
    }
}
chat_core::text_input!(ClientId);

impl ClientId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Largest `~n` a cursor may carry. Only the seed's server writes several messages at one
/// date (whole seconds); Redis walks `n` entries to honour the cursor, so a larger `n`
/// would let one request cost as much as a million.
const MAX_SKIP: u64 = 10_000;

/// A position in a room's history: a date, plus how many messages at exactly that date
/// are already seen (only seed-written messages share dates).
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub date: String,
    pub skip: Option<u64>,
}

fn digits(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

impl TextInput for Cursor {
    const NAME: &'static str = "Cursor";

    fn schema() -> MetaSchema {
        string_schema(
            "A page's `before` or `after`, or a message's `date`: `<date>` (strictly beyond \
             it) or `<date>~<n>` (beyond the first n messages at that date).",
            Some(1),
            Some(32),
            Some(r"^[0-9]{1,15}(\.[0-9]{1,9})?(~([0-9]{1,4}|10000))?$"),
        )
    }

    fn parse(s: &str) -> Result<Self, Rejection> {
        const REFUSED: Rejection = ("invalid_cursor", "before, after: not a cursor");
        let (date, skip) = match s.split_once('~') {
            Some((d, n)) if digits(n, 4) || n == MAX_SKIP.to_string() => {
                (d, Some(n.parse().map_err(|_| REFUSED)?))
            }
            Some(_) => return Err(REFUSED),
            None => (s, None),
        };
        let (whole, fraction) = date.split_once('.').unwrap_or((date, "0"));
        if !digits(whole, 15) || !digits(fraction, 9) {
            return Err(REFUSED);
        }
        Ok(Cursor {
            date: date.to_owned(),
            skip,
        })
    }

    fn to_text(&self) -> String {
        match self.skip {
            Some(n) => format!("{}~{n}", self.date),
            None => self.date.clone(),
        }
    }
}
chat_core::text_input!(Cursor);

/// A message's `date` as a read marker: a number, 0 or more (a date past the newest message
/// reads up to the newest).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReadDate(pub f64);

const BAD_DATE: Rejection = (
    "invalid_date",
    "date: a message's date (a number, 0 or more)",
);

impl poem_openapi::types::Type for ReadDate {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> std::borrow::Cow<'static, str> {
        "ReadDate".into()
    }

    fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
        poem_openapi::registry::MetaSchemaRef::Inline(Box::new(MetaSchema {
            description: Some("A message's `date`."),
            minimum: Some(0.0),
            ..MetaSchema::new_with_format("number", "double")
        }))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl poem_openapi::types::ParseFromJSON for ReadDate {
    fn parse_from_json(value: Option<serde_json::Value>) -> poem_openapi::types::ParseResult<Self> {
        match value.as_ref().and_then(serde_json::Value::as_f64) {
            Some(d) if d.is_finite() && d >= 0.0 => Ok(Self(d)),
            _ => Err(poem_openapi::types::ParseError::custom(
                chat_core::input::encode(BAD_DATE),
            )),
        }
    }
}

impl poem_openapi::types::ToJSON for ReadDate {
    fn to_json(&self) -> Option<serde_json::Value> {
        serde_json::Number::from_f64(self.0).map(serde_json::Value::Number)
    }
}

impl ReadDate {
    /// The same check for a date that came another way (a WebSocket `read` frame).
    pub fn check(date: f64) -> Result<Self, Rejection> {
        if date.is_finite() && date >= 0.0 {
            Ok(Self(date))
        } else {
            Err(BAD_DATE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_text_is_trimmed_and_bounded() {
        assert_eq!(MessageText::parse("  hi \n").unwrap().as_str(), "hi");
        assert_eq!(
            MessageText::parse(" \u{3000}\t").unwrap_err().0,
            "empty_message"
        );
        assert_eq!(MessageText::parse("").unwrap_err().0, "empty_message");
        assert!(MessageText::parse(&"é".repeat(4000)).is_ok());
        assert_eq!(
            MessageText::parse(&"x".repeat(4001)).unwrap_err().0,
            "message_too_long"
        );
        // U+FEFF is not white space to Rust (nor in the schema's pattern): it is text.
        assert!(MessageText::parse("\u{FEFF}").is_ok());
    }

    #[test]
    fn cursors_have_one_shape() {
        for ok in [
            "1615480369",
            "1795856689.738",
            "1.5~3",
            "0~10000",
            "12.123456789",
        ] {
            assert!(Cursor::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-1",
            "1e9",
            "inf",
            "NaN",
            "1.",
            ".5",
            "1~",
            "1~10001",
            "1~01234",
            "+1",
            "1234567890123456",
            "1.1234567890",
        ] {
            assert!(Cursor::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Cursor::parse("5~2").unwrap().to_text(), "5~2");
    }

    #[test]
    fn client_ids_are_printable_ascii() {
        assert!(ClientId::parse("a:b-1").is_ok());
        assert!(ClientId::parse("").is_err());
        assert!(ClientId::parse("a b").is_err());
        assert!(ClientId::parse(&"x".repeat(65)).is_err());
    }
}

/// A message's id in a path: the 32 lowercase hex digits the server gave it. Anything else
/// names no message (404). Messages written by the seed's server (`seed-…` ids) cannot be
/// edited, deleted, reacted or replied to: their place in the room cannot be found from
/// their id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageId(String);

impl TextInput for MessageId {
    const NAME: &'static str = "MessageId";

    fn schema() -> MetaSchema {
        string_schema(
            "The `id` of a message this server stored (32 hexadecimal digits).",
            Some(32),
            Some(32),
            Some("^[0-9a-f]{32}$"),
        )
    }

    fn parse(id: &str) -> Result<Self, Rejection> {
        if id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(Self(id.to_owned()))
        } else {
            Err(("not_found", "messageId: no such message"))
        }
    }

    fn to_text(&self) -> String {
        self.0.clone()
    }
}
chat_core::text_input!(MessageId);

impl MessageId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An id read back from Redis (a reply's parent), if it is one of ours.
    pub fn parse_owned(id: &str) -> Option<Self> {
        Self::parse(id).ok()
    }
}

/// `replyTo`: the id of the message a new one answers. A malformed one names no message of
/// the room, like an unknown one (400 `reply_not_found`: it is the body that is wrong).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyTo(pub MessageId);

impl TextInput for ReplyTo {
    const NAME: &'static str = "ReplyTo";

    fn schema() -> MetaSchema {
        MetaSchema {
            nullable: true,
            ..string_schema(
                "The `id` of the message of this room it answers (32 hexadecimal digits).",
                Some(32),
                Some(32),
                Some("^[0-9a-f]{32}$"),
            )
        }
    }

    fn parse(id: &str) -> Result<Self, Rejection> {
        MessageId::parse(id)
            .map(Self)
            .map_err(|_| ("reply_not_found", "replyTo: no such message in this room"))
    }

    fn to_text(&self) -> String {
        self.0.to_text()
    }
}
chat_core::text_input!(ReplyTo);

/// A reaction: one emoji, possibly a sequence (a flag, a skin tone, a ZWJ family; no
/// keycaps), at most 16 code points: exactly what [`emoji_pattern`] matches, which is also
/// the schema's pattern. `👍👍` (two) or a lone flag letter (none) are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emoji(String);

/// One emoji: a pair of regional indicators (a flag), or elements joined by U+200D (ZWJ),
/// each a base character, an optional variation selector, an optional skin tone and tag
/// characters (subdivision flags). BMP characters are written `\uXXXX`, the others as
/// themselves, so that the pattern reads the same in Rust's `regex`, Python's `re`
/// (schemathesis) and ECMAScript (with the `u` flag).
fn emoji_pattern() -> String {
    let base = concat!(
        r"[\u00A9\u00AE\u203C\u2049\u2122\u2139\u2194-\u21AA\u231A-\u23FF\u24C2",
        r"\u25AA-\u27BF\u2934\u2935\u2B05-\u2B55\u3030\u303D\u3297\u3299",
        "\u{1F000}-\u{1F1E5}\u{1F200}-\u{1FAFF}]",
    );
    let element = format!(
        r"{base}[\uFE0E\uFE0F]?[{}-{}]?[{}-{}]*",
        '\u{1F3FB}', '\u{1F3FF}', '\u{E0020}', '\u{E007F}'
    );
    format!(
        r"^(?:[{}-{}]{{2}}|{element}(?:\u200D{element})*)$",
        '\u{1F1E6}', '\u{1F1FF}'
    )
}

static EMOJI: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(&emoji_pattern()).expect("the emoji pattern compiles")
});

impl TextInput for Emoji {
    const NAME: &'static str = "Emoji";

    fn schema() -> MetaSchema {
        string_schema(
            "One emoji (a flag, a skin tone or a family counts as one; no keycaps), at most 16 \
             code points; URL-encode it in a path.",
            Some(1),
            Some(16),
            Some(&emoji_pattern()),
        )
    }

    fn parse(e: &str) -> Result<Self, Rejection> {
        if e.chars().nth(16).is_none() && EMOJI.is_match(e) {
            Ok(Self(e.to_owned()))
        } else {
            Err(("invalid_emoji", "emoji: not an emoji"))
        }
    }

    fn to_text(&self) -> String {
        self.0.clone()
    }
}
chat_core::text_input!(Emoji);

impl Emoji {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod feature_tests {
    use super::*;

    #[test]
    fn message_ids_are_ours() {
        let id = uuid::Uuid::now_v7().simple().to_string();
        assert_eq!(MessageId::parse(&id).unwrap().as_str(), id);
        for bad in [
            "",
            "seed-0123456789abcdef",
            &id.to_uppercase(),
            &id[1..],
            "x".repeat(32).as_str(),
        ] {
            assert_eq!(MessageId::parse(bad).unwrap_err().0, "not_found", "{bad}");
        }
    }

    #[test]
    fn emoji_are_one_emoji() {
        for good in ["👍", "❤️", "👍🏽", "🇫🇷", "👨‍👩‍👧", "☕", "🏳️‍🌈"]
        {
            assert!(Emoji::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "a",
            "👍 ",
            " 👍",
            "<b>",
            "\u{200d}",
            "🏽x",
            "👍👍",
            "🇫",
            "🇫🇷🇫🇷",
            &"👍".repeat(17),
        ] {
            assert!(Emoji::parse(bad).is_err(), "{bad:?}");
        }
    }
}

/// One of `attachments`: the `id` of an upload (32 hexadecimal digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UploadId(String);

impl TextInput for UploadId {
    const NAME: &'static str = "UploadId";

    fn schema() -> MetaSchema {
        string_schema(
            "The `id` of one of the sender's uploads in this room, not sent yet (32 \
             hexadecimal digits).",
            Some(32),
            Some(32),
            Some("^[0-9a-f]{32}$"),
        )
    }

    fn parse(id: &str) -> Result<Self, Rejection> {
        if chat_uploads::valid_id(id) {
            Ok(Self(id.to_owned()))
        } else {
            Err(("invalid_attachment", "attachments: not an upload id"))
        }
    }

    fn to_text(&self) -> String {
        self.0.clone()
    }
}
chat_core::text_input!(UploadId);

impl UploadId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The ids of `attachments`, checked: at most [`chat_uploads::MAX_ATTACHMENTS`], no
/// repeats.
pub fn attachment_ids(ids: &[UploadId]) -> Result<Vec<String>, Rejection> {
    if ids.len() > chat_uploads::MAX_ATTACHMENTS {
        return Err(("too_many_attachments", "attachments: at most 10"));
    }
    let mut out: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        if out.iter().any(|o| o == id.as_str()) {
            return Err((
                "invalid_attachment",
                "attachments: an upload is named twice",
            ));
        }
        out.push(id.as_str().to_owned());
    }
    Ok(out)
}
