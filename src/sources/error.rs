//! What can go wrong talking to a back end, in words a responder can act on.

/// A source error. Its text is shown in the UI, logged and journaled, so its `Display` and
/// `Debug` pass through the one scrubber (`config::redact`): a back end's words that echo a
/// credential in any form, through whichever variant a back end chose, never get out.
#[derive(Clone, PartialEq, Eq)]
pub enum Error {
    /// The back end did not answer in time.
    Timeout(std::time::Duration),
    /// The back end answered with an HTTP error status.
    Http {
        /// The status code.
        status: u16,
        /// What the back end said, sanitized and shortened.
        message: String,
    },
    /// The answer could not be decoded.
    Decode(String),
    /// The back end refused our credentials.
    Auth(String),
    /// The back end refused the operation (for instance, the alert is already resolved).
    Rejected(String),
    /// The connection failed.
    Connect(String),
    /// HTTP 429: the back end asks us to slow down, for this long when it said.
    RateLimited(Option<std::time::Duration>),
    /// The alert is not there, but may be soon: the back end restarted after the action was
    /// queued and its senders have not re-sent it yet. Retried until the back end's grace
    /// time is over; for an action queued after the restart, it is `refusal`.
    NotYetBack {
        /// Why it waits, in words.
        message: String,
        /// When the back end (re)started.
        restarted_at: chrono::DateTime<chrono::Utc>,
        /// The reason it fails with when it was queued after the restart.
        refusal: String,
    },
}

impl Error {
    /// The text before scrubbing.
    fn raw_text(&self) -> String {
        match self {
            Error::Timeout(d) => format!("timed out after {d:?}"),
            Error::Http { status, message } => format!("HTTP {status}: {message}"),
            Error::Decode(m) => format!("could not decode the answer: {m}"),
            Error::Auth(m) => format!("authentication failed: {m}"),
            Error::Rejected(m) => m.clone(),
            Error::Connect(m) => format!("connection failed: {m}"),
            Error::NotYetBack { message, .. } => {
                format!("waiting for the alert to come back: {message}")
            }
            Error::RateLimited(after) => {
                format!("rate limited (HTTP 429){}", retry_after_words(after))
            }
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::config::redact::scrub(&self.raw_text()))
    }
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Error({self})")
    }
}

impl std::error::Error for Error {}

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
            Error::Timeout(_)
            | Error::Connect(_)
            | Error::RateLimited(_)
            | Error::NotYetBack { .. } => true,
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
    /// Transient only for an action queued before this time (the back end restarted then
    /// and may not hold the alert yet); for one queued after, the refusal given.
    pub only_if_queued_before: Option<(chrono::DateTime<chrono::Utc>, String)>,
}

impl Failure {
    /// A failure with no condition on when the action was queued.
    pub fn new(message: impl Into<String>, is_transient: bool) -> Failure {
        Failure {
            message: shown(&message.into()),
            is_transient,
            only_if_queued_before: None,
        }
    }

    /// What this failure means for an action queued at `queued_at`: an absent alert after a
    /// restart is worth waiting for only when the action predates the restart (it was queued
    /// during the outage); an `onduty ack` of a key that is not there is refused at once.
    pub fn for_action_queued_at(self, queued_at: chrono::DateTime<chrono::Utc>) -> Failure {
        match self.only_if_queued_before {
            Some((restarted, refusal)) if queued_at >= restarted => {
                Failure::new(crate::config::redact::scrub(&refusal), false)
            }
            _ => self,
        }
    }
}

impl From<&Error> for Failure {
    fn from(e: &Error) -> Failure {
        let only_if_queued_before = match e {
            Error::NotYetBack {
                restarted_at,
                refusal,
                ..
            } => Some((*restarted_at, refusal.clone())),
            _ => None,
        };
        Failure {
            message: shown(&e.to_string()),
            is_transient: e.is_transient(),
            only_if_queued_before,
        }
    }
}

/// A back end's words as the responder is shown them (and the journal keeps them): one safe
/// line, made once here.
fn shown(message: &str) -> String {
    crate::model::sanitize::line(message, crate::model::sanitize::LABEL_CAP)
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
