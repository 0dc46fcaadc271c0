//! Password hashing: argon2id with OWASP parameters, on the blocking pool.

use std::sync::LazyLock;

use argon2::{
    password_hash::{PasswordHasher, PasswordVerifier},
    Algorithm, Argon2, Params, Version,
};
use chat_core::Failure;

/// OWASP's recommendation: argon2id, m = 19 MiB, t = 2, p = 1.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash to verify against when the user does not exist, so that an unknown user and a
/// wrong password take about the same time.
static DUMMY: LazyLock<String> =
    LazyLock::new(|| hash_now("not a real password").unwrap_or_default());

fn hash_now(password: &str) -> Result<String, Failure> {
    let mut salt = [0u8; 16];
    rand::fill(&mut salt);
    hasher()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Failure::internal(format!("argon2: {e}")))
}

/// Hashes a password on the blocking pool.
pub async fn hash(password: String) -> Result<String, Failure> {
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|e| Failure::internal(format!("hash task: {e}")))?
}

/// What a stored hash said about a password.
pub enum Verdict {
    Valid { upgrade: bool },
    Invalid,
}

/// Verifies a password against an argon2 PHC string or a seed-written bcrypt hash, on the
/// blocking pool. `None` for the stored hash burns the same time and says `Invalid`.
pub async fn verify(password: String, stored: Option<String>) -> Result<Verdict, Failure> {
    tokio::task::spawn_blocking(move || {
        let Some(stored) = stored else {
            let _ = verify_argon2(&password, &DUMMY);
            return Verdict::Invalid;
        };
        if stored.starts_with("$2a$") || stored.starts_with("$2b$") || stored.starts_with("$2y$") {
            return match bcrypt::verify(&password, &stored) {
                Ok(true) => Verdict::Valid { upgrade: true },
                _ => Verdict::Invalid,
            };
        }
        if verify_argon2(&password, &stored) {
            Verdict::Valid { upgrade: false }
        } else {
            Verdict::Invalid
        }
    })
    .await
    .map_err(|e| Failure::internal(format!("verify task: {e}")))
}

fn verify_argon2(password: &str, stored: &str) -> bool {
    PasswordVerifier::<str>::verify_password(&hasher(), password.as_bytes(), stored).is_ok()
}

/// Warms the dummy hash so the first unknown-user login is not slower than the rest.
pub fn warm_up() {
    tokio::task::spawn_blocking(|| LazyLock::force(&DUMMY));
}
