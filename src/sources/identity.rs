//! Who a back end knows the token as (PagerDuty `users/me`, Jira `myself`, GitHub `user`,
//! Grafana OnCall `users/current`): shown by `onduty check`, the header and the source
//! view, and compared with the configured `identity` — a contradiction is a warning (acks
//! and notes go out as the token's user whatever the config says).

use crate::model::sanitize;

/// A back end's user behind the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The person's name as the back end shows it.
    pub name: String,
    /// Their email, where the back end says.
    pub email: Option<String>,
    /// Their login or username, where it differs from the name.
    pub login: Option<String>,
}

/// Longest field kept (a back end's answer is untrusted).
const CAP: usize = 80;

impl Identity {
    /// From a back end's fields, cleaned of control characters and capped; empty fields
    /// are none. `None` when it names nobody.
    pub fn new(name: &str, email: Option<&str>, login: Option<&str>) -> Option<Identity> {
        let clean = |s: &str| Some(sanitize::line(s, CAP)).filter(|s| !s.trim().is_empty());
        let email = email.and_then(clean);
        let login = login.and_then(clean);
        let name = clean(name)
            .or_else(|| login.clone())
            .or_else(|| email.clone())?;
        Some(Identity { name, email, login })
    }

    /// "Ana López <ana@example.com>", "octocat (Ana López)".
    pub fn said(&self) -> String {
        let mut text = match &self.login {
            Some(login) if *login != self.name => format!("{login} ({})", self.name),
            _ => self.name.clone(),
        };
        if let Some(email) = &self.email {
            text.push_str(&format!(" <{email}>"));
        }
        text
    }

    /// Whether `who` (a configured identity) names this user: its name, login, email or
    /// the email's local part, ignoring case.
    pub fn is(&self, who: &str) -> bool {
        let who = who.trim();
        let local = self
            .email
            .as_deref()
            .and_then(|e| e.split_once('@'))
            .map(|(l, _)| l);
        [
            Some(self.name.as_str()),
            self.login.as_deref(),
            self.email.as_deref(),
            local,
        ]
        .into_iter()
        .flatten()
        .any(|n| n.eq_ignore_ascii_case(who))
    }

    /// The warning when `configured` (the config's `identity`; empty: not set) names
    /// someone else than `source`'s token does.
    pub fn contradiction(&self, source: &str, configured: &str) -> Option<String> {
        let configured = configured.trim();
        (!configured.is_empty() && !self.is(configured)).then(|| {
            format!(
                "{source} acts as {}, but identity is \"{}\": its acks and notes go out as \
                 {}",
                self.said(),
                sanitize::line(configured, CAP),
                self.name
            )
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

    use super::*;

    #[test]
    fn a_configured_identity_matches_by_name_login_email_or_its_local_part() {
        let ana =
            Identity::new("Ana López", Some("ana.lopez@example.com"), Some("alopez")).unwrap();
        for who in ["ana lópez", "ALOPEZ", "ana.lopez@example.com", "ana.lopez"] {
            assert!(ana.is(who), "{who}");
            assert_eq!(ana.contradiction("pd", who), None);
        }
        assert_eq!(
            ana.contradiction("pd", ""),
            None,
            "not set: nothing to contradict"
        );
        let warning = ana.contradiction("pd", "bo").unwrap();
        assert_eq!(
            warning,
            "pd acts as alopez (Ana López) <ana.lopez@example.com>, but identity is \"bo\": \
             its acks and notes go out as Ana López"
        );
    }

    #[test]
    fn hostile_fields_are_cleaned_and_an_empty_answer_is_nobody() {
        let odd = Identity::new("Mallory\u{1b}[2J\u{202e}", None, Some("m\u{200b}x")).unwrap();
        assert!(!odd.said().contains('\u{1b}') && !odd.said().contains('\u{202e}'));
        assert!(!odd.said().contains('\u{200b}'));
        assert_eq!(Identity::new(" ", None, None), None);
        assert_eq!(
            Identity::new("", Some("x@y.z"), None).unwrap().name,
            "x@y.z",
            "a nameless user is its email"
        );
        assert!(
            Identity::new(&"a".repeat(5000), None, None)
                .unwrap()
                .name
                .len()
                <= 4 * CAP
        );
    }
}
