//! What can go wrong talking to a back end, in words a responder can act on.

/// A source error. Its text is shown in the UI, so it never contains a secret.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// The back end did not answer in time.
    #[error("timed out after {0:?}")]
    Timeout(std::time::Duration),
    /// The back end answered with an HTTP error status.
    #[error("HTTP {status}: {message}")]
    Http {
        /// The status code.
        status: u16,
        /// What the back end said, sanitized and shortened.
        message: String,
    },
    /// The answer could not be decoded.
    #[error("could not decode the answer: {0}")]
    Decode(String),
    /// The back end refused our credentials.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The back end refused the operation (for instance, the alert is already resolved).
    #[error("{0}")]
    Rejected(String),
    /// The connection failed.
    #[error("connection failed: {0}")]
    Connect(String),
    /// HTTP 429: the back end asks us to slow down, for this long when it said.
    #[error("rate limited (HTTP 429){}", retry_after_words(.0))]
    RateLimited(Option<std::time::Duration>),
}

/// Longest `Retry-After` honoured: a hostile or broken back end cannot park a source for days.
pub const RETRY_AFTER_CAP: std::time::Duration = std::time::Duration::from_secs(3600);

fn retry_after_words(after: &Option<std::time::Duration>) -> String {
    match after {
        Some(d) => format!("; retrying after {}s", d.as_secs()),
        None => String::new(),
    }
}

/// Reads a `Retry-After` value: delay-seconds or an HTTP date, capped at `RETRY_AFTER_CAP`.
pub fn parse_retry_after(
    value: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<std::time::Duration> {
    let value = value.trim();
    let after = match value.parse::<u64>() {
        Ok(secs) => std::time::Duration::from_secs(secs),
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
            (at.with_timezone(&chrono::Utc) - now)
                .to_std()
                .unwrap_or_default()
        }
    };
    Some(after.min(RETRY_AFTER_CAP))
}

impl Error {
    /// Whether trying again later may succeed (the back end was down, slow or overloaded),
    /// as opposed to a refusal that will not change.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Timeout(_) | Error::Connect(_) | Error::RateLimited(_) => true,
            Error::Http { status, .. } => *status == 408 || *status >= 500,
            Error::Decode(_) | Error::Auth(_) | Error::Rejected(_) => false,
        }
    }

    /// Whether the back end refused the request itself (401, 403, 404, other 4xx): asking
    /// again unchanged gets the same answer, so a poll is not retried until told to.
    pub fn is_refusal(&self) -> bool {
        match self {
            Error::Auth(_) => true,
            Error::Http { status, .. } => (400..500).contains(status) && *status != 408,
            _ => false,
        }
    }
}

/// Why a command did not happen, as the UI and the outbox need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The back end's reason, one line, without secrets.
    pub message: String,
    /// Whether a retry later may succeed.
    pub is_transient: bool,
}

impl From<&Error> for Failure {
    fn from(e: &Error) -> Failure {
        Failure {
            message: e.to_string(),
            is_transient: e.is_transient(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
