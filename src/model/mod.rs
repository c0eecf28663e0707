//! The back-end-neutral model: plain data that does not depend on any back end or the UI.
//! Outside text is sanitized when a model value is built (see `sanitize`), once.

mod alert;
pub mod borrowed;
mod entry;
mod escalation;
pub mod incident;
mod labels;
mod note;
pub mod problem;
mod rule;
pub mod sanitize;
mod severity;
mod silence;
mod status;
mod ticket;
mod ticket_link;
pub mod window;

pub use alert::{
    Alert, AlertDraft, AlertKey, Clean, Escalation, FIRES_AT, ITS_PAGE, Link, OCCURRENCES, Share,
    SourceId, TextDraft,
};
pub use entry::{Entry, EntryKind};
pub use escalation::{EscalationLevel, EscalationPolicy, EscalationState, OnCall, Schedule};
pub use labels::{Interner, Labels, ValuesOf};
pub use note::{Note, Related};
pub use rule::{AlertRule, RawRule, RawRuleAlert, RuleAlert};
pub use severity::Severity;
pub use silence::{
    ACK_MARK, ACK_PREFIX, Matcher, Silence, SilenceState, ack_comment, is_ack_comment,
};
pub use status::Status;
pub use ticket::{
    COMMENTS_KEPT, DEFAULT_TICKET_LABELS, RawComment, Ticket, TicketDraft, TicketState,
    marker_line, new_marker, references,
};
pub use ticket_link::TicketLink;
