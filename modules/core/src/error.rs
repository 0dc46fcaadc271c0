//! The error body of every failed request, and the internal failure type.

use poem_openapi::Object;

/// What every 4xx and 5xx response carries.
#[derive(Debug, Clone, Object, serde::Serialize, serde::Deserialize)]
pub struct ErrorBody {
    /// A stable machine-readable code, e.g. `invalid_username` or `not_found`.
    pub error: String,
    /// A sentence for people, naming the field or thing concerned.
    pub message: String,
}

impl ErrorBody {
    pub fn new(error: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            message: message.into(),
        }
    }
}

/// A failure below the HTTP layer: either something the caller did (mapped to a 4xx by
/// the handler) or infrastructure trouble (logged, answered with a bare 500).
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0}")]
    Internal(String),
    /// Too much work queued (e.g. password hashing): retry shortly.
    #[error("busy")]
    Busy,
}

impl Failure {
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::Internal(detail.into())
    }
}

impl From<redis::RedisError> for Failure {
    fn from(e: redis::RedisError) -> Self {
        crate::metrics::REDIS_ERRORS.inc();
        Self::Internal(format!("redis: {e}"))
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Self {
        Self::Internal(format!("json: {e}"))
    }
}

/// Infrastructure failures become a 500 whose detail is logged, never sent.
impl From<Failure> for poem::Error {
    fn from(f: Failure) -> Self {
        if let Failure::Busy = f {
            return poem::Error::from_status(poem::http::StatusCode::SERVICE_UNAVAILABLE);
        }
        tracing::error!(detail = %f, "internal error");
        poem::Error::from_status(poem::http::StatusCode::INTERNAL_SERVER_ERROR)
    }
}
