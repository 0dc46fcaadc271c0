//! Usernames and passwords, validated once at the edge.

use validator::{Validate, ValidationError};

/// A valid username: 1–32 letters, digits, `.`, `_` or `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

/// A valid password: 8–128 characters.
#[derive(Clone)]
pub struct Password(String);

#[derive(Validate)]
struct Credentials<'a> {
    #[validate(length(min = 1, max = 32), custom(function = "username_chars"))]
    username: &'a str,
    #[validate(length(min = 8, max = 128))]
    password: &'a str,
}

fn username_chars(name: &str) -> Result<(), ValidationError> {
    if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        Ok(())
    } else {
        Err(ValidationError::new("chars"))
    }
}

/// Why a field was refused: `(error code, message)`.
pub type Rejection = (&'static str, &'static str);

impl Username {
    pub fn parse(name: &str) -> Result<Self, Rejection> {
        let c = Credentials {
            username: name,
            password: "xxxxxxxx",
        };
        match c.validate() {
            Ok(()) => Ok(Self(name.to_owned())),
            Err(_) => Err((
                "invalid_username",
                "username: 1 to 32 characters, only letters, digits, '.', '_' and '-'",
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Password {
    pub fn parse(password: &str) -> Result<Self, Rejection> {
        let c = Credentials {
            username: "x",
            password,
        };
        match c.validate() {
            Ok(()) => Ok(Self(password.to_owned())),
            Err(_) => Err(("invalid_password", "password: 8 to 128 characters")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

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
    }
}
