//! Insights (issue 31, begun): key figures worked out from the journal's own history — every
//! source's alerts as onduty saw them fire, get acknowledged and resolve. So far the
//! response figures (time to acknowledge and to resolve, per service) and the noisiest
//! alerts; the view (`9`), `onduty insights`, the load per responder and problems follow.

pub mod response;
pub mod stats;
