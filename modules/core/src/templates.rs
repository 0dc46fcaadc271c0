//! Events whose JSON a Lua script completes: built here, once, from typed values, with the
//! holes the script fills (a message's date, a reaction's count and version). What the
//! script publishes and what this instance delivers are then the same bytes, and the
//! script never assembles JSON of its own.

use crate::protocol::{Attachment, Message, ReactionChanged, ReplyQuote};

/// A message's JSON around its `date`: `head` + date + tail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageJson {
    /// `{"id":"…","from":"…","date":`
    pub head: String,
    /// After the date, as stored: a reply's parent as its id alone.
    pub stored_tail: String,
    /// After the date, as published and answered: a reply's parent quoted. `None`: the
    /// same as stored.
    pub published_tail: Option<String>,
}

impl MessageJson {
    /// The template of a new `message` (whose `date` is ignored: the script picks it; a
    /// new message is neither edited, deleted nor reacted to).
    pub fn of(message: &Message) -> serde_json::Result<Self> {
        /// A new message's fields, in the order messages have always been stored in.
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct New<'a> {
            id: &'a str,
            from: &'a str,
            date: f64,
            message: &'a str,
            room_id: &'a str,
            #[serde(skip_serializing_if = "<[String]>::is_empty")]
            mentions: &'a [String],
            #[serde(skip_serializing_if = "Option::is_none")]
            reply_to: Option<&'a ReplyQuote>,
            #[serde(skip_serializing_if = "<[Attachment]>::is_empty")]
            attachments: &'a [Attachment],
        }
        let stored_quote = message.reply_to.as_ref().map(ReplyQuote::id_only);
        let new = New {
            id: &message.id,
            from: &message.from,
            date: 0.0,
            message: &message.message,
            room_id: &message.room_id,
            mentions: &message.mentions,
            reply_to: stored_quote.as_ref(),
            attachments: &message.attachments,
        };
        let (head, stored_tail) = split_at_date(&serde_json::to_string(&new)?);
        let published_tail = match &message.reply_to {
            Some(quote) => Some(
                split_at_date(&serde_json::to_string(&New {
                    reply_to: Some(quote),
                    ..new
                })?)
                .1,
            ),
            None => None,
        };
        Ok(Self {
            head,
            stored_tail,
            published_tail,
        })
    }

    /// The JSON as published, with `date` as the script wrote it.
    pub fn published(&self, date: &str) -> String {
        let tail = self.published_tail.as_deref().unwrap_or(&self.stored_tail);
        let mut json = String::with_capacity(self.head.len() + date.len() + tail.len());
        json.push_str(&self.head);
        json.push_str(date);
        json.push_str(tail);
        json
    }
}

/// Splits a message's JSON at its date, `0.0`: the fields before it (`id`, `from`) are
/// strings of hex and digits, so the first `"date":0.0` is the field.
fn split_at_date(json: &str) -> (String, String) {
    const DATE: &str = r#""date":0.0"#;
    let at = json.find(DATE).expect("a message serializes its date");
    let cut = at + DATE.len() - "0.0".len();
    (json[..cut].to_owned(), json[at + DATE.len()..].to_owned())
}

/// A `reaction.changed`'s JSON around its `count` and `version`:
/// `head` + count + `middle` + version + `tail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionJson {
    pub head: String,
    pub middle: String,
    pub tail: String,
}

impl ReactionJson {
    /// The template of `event` (whose `count` and `version` are ignored: the script picks
    /// them).
    pub fn of(event: &ReactionChanged) -> serde_json::Result<Self> {
        // Serialized with sentinels no other field can hold (the strings are quoted, the
        // sentinels are bare numbers right after their keys).
        let json = serde_json::to_string(&ReactionChanged {
            count: 0,
            version: 0,
            ..event.clone()
        })?;
        let (head, rest) = json
            .split_once(r#""count":0"#)
            .expect("a reaction event serializes its count");
        let (middle, tail) = rest
            .rsplit_once(r#""version":0"#)
            .expect("a reaction event serializes its version");
        Ok(Self {
            head: format!(r#"{head}"count":"#),
            middle: format!(r#"{middle}"version":"#),
            tail: tail.to_owned(),
        })
    }

    /// The event's JSON with the numbers the script picked.
    pub fn fill(&self, count: u32, version: u64) -> String {
        format!("{}{count}{}{version}{}", self.head, self.middle, self.tail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_template_dated_reads_as_the_message() {
        let message = Message {
            id: "0190aa".into(),
            from: "3".into(),
            date: 0.0,
            message: "say \"date\":0.0 \u{1f600}".into(),
            room_id: "1:3".into(),
            mentions: vec!["1".into()],
            reply_to: Some(ReplyQuote {
                id: "0190a0".into(),
                from: Some("1".into()),
                message: Some("earlier".into()),
                deleted: None,
            }),
            ..Message::default()
        };
        let t = MessageJson::of(&message).unwrap();
        let published: Message = serde_json::from_str(&t.published("1764316000.125")).unwrap();
        assert_eq!(
            published,
            Message {
                date: 1764316000.125,
                ..message.clone()
            }
        );
        let stored = format!("{}1764316000.125{}", t.head, t.stored_tail);
        let stored = Message::parse_stored(&stored).unwrap();
        assert_eq!(
            stored.reply_to,
            Some(ReplyQuote::id_only(&message.reply_to.unwrap()))
        );
        assert_eq!(stored.message, message.message);
    }

    #[test]
    fn a_reaction_template_filled_reads_as_the_event() {
        let event = ReactionChanged {
            room_id: "7".into(),
            message_id: "0190aa".into(),
            emoji: "👍".into(),
            count: 3,
            user_id: "2".into(),
            added: true,
            version: 12,
        };
        let t = ReactionJson::of(&event).unwrap();
        assert_eq!(t.fill(3, 12), serde_json::to_string(&event).unwrap());
    }
}
