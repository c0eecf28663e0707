//! The incidents the view shows: the journal's own and those back ends keep (incident.io),
//! merged, open ones first; the one a command names; and where `I` declares new ones.

use crate::app::App;
use crate::model::SourceId;
use crate::model::incident::{Incident, IncidentStatus};

/// Where `I` declares an incident (`:declare-in`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeclareIn {
    /// The source that keeps incidents to declare it in, if any.
    pub source: Option<SourceId>,
    /// Whether the journal declares it too (always, when no source is named).
    pub also_journal: bool,
}

impl DeclareIn {
    /// Whether the journal declares it.
    pub fn journal(&self) -> bool {
        self.source.is_none() || self.also_journal
    }

    /// "incident.io (prod-inc)" / "the journal" / "prod-inc and the journal".
    pub fn said(&self) -> String {
        match (&self.source, self.also_journal) {
            (None, _) => "the journal".to_string(),
            (Some(s), false) => s.to_string(),
            (Some(s), true) => format!("{s} and the journal"),
        }
    }
}

impl App {
    /// Rebuilds the shown incidents from the journal's and each source's: open first, then
    /// newest first; the selection stays on its incident.
    pub fn merge_incidents(&mut self) {
        let mut all = self.journal_incidents.clone();
        for s in &self.sources {
            all.extend(s.incidents.iter().cloned());
        }
        all.sort_by(|a, b| {
            let resolved = |i: &Incident| i.status == IncidentStatus::Resolved;
            resolved(a)
                .cmp(&resolved(b))
                .then(b.opened_at.cmp(&a.opened_at))
        });
        self.incidents = all;
        self.move_incident(0);
    }

    /// The incident named `word`: its number (`3`, `#3`), or its reference where a back
    /// end keeps it (`INC-123`, any case).
    pub fn incident_named(&self, word: &str) -> Option<&Incident> {
        let word = word.trim();
        if let Ok(n) = word.trim_start_matches('#').parse::<i64>() {
            return self
                .incidents
                .iter()
                .find(|i| i.origin.is_none() && i.id == n);
        }
        self.incidents.iter().find(|i| {
            i.origin
                .as_ref()
                .is_some_and(|o| o.reference.eq_ignore_ascii_case(word) || o.key.0 == word)
        })
    }

    /// Sets where `I` declares: `journal`, a source that keeps incidents (by name or
    /// kind), or `SOURCE,journal` for both. Says what is wrong otherwise.
    pub fn set_declare_in(&mut self, text: &str) -> Result<(), String> {
        let mut source = None;
        let mut also_journal = false;
        for word in text.split([',', ' ', '+']).filter(|w| !w.is_empty()) {
            if word == "journal" {
                also_journal = true;
                continue;
            }
            let keeps: Vec<&SourceId> = self
                .sources
                .iter()
                .filter(|s| s.info.can.keeps_incidents)
                .filter(|s| &*s.info.id.0 == word || s.info.kind.name() == word)
                .map(|s| &s.info.id)
                .collect();
            match keeps.as_slice() {
                [one] => source = Some((*one).clone()),
                [] => {
                    let kinds = crate::sources::registry::kinds_that(|c| c.keeps_incidents);
                    return Err(format!(
                        "{word}: no source of that name or kind keeps incidents ({})",
                        kinds.join(", ")
                    ));
                }
                _ => return Err(format!("{word}: several sources; name one")),
            }
        }
        if source.is_none() && !also_journal {
            return Err(":declare-in journal | SOURCE | SOURCE,journal".into());
        }
        self.declare_in = DeclareIn {
            source,
            also_journal,
        };
        Ok(())
    }
}
