//! Every back end, one line each: the one place that maps a config `kind` to its back end
//! (what it can do, how its keys are checked, how a source of it is built).

use super::backend::{AnySource, Backend, Misconfigured, Setting};
use super::{
    Capabilities, alertmanager, command, demo, github, grafana_oncall, incident_io, jira, json,
    opsgenie, pagerduty, prometheus, servicenow, splunk_oncall, zendesk,
};
use crate::config::read::Problem;
use crate::config::source::{SourceConfig, SourceKind};
use crate::model::SourceId;

/// Every back end, one line each.
static BACKENDS: &[Backend] = &[
    demo::BACKEND,
    alertmanager::BACKEND,
    pagerduty::BACKEND,
    jira::BACKEND,
    github::BACKEND,
    servicenow::BACKEND,
    opsgenie::BACKEND,
    opsgenie::JSM_BACKEND,
    prometheus::BACKEND,
    grafana_oncall::BACKEND,
    splunk_oncall::BACKEND,
    incident_io::BACKEND,
    command::BACKEND,
    json::BACKEND,
    zendesk::BACKEND,
];

/// The back end of `kind`, if there is one.
fn backend(kind: &SourceKind) -> Option<&'static Backend> {
    BACKENDS.iter().find(|b| b.kind == *kind)
}

/// The registered kind called `name`.
pub fn kind_named(name: &str) -> Option<SourceKind> {
    BACKENDS
        .iter()
        .find(|b| b.kind.name() == name)
        .map(|b| b.kind.clone())
}

/// What a back end of `kind` can do, as its folder declares it (nothing, for no back end).
pub fn capabilities(kind: &SourceKind) -> Capabilities {
    backend(kind).map_or(Capabilities::NONE, |b| b.can)
}

/// What `onduty check` advises about `source`, from its back end (how to move off an API
/// being switched off).
pub fn advice(source: &SourceConfig) -> Option<String> {
    backend(&source.kind).and_then(|b| (b.advice)(source))
}

/// The runbooks a back end of `kind` brings along.
pub fn runbooks(kind: &SourceKind) -> Vec<crate::runbook::Entry> {
    backend(kind).map(|b| (b.runbooks)()).unwrap_or_default()
}

/// The problems of `source`: an unknown kind, or its back end's keys.
pub fn check(source: &SourceConfig) -> Vec<Problem> {
    match backend(&source.kind) {
        Some(b) => {
            let mut problems = (b.check)(source);
            if source.mine_only && !b.can.assigns {
                problems.push(Problem::new(
                    "mine_only",
                    "true",
                    format!(
                        "{} sources assign alerts to nobody; mine_only is for {}",
                        source.kind,
                        names(|b| b.can.assigns).join(", ")
                    ),
                ));
            }
            problems
        }
        None => {
            let known: Vec<String> = names(|_| true)
                .into_iter()
                .map(|n| format!("`{n}`"))
                .collect();
            vec![Problem::new(
                "kind",
                source.kind.name(),
                format!(
                    "unknown variant `{}`, expected one of {}",
                    source.kind.name(),
                    known.join(", ")
                ),
            )]
        }
    }
}

/// The names of the back ends `is_it` accepts, in the table's order.
/// The kinds of the back ends that do what `can` asks (for messages that say which).
pub fn kinds_that(can: impl Fn(&Capabilities) -> bool) -> Vec<&'static str> {
    names(|b| can(&b.can))
}

fn names(is_it: impl Fn(&Backend) -> bool) -> Vec<&'static str> {
    BACKENDS
        .iter()
        .filter(|b| is_it(b))
        .map(|b| b.kind.name())
        .collect()
}

/// A source as `setting` describes it; one that fails every poll, saying why, when its keys
/// are bad or its kind unknown (a config checked at load has neither).
pub fn build(setting: &Setting<'_>) -> AnySource {
    let id = SourceId(setting.source.name.as_str().into());
    let built = match backend(&setting.source.kind) {
        Some(b) => (b.build)(setting),
        None => Err(check(setting.source)),
    };
    built.unwrap_or_else(|problems| AnySource::new(Misconfigured::new(id, &problems)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_found_by_its_name() {
        for b in BACKENDS {
            assert_eq!(kind_named(b.kind.name()), Some(b.kind.clone()));
        }
        assert_eq!(kind_named("nagios"), None);
    }

    #[tokio::test]
    async fn a_section_built_by_hand_with_a_bad_key_fails_every_poll_saying_which() {
        use crate::sources::Source as _;
        let clock: crate::clock::SharedClock = std::sync::Arc::new(crate::clock::SystemClock);
        let mut source = SourceConfig::new("am", super::super::alertmanager::KIND);
        source.set("receiver", "pay(");
        let escalation = std::sync::Arc::default();
        let setting = Setting {
            source: &source,
            escalation: &escalation,
            timeout: std::time::Duration::from_secs(1),
            clock: &clock,
        };
        let mut built = build(&setting);
        let err = built.fetch().await.unwrap_err().to_string();
        assert!(
            err.contains("misconfigured") && err.contains("key 'url'") && err.contains("receiver"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_kind_names_every_known_one() {
        let source = SourceConfig::new("x", SourceKind::named("nagios"));
        let problems = check(&source);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].message.contains("unknown variant `nagios`")
                && problems[0].message.contains("`alertmanager`"),
            "{problems:?}"
        );
    }
}
