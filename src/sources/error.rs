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
