//! Inputs with a declared shape: each type states its JSON Schema (what the OpenAPI document
//! promises) and its check (what the server enforces) side by side, once, and both the REST
//! layer and the WebSocket layer parse through the same check.
//!
//! A refusal carries a stable error code and a sentence naming the field. poem-openapi
//! turns a parse failure into its own error type holding only a string, so the code rides
//! in that string behind a separator that never occurs in user text; [`refusal`] reads it
//! back when the HTTP layer writes the `{error, message}` body.

use poem::http::StatusCode;
use poem_openapi::registry::MetaSchema;

use crate::ErrorBody;

/// Why an input was refused: `(error code, sentence naming the field)`.
pub type Rejection = (&'static str, &'static str);

/// A string input whose accepted values are exactly those its schema describes.
pub trait TextInput: Sized + Send + Sync + 'static {
    /// The name poem-openapi uses for the type in its own messages.
    const NAME: &'static str;

    /// The schema of accepted strings: `type: string` with lengths, pattern, description.
    fn schema() -> MetaSchema;

    /// Checks a string; the refusal names the field.
    fn parse(s: &str) -> Result<Self, Rejection>;

    /// The value as the text it was parsed from.
    fn to_text(&self) -> String;
}

/// A string schema with the given bounds (in characters) and pattern.
///
/// A pattern ending in `$` gets `(?!\n)` after it: in ECMA-262 (what JSON Schema specifies)
/// `$` is the end of the text, but Python's `re` (jsonschema, schemathesis) also lets it
/// match before a final line break, so `"Joe\n"` would pass there and be refused here.
pub fn string_schema(
    description: &'static str,
    min_length: Option<usize>,
    max_length: Option<usize>,
    pattern: Option<&str>,
) -> MetaSchema {
    let pattern = pattern.map(|p| match p.strip_suffix('$') {
        Some(_) => format!(r"{p}(?!\n)"),
        None => p.to_owned(),
    });
    MetaSchema {
        description: Some(description),
        min_length,
        max_length,
        pattern,
        ..MetaSchema::new("string")
    }
}

const SEP: char = '\u{1f}';

/// The text of a parse error that carries a refusal's code (see the module docs).
pub fn encode((code, message): Rejection) -> String {
    format!("{SEP}{code}{SEP}{message}")
}

/// The status and body for an input that poem-openapi refused before a handler ran:
/// refusals of a [`TextInput`] keep their code (`not_found` answers 404); poem-openapi's
/// own (a number where a string belongs, a missing field of another type) are
/// `invalid_request` with its sentence.
pub fn refusal(err: &poem::Error) -> Option<(StatusCode, ErrorBody)> {
    use poem_openapi::error::{ParseParamError, ParsePathError, ParseRequestPayloadError};
    let (param, reason) = if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
        (None, e.reason.as_str())
    } else if let Some(e) = err.downcast_ref::<ParseParamError>() {
        (Some(e.name), e.reason.as_str())
    } else if let Some(e) = err.downcast_ref::<ParsePathError>() {
        // Path parameters are named `param0`, … inside poem-openapi: say "path".
        (Some("path"), e.reason.as_str())
    } else {
        return None;
    };
    if let Some((code, message)) = reason
        .split_once(SEP)
        .and_then(|(_, rest)| rest.split_once(SEP))
    {
        // poem-openapi appends where a nested field failed: our sentence already names it.
        let message = message
            .split(" (occurred while parsing")
            .next()
            .unwrap_or(message);
        let status = if code == "not_found" {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::BAD_REQUEST
        };
        return Some((status, ErrorBody::new(code, message)));
    }
    Some((
        StatusCode::BAD_REQUEST,
        match param {
            Some(name) => ErrorBody::new(format!("invalid_{name}"), format!("{name}: {reason}")),
            None => ErrorBody::new("invalid_request", format!("body: {reason}")),
        },
    ))
}

/// Implements poem-openapi's `Type`, `ParseFromJSON`, `ParseFromParameter` and `ToJSON` for
/// a [`TextInput`]: only JSON strings are accepted (a number is not a name), and a missing
/// value is refused by the type's own check of `""`.
#[macro_export]
macro_rules! text_input {
    ($t:ty) => {
        impl $crate::input::__private::Type for $t {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> ::std::borrow::Cow<'static, str> {
                <$t as $crate::input::TextInput>::NAME.into()
            }

            fn schema_ref() -> $crate::input::__private::MetaSchemaRef {
                $crate::input::__private::MetaSchemaRef::Inline(::std::boxed::Box::new(
                    <$t as $crate::input::TextInput>::schema(),
                ))
            }

            fn as_raw_value(&self) -> Option<&Self> {
                Some(self)
            }

            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
                Box::new(::std::iter::once(self))
            }
        }

        impl $crate::input::__private::ParseFromJSON for $t {
            fn parse_from_json(
                value: Option<$crate::input::__private::Value>,
            ) -> $crate::input::__private::ParseResult<Self> {
                use $crate::input::{__private::Value, encode, TextInput};
                match value {
                    Some(Value::String(s)) => <$t as TextInput>::parse(&s),
                    // Not a string: refused as the empty string is, naming the field.
                    _ => match <$t as TextInput>::parse("") {
                        Ok(_) => Err(("invalid_request", "expected a string")),
                        Err(r) => Err(r),
                    },
                }
                .map_err(|r| $crate::input::__private::ParseError::custom(encode(r)))
            }
        }

        impl $crate::input::__private::ParseFromParameter for $t {
            fn parse_from_parameter(value: &str) -> $crate::input::__private::ParseResult<Self> {
                <$t as $crate::input::TextInput>::parse(value).map_err(|r| {
                    $crate::input::__private::ParseError::custom($crate::input::encode(r))
                })
            }
        }

        impl $crate::input::__private::ToJSON for $t {
            fn to_json(&self) -> Option<$crate::input::__private::Value> {
                Some($crate::input::__private::Value::String(
                    <$t as $crate::input::TextInput>::to_text(self),
                ))
            }
        }
    };
}

#[doc(hidden)]
pub mod __private {
    pub use poem_openapi::{
        registry::MetaSchemaRef,
        types::{ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type},
    };
    pub use serde_json::Value;
}

/// Longest ban reason, in characters.
pub const MAX_BAN_REASON: usize = 500;

/// Why a user is banned, from a room or from the site: up to 500 characters, no control characters but line breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanReason(String);

impl BanReason {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TextInput for BanReason {
    const NAME: &'static str = "BanReason";

    fn schema() -> MetaSchema {
        string_schema(
            "Why: up to 500 characters (stored trimmed), no control characters but line \
             breaks.",
            Some(0),
            Some(MAX_BAN_REASON),
            Some(r"^[^\u0000-\u0009\u000B-\u001F\u007F-\u009F]*$"),
        )
    }

    fn parse(s: &str) -> Result<Self, Rejection> {
        if s.chars().nth(MAX_BAN_REASON).is_some() || s.chars().any(|c| c.is_control() && c != '\n')
        {
            return Err((
                "invalid_reason",
                "reason: up to 500 characters, no control characters but line breaks",
            ));
        }
        Ok(Self(s.trim().to_owned()))
    }

    fn to_text(&self) -> String {
        self.0.clone()
    }
}
crate::text_input!(BanReason);
