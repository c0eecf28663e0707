//! Insights: key figures worked out from the journal's own history — every source's alerts
//! as onduty saw them fire, get acknowledged, escalate and resolve — folded into a ledger one
//! entry at a time (`ledger`), summed up per period (`report`) with the load per responder
//! (`load`), told as tables (`tables`). The view `9` and `onduty insights` share all of it.

pub mod analytics;
pub mod ledger;
pub mod load;
pub mod report;
pub mod stats;
pub mod tables;

#[cfg(test)]
mod tests;
