//! What an incident.io organisation calls its severities, statuses and roles, and how they
//! map to onduty's (SEV1..SEV4; investigating, identified, monitoring, resolved; IC, scribe,
//! comms) both ways: to show its incidents, and to change them.

use super::wire;
use crate::model::incident::{IncidentStatus, Role};

/// The organisation's severities, statuses and roles, as last read.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// Severities, worst first.
    pub severities: Vec<wire::Severity>,
    /// Statuses, in rank order.
    pub statuses: Vec<wire::Status>,
    /// Roles.
    pub roles: Vec<wire::RoleRef>,
}

/// The categories of an incident that is not over.
pub const OPEN_CATEGORIES: [&str; 3] = ["triage", "live", "paused"];

impl Catalog {
    /// A catalog from what the API listed: severities sorted worst first, statuses by rank.
    pub fn new(
        mut severities: Vec<wire::Severity>,
        mut statuses: Vec<wire::Status>,
        roles: Vec<wire::RoleRef>,
    ) -> Catalog {
        severities.sort_by_key(|s| std::cmp::Reverse(s.rank));
        statuses.sort_by_key(|s| s.rank);
        Catalog {
            severities,
            statuses,
            roles,
        }
    }

    /// SEV1..SEV4 of `severity`: its place among the organisation's, worst first (the
    /// fourth and below are SEV4); 3 when it is unknown.
    pub fn sev(&self, severity: Option<&wire::Severity>) -> u8 {
        let Some(s) = severity else {
            return 3;
        };
        match self.severities.iter().position(|c| c.id == s.id) {
            Some(at) => u8::try_from(at + 1).unwrap_or(4).min(4),
            None => 3,
        }
    }

    /// The severity to set for SEV `n`: the nth worst (the least severe when there are
    /// fewer).
    pub fn severity_for(&self, n: u8) -> Option<&wire::Severity> {
        let at = usize::from(n.clamp(1, 4) - 1);
        self.severities.get(at).or_else(|| self.severities.last())
    }

    /// The status to set for `status`: one named like it, else by category (the first,
    /// second and last live status for investigating, identified and monitoring; the
    /// post-incident flow's first status, else a closed one, for resolved).
    pub fn status_for(&self, status: IncidentStatus) -> Option<&wire::Status> {
        if let Some(named) = self
            .statuses
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(status.name()))
        {
            return Some(named);
        }
        let live: Vec<&wire::Status> = self
            .statuses
            .iter()
            .filter(|s| s.category == "live")
            .collect();
        match status {
            IncidentStatus::Investigating => live.first().copied(),
            IncidentStatus::Identified => live.get(1).or(live.first()).copied(),
            IncidentStatus::Monitoring => live.last().copied(),
            IncidentStatus::Resolved => self
                .statuses
                .iter()
                .find(|s| s.category == "learning")
                .or_else(|| self.statuses.iter().find(|s| s.category == "closed")),
        }
    }

    /// The role for onduty's `role`: the lead role for the commander, else one named like
    /// it ("Scribe", "Communications Lead").
    pub fn role_for(&self, role: Role) -> Option<&wire::RoleRef> {
        self.roles.iter().find(|r| match role {
            Role::Commander => r.role_type == "lead",
            Role::Scribe => r.role_type == "custom" && has_word(r, "scribe"),
            Role::Comms => r.role_type == "custom" && has_word(r, "comm"),
        })
    }
}

fn has_word(r: &wire::RoleRef, word: &str) -> bool {
    r.name.to_ascii_lowercase().contains(word) || r.shortform.to_ascii_lowercase().contains(word)
}

/// onduty's status of an incident in `status`: by its name when it is one of onduty's
/// ("Monitoring"), "Fixing" as identified, else by its category.
pub fn status_of(status: Option<&wire::Status>) -> IncidentStatus {
    let Some(s) = status else {
        return IncidentStatus::Investigating;
    };
    if let Some(named) = IncidentStatus::ALL
        .into_iter()
        .find(|o| s.name.eq_ignore_ascii_case(o.name()))
    {
        return named;
    }
    match s.category.as_str() {
        _ if s.name.eq_ignore_ascii_case("fixing") => IncidentStatus::Identified,
        c if OPEN_CATEGORIES.contains(&c) => IncidentStatus::Investigating,
        _ => IncidentStatus::Resolved,
    }
}

/// onduty's role a role of incident.io's is, if any.
pub fn role_of(r: &wire::RoleRef) -> Option<Role> {
    match r.role_type.as_str() {
        "lead" => Some(Role::Commander),
        "custom" if has_word(r, "scribe") => Some(Role::Scribe),
        "custom" if has_word(r, "comm") => Some(Role::Comms),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sev(id: &str, rank: i64) -> wire::Severity {
        wire::Severity {
            id: id.into(),
            name: id.into(),
            rank,
        }
    }

    fn status(name: &str, category: &str, rank: i64) -> wire::Status {
        wire::Status {
            id: name.to_ascii_lowercase(),
            name: name.into(),
            category: category.into(),
            rank,
        }
    }

    fn catalog() -> Catalog {
        Catalog::new(
            vec![sev("minor", 1), sev("critical", 3), sev("major", 2)],
            vec![
                status("Closed", "closed", 6),
                status("Investigating", "live", 2),
                status("Triage", "triage", 1),
                status("Fixing", "live", 3),
                status("Watching", "live", 4),
                status("Documenting", "learning", 5),
            ],
            Vec::new(),
        )
    }

    #[test]
    fn severities_count_from_the_worst() {
        let c = catalog();
        assert_eq!(c.sev(Some(&sev("critical", 0))), 1);
        assert_eq!(c.sev(Some(&sev("minor", 0))), 3);
        assert_eq!(c.sev(Some(&sev("unheard-of", 0))), 3);
        assert_eq!(c.severity_for(2).map(|s| s.id.as_str()), Some("major"));
        assert_eq!(
            c.severity_for(4).map(|s| s.id.as_str()),
            Some("minor"),
            "fewer than four: the least severe"
        );
    }

    #[test]
    fn statuses_map_by_name_then_category_both_ways() {
        let c = catalog();
        let id = |s: IncidentStatus| c.status_for(s).map(|s| s.name.clone());
        assert_eq!(
            id(IncidentStatus::Investigating).as_deref(),
            Some("Investigating")
        );
        assert_eq!(id(IncidentStatus::Identified).as_deref(), Some("Fixing"));
        assert_eq!(id(IncidentStatus::Monitoring).as_deref(), Some("Watching"));
        assert_eq!(id(IncidentStatus::Resolved).as_deref(), Some("Documenting"));
        assert_eq!(
            status_of(Some(&status("Fixing", "live", 0))),
            IncidentStatus::Identified
        );
        assert_eq!(
            status_of(Some(&status("Watching", "live", 0))),
            IncidentStatus::Investigating
        );
        assert_eq!(
            status_of(Some(&status("Monitoring", "live", 0))),
            IncidentStatus::Monitoring
        );
        assert_eq!(
            status_of(Some(&status("Done", "closed", 0))),
            IncidentStatus::Resolved
        );
        assert_eq!(
            status_of(Some(&status("Triage", "triage", 0))),
            IncidentStatus::Investigating
        );
    }
}
