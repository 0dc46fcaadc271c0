//! Usernames and passwords, validated once at the edge: each type's schema in the OpenAPI
//! document and its check are written together (see [`chat_core::TextInput`]).

use chat_core::{input::string_schema, Rejection, TextInput};
use poem_openapi::registry::MetaSchema;

/// A username for a new account: 1–32 letters, digits, `.`, `_` or `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

/// A password for a new account: 8–128 characters.
#[derive(Clone)]
pub struct Password(String);

/// A username as typed at sign-in: 1–64 characters. Accounts made elsewhere (the seed's
/// server) may hold names a new account could not take, so sign-in does not check the
/// characters; an unknown name is answered like a wrong password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginName(String);

/// A password as typed at sign-in: 1–1,024 characters (older accounts may predate the
/// length rule; the cap keeps hashing cheap to refuse).
#[derive(Clone)]
pub struct LoginPassword(String);

fn chars_within(s: &str, min: usize, max: usize) -> bool {
    let n = s.chars().count();
    (min..=max).contains(&n)
}

impl TextInput for Username {
    const NAME: &'static str = "Username";

    fn schema() -> MetaSchema {
        string_schema(
            "1–32 letters, digits, `.`, `_` or `-`; unique ignoring case.",
            Some(1),
            Some(32),
            Some("^[A-Za-z0-9._-]+$"),
        )
    }

    fn parse(name: &str) -> Result<Self, Rejection> {
        let chars_ok = name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if chars_ok && chars_within(name, 1, 32) {
            Ok(Self(name.to_owned()))
        } else {
            Err((
                "invalid_username",
                "username: 1 to 32 characters, only letters, digits, '.', '_' and '-'",
            ))
        }
    }

    fn to_text(&self) -> String {
        self.0.clone()
    }
}
chat_core::text_input!(Username);

impl TextInput for Password {
    const NAME: &'static str = "Password";

    fn schema() -> MetaSchema {
        string_schema("8–128 characters.", Some(8), Some(128), None)
    }

    fn parse(password: &str) -> Result<Self, Rejection> {
        if chars_within(password, 8, 128) {
            Ok(Self(password.to_owned()))
        } else {
            Err(("invalid_password", "password: 8 to 128 characters"))
        }
    }

    fn to_text(&self) -> String {
        self.0.clone()
    }
}
chat_core::text_input!(Password);

impl TextInput for LoginName {
    const NAME: &'static str = "LoginName";

    fn schema() -> MetaSchema {
        string_schema("The account's username.", Some(1), Some(64), None)
    }

    fn parse(name: &str) -> Result<Self, Rejection> {
        if chars_within(name, 1, 64) {
            Ok(Self(name.to_owned()))
        } else {
            Err(("invalid_username", "username: 1 to 64 characters"))
        }
    }

    fn to_text(&self) -> String {
        self.0.clone()
    }
}
chat_core::text_input!(LoginName);

impl TextInput for LoginPassword {
    const NAME: &'static str = "LoginPassword";

    fn schema() -> MetaSchema {
        string_schema("The account's password.", Some(1), Some(1024), None)
    }

    fn parse(password: &str) -> Result<Self, Rejection> {
        if chars_within(password, 1, 1024) {
            Ok(Self(password.to_owned()))
        } else {
            Err(("invalid_password", "password: 1 to 1024 characters"))
        }
    }

    fn to_text(&self) -> String {
        self.0.clone()
    }
}
chat_core::text_input!(LoginPassword);

impl Username {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Password {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl LoginName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl LoginPassword {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Passwords never appear in logs.
macro_rules! secret_debug {
    ($t:ty) => {
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), "(…)"))
            }
        }
    };
}
secret_debug!(Password);
secret_debug!(LoginPassword);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert!(Username::parse("Joe").is_ok());
        assert!(Username::parse("a.b_c-d9").is_ok());
        assert!(Username::parse(&"x".repeat(32)).is_ok());
        assert!(Username::parse(&"x".repeat(33)).is_err());
        assert!(Username::parse("").is_err());
        assert!(Username::parse("a b").is_err());
        assert!(Username::parse("é").is_err());
    }

    #[test]
    fn passwords_count_characters() {
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse(&"é".repeat(128)).is_ok());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert!(LoginPassword::parse(&"é".repeat(1024)).is_ok());
        assert!(LoginPassword::parse(&"x".repeat(1025)).is_err());
        assert!(LoginName::parse(&"é".repeat(64)).is_ok());
        assert!(LoginName::parse("").is_err());
    }
}
