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
}

impl Error {
    /// Whether trying again later may succeed (the back end was down, slow or overloaded),
    /// as opposed to a refusal that will not change.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Timeout(_) | Error::Connect(_) => true,
            Error::Http { status, .. } => *status == 429 || *status >= 500,
            Error::Decode(_) | Error::Auth(_) | Error::Rejected(_) => false,
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
