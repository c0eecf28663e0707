//! What the journal's database lets this dashboard do, applied at start: a reader's
//! dashboard (journal role viewer) offers no action, and a responder writes as the name the
//! database signs its rows with — the one every other dashboard will show.

use super::App;
use crate::journal::roles::Access;

impl App {
    /// Applies `access`; `configured` is the config's `identity` (empty: not set).
    pub fn apply_journal_access(&mut self, access: &Access, configured: &str) {
        if let Some(reason) = access.read_only_reason() {
            self.settings.is_read_only = true;
            self.banner = Some(format!("read-only: {reason}"));
            self.settings.read_only_reason = Some(reason);
        }
        if let Some(warning) = access.contradiction(configured) {
            self.banner.get_or_insert(warning);
        }
        if let Some(signed) = &access.stamped_as {
            self.settings.identity.clone_from(signed);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

    use super::*;
    use crate::journal::roles::JournalRole;

    fn access(role: JournalRole, may_append: bool, signed: Option<&str>) -> Access {
        Access {
            db_user: Some("ana".into()),
            role: Some(role),
            may_read: true,
            may_append,
            may_rewrite: false,
            stamped_as: signed.map(str::to_string),
        }
    }

    #[test]
    fn a_viewer_dashboard_is_read_only_and_says_why() {
        let mut app = crate::testing::demo_app(10, 80, 24);
        app.banner = None;
        app.apply_journal_access(&access(JournalRole::Viewer, false, None), "");
        assert!(app.settings.is_read_only);
        assert_eq!(
            app.banner.as_deref(),
            Some("read-only: your journal role is viewer")
        );
        app.toast = None;
        app.update(crate::app::Action::Run(crate::app::Command::Acknowledge));
        let toast = app
            .toast
            .as_ref()
            .map(|t| t.text.clone())
            .unwrap_or_default();
        assert_eq!(toast, "read-only: your journal role is viewer");
    }

    #[test]
    fn a_responder_writes_as_the_database_signs_and_a_contradicting_identity_is_told() {
        let mut app = crate::testing::demo_app(10, 80, 24);
        app.banner = None;
        app.apply_journal_access(&access(JournalRole::Responder, true, Some("Ana L")), "bo");
        assert!(!app.settings.is_read_only);
        assert_eq!(app.settings.identity, "Ana L");
        assert!(
            app.banner
                .as_deref()
                .unwrap()
                .contains("signs your rows as Ana L"),
            "{:?}",
            app.banner
        );
        let mut app = crate::testing::demo_app(10, 80, 24);
        app.banner = None;
        app.apply_journal_access(&access(JournalRole::Responder, true, Some("ana")), "ana");
        assert_eq!(app.banner, None);
    }
}
