//! Fixtures for tests: a demo `App` at a fixed moment of the story, so ages, countdowns and
//! snapshots are the same on every run. Not used by the program itself.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use crate::app::{Action, App, Settings, SourceInfo};
use crate::clock::ManualClock;
use crate::config::Config;
use crate::model::SourceId;
use crate::sources::demo::DemoSource;
use crate::sources::{Snapshot, SourceEvent};
use crate::theme::ThemeCatalog;

/// When the fixture's demo story starts: a Wednesday afternoon.
pub fn story_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 4, 14, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A demo source frozen `secs` seconds into its story, with the clock that drives it.
pub fn demo_source(secs: i64) -> (DemoSource, ManualClock) {
    let clock = ManualClock::new(story_start() + TimeDelta::seconds(secs));
    let source = DemoSource::started_at(
        SourceId("demo".into()),
        Arc::new(clock.clone()),
        story_start(),
    );
    (source, clock)
}

/// An app on the embedded default config, `secs` into the demo story, sized `w`×`h`, that
/// has received one snapshot from the demo. The identity is "ana".
pub fn demo_app(secs: i64, w: u16, h: u16) -> App {
    let (source, clock) = demo_source(secs);
    let mut app = empty_app(clock.now_utc());
    app.update(Action::Resize(w, h));
    feed(&mut app, source.snapshot(), clock.now_utc());
    app
}

/// `app` drawn on a `w`×`h` test terminal, as the snapshots show it (one quoted line per
/// row).
pub fn screen(app: &App, w: u16, h: u16) -> String {
    let backend = ratatui::backend::TestBackend::new(w, h);
    let mut terminal =
        ratatui::Terminal::new(backend).unwrap_or_else(|e| panic!("a test terminal: {e}"));
    terminal
        .draw(|f| crate::ui::view(app, f))
        .unwrap_or_else(|e| panic!("drawing: {e}"));
    format!("{}", terminal.backend())
}

/// The operations `fx` sends to sources, with their alerts' keys.
pub fn performed(fx: &[crate::app::Effect]) -> Vec<(String, crate::sources::Operation)> {
    use crate::app::Effect;
    use crate::sources::SourceCommand;
    fx.iter()
        .filter_map(|e| match e {
            Effect::SendCommand {
                command: SourceCommand::Perform { key, op, .. },
                ..
            } => Some((key.0.clone(), op.clone())),
            _ => None,
        })
        .collect()
}

/// An app over one demo source that has heard nothing yet.
pub fn empty_app(now: DateTime<Utc>) -> App {
    let config = Config::embedded().unwrap_or_else(|e| panic!("embedded config: {e}"));
    let mut settings = Settings::from_config(&config);
    settings.identity = "ana".into();
    // Whatever desktop the test runs on: `o` copies.
    settings.can_open_links = false;
    let themes = Arc::new(ThemeCatalog::embedded());
    let theme = themes
        .get("default")
        .unwrap_or_else(|e| panic!("default theme: {e}"));
    let info = SourceInfo::new(
        SourceId("demo".into()),
        crate::sources::demo::KIND,
        config.poll_interval,
    );
    App::new(settings, vec![info], theme, themes, now)
}

/// Hands `snapshot` to the app as the demo's latest poll.
pub fn feed(app: &mut App, snapshot: Snapshot, at: DateTime<Utc>) -> Vec<crate::app::Effect> {
    app.update(Action::Source(SourceEvent::AlertsFetched {
        source: SourceId("demo".into()),
        alerts: snapshot.alerts,
        escalation: Arc::from(snapshot.escalation),
        silences: Arc::from(snapshot.silences),
        tickets: Arc::from(snapshot.tickets),
        fetched_at: at,
    }))
}

impl ManualClock {
    /// The time shown, without going through the trait object.
    pub fn now_utc(&self) -> DateTime<Utc> {
        crate::clock::Clock::now(self)
    }
}

/// Two silences on the demo source: one catching ReplicationLag, one expired.
pub fn demo_silences(app: &App) -> Vec<crate::model::Silence> {
    use crate::model::{Matcher, Silence, SilenceState};
    let now = app.now;
    let mk = |id: &str, m: &str, state: SilenceState, comment: &str| Silence {
        id: id.into(),
        source: SourceId("demo".into()),
        matchers: vec![Matcher::parse(m).unwrap_or_else(|e| panic!("{e}"))],
        starts_at: now - TimeDelta::minutes(20),
        ends_at: now + TimeDelta::minutes(40),
        created_by: "bo".into(),
        comment: comment.into(),
        state,
    };
    vec![
        mk(
            "0f1e2d3c-aaaa",
            "alertname=\"ReplicationLag\"",
            SilenceState::Active,
            "replica rebuild",
        ),
        mk(
            "9a8b7c6d-bbbb",
            "service=~\"pay.*\"",
            SilenceState::Expired,
            "old deploy",
        ),
    ]
}

/// `demo_app` whose demo also reports `demo_silences`.
pub fn demo_app_with_silences(secs: i64, w: u16, h: u16) -> App {
    let (source, clock) = demo_source(secs);
    let mut app = empty_app(clock.now_utc());
    app.update(Action::Resize(w, h));
    let mut snapshot = source.snapshot();
    snapshot.silences = demo_silences(&app);
    feed(&mut app, snapshot, clock.now_utc());
    app
}

/// `n` realistic alerts spread over `sources` Alertmanager-like sources (8 labels and 3
/// annotations each, like scripts/bench.sh loads), built the way a source builds them.
pub fn estate_alerts(n: usize, sources: usize) -> Vec<Vec<crate::model::Alert>> {
    use crate::model::{AlertDraft, Interner, Severity, Status};
    let start = story_start();
    let sevs = [
        Severity::Critical,
        Severity::Warning,
        Severity::Info,
        Severity::Error,
    ];
    let mut out: Vec<Vec<crate::model::Alert>> = (0..sources).map(|_| Vec::new()).collect();
    let mut interners: Vec<Interner> = (0..sources).map(|_| Interner::default()).collect();
    for i in 0..n {
        let s = i % sources;
        let source = SourceId(format!("am-{s}").into());
        let alertname = format!("HighLatency{}", i % 50);
        let draft = AlertDraft {
            id: format!("{:016x}", i as u64 * 2_654_435_761).into(),
            title: alertname.clone().into(),
            severity: sevs[i % 4],
            status: if i % 7 == 0 {
                Status::Acked
            } else {
                Status::Firing
            },
            labels: vec![
                ("alertname".into(), alertname.into()),
                ("severity".into(), sevs[i % 4].name().into()),
                ("service".into(), format!("svc-{}", i % 200).into()),
                ("team".into(), format!("team-{}", i % 20).into()),
                (
                    "instance".into(),
                    format!("host-{i}.prod.example.com:9100").into(),
                ),
                ("job".into(), "node".into()),
                ("env".into(), "prod".into()),
                ("region".into(), ["eu-west-1", "us-east-1"][i % 2].into()),
            ],
            annotations: vec![
                (
                    "summary".into(),
                    format!("p99 latency above 2s on host-{i} for 10 minutes").into(),
                ),
                (
                    "description".into(),
                    "The 99th percentile request latency has been above the SLO for ten minutes."
                        .into(),
                ),
                (
                    "runbook_url".into(),
                    format!("https://runbooks.example.com/HighLatency{}", i % 50).into(),
                ),
            ],
            started_at: start - TimeDelta::seconds((i % 86_400) as i64),
            last_seen: start,
            acked_by: (i % 7 == 0).then(|| "ana".into()),
            acked_at: None,
            silenced_until: None,
            links: vec![(
                "source".into(),
                format!("http://prometheus.example.com/graph?host={i}").into(),
            )],
            notes: Vec::new(),
            fingerprint: Some(format!("{:016x}", i as u64 * 2_654_435_761).into()),
            suppressed_by: Vec::new(),
            receivers: vec!["default".into()],
            escalation: None,
        };
        out[s].push(draft.build_shared(&source, &mut interners[s]));
    }
    out
}

/// An app over `sources` sources holding `n` alerts in all, sized `w`×`h`.
pub fn estate_app(n: usize, sources: usize, w: u16, h: u16) -> App {
    let now = story_start();
    let base = empty_app(now);
    let infos = (0..sources)
        .map(|s| {
            SourceInfo::new(
                SourceId(format!("am-{s}").into()),
                crate::sources::alertmanager::KIND,
                std::time::Duration::from_secs(15),
            )
        })
        .collect();
    let mut app = App::new(
        base.settings.clone(),
        infos,
        base.theme.clone(),
        base.themes.clone(),
        now,
    );
    app.update(Action::Resize(w, h));
    for (s, alerts) in estate_alerts(n, sources).into_iter().enumerate() {
        let fx = app.update(Action::Source(SourceEvent::AlertsFetched {
            source: SourceId(format!("am-{s}").into()),
            alerts: alerts.into(),
            escalation: Vec::new().into(),
            silences: Vec::new().into(),
            tickets: Vec::new().into(),
            fetched_at: now,
        }));
        run_order_jobs(&mut app, fx);
    }
    app
}

/// Does what the runtime does with the off-task orderings among `effects`: runs them and
/// hands their results back, in order.
pub fn run_order_jobs(app: &mut App, effects: Vec<crate::app::Effect>) {
    for effect in effects {
        if let crate::app::Effect::OrderAlerts(job) = effect {
            let more = app.update(job.run().into());
            run_order_jobs(app, more);
        }
    }
}

/// A plain alert on source `prod-am` with these labels, for tests of matching.
pub fn labelled_alert(
    title: &str,
    severity: crate::model::Severity,
    status: crate::model::Status,
    labels: &[(&str, &str)],
) -> crate::model::Alert {
    crate::model::AlertDraft {
        id: title.into(),
        title: title.into(),
        severity,
        status,
        labels: labels
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect(),
        annotations: vec![],
        started_at: story_start(),
        last_seen: story_start(),
        acked_by: None,
        acked_at: None,
        silenced_until: None,
        links: vec![],
        notes: vec![],
        fingerprint: None,
        suppressed_by: vec![],
        receivers: vec![],
        escalation: None,
    }
    .build(&SourceId("prod-am".into()))
}

/// Puts a library runbook with `markdown` in `app`, matched to the selected alert's name,
/// and drops the annotations that would name another.
pub fn with_runbook(app: &mut App, markdown: &str) {
    let alertname = app
        .selected_alert()
        .and_then(|a| a.field("alertname"))
        .unwrap_or_default();
    let entry = crate::runbook::Entry {
        path: "/runbooks/checklist.md".into(),
        title: "Checklist".into(),
        alerts: vec![alertname.to_string()],
        labels: vec![],
        markdown: markdown.into(),
    };
    app.settings.runbooks = std::sync::Arc::new(crate::runbook::Library {
        entries: vec![entry],
        problems: vec![],
    });
    app.settings.runbook_annotations = vec![];
}

/// A Jira ticket as a poll brings it.
pub fn ticket(
    id: &str,
    state: crate::model::TicketState,
    minutes_ago: i64,
) -> crate::model::Ticket {
    crate::model::TicketDraft {
        id: id.into(),
        title: format!("ticket {id}"),
        status: match state {
            crate::model::TicketState::Open => "To Do".into(),
            crate::model::TicketState::InProgress => "In Progress".into(),
            crate::model::TicketState::Done => "Done".into(),
        },
        state: Some(state),
        assignee: Some("ana".into()),
        url: Some(format!("https://acme.atlassian.net/browse/{id}")),
        updated: Some(story_start() - TimeDelta::minutes(minutes_ago)),
        comments: vec![("bo".into(), story_start(), "rolled back 4f2a".into())],
        ..crate::model::TicketDraft::default()
    }
    .build(&SourceId("jira".into()))
}

/// An app over an Alertmanager (`prod-am`, two alerts: `CheckoutErrors` naming ticket
/// OPS-7 by its `ticket` label, `DiskFull` naming none), a Jira source (`jira`: OPS-7 in
/// progress, OPS-8 done, OPS-9 open) and a PagerDuty source (`pd`, one incident).
pub fn ticket_app(w: u16, h: u16) -> App {
    use crate::model::{Severity, Status, TicketState};
    let now = story_start();
    let base = empty_app(now);
    let info = |id: &str, kind: &str| {
        let kind = crate::sources::registry::kind_named(kind)
            .unwrap_or_else(|| panic!("no source kind {kind}"));
        SourceInfo::new(
            SourceId(id.into()),
            kind,
            std::time::Duration::from_secs(30),
        )
    };
    let sources = vec![
        info("prod-am", "alertmanager"),
        info("jira", "jira"),
        info("pd", "pagerduty"),
    ];
    let mut app = App::new(
        base.settings.clone(),
        sources,
        base.theme.clone(),
        base.themes.clone(),
        now,
    );
    app.update(Action::Resize(w, h));
    let fetched =
        |source: &str, alerts: Vec<crate::model::Alert>, tickets: Vec<crate::model::Ticket>| {
            Action::Source(SourceEvent::AlertsFetched {
                source: SourceId(source.into()),
                alerts: Arc::new(alerts),
                escalation: Vec::new().into(),
                silences: Vec::new().into(),
                tickets: tickets.into(),
                fetched_at: now,
            })
        };
    let am = vec![
        labelled_alert(
            "CheckoutErrors",
            Severity::Critical,
            Status::Firing,
            &[("alertname", "CheckoutErrors"), ("ticket", "OPS-7")],
        ),
        labelled_alert(
            "DiskFull",
            Severity::Warning,
            Status::Firing,
            &[("alertname", "DiskFull")],
        ),
    ];
    app.update(fetched("prod-am", am, vec![]));
    let mut pd = labelled_alert(
        "The server is on fire.",
        Severity::Error,
        Status::Firing,
        &[],
    );
    pd.source = SourceId("pd".into());
    pd.key = crate::model::AlertKey::new(&pd.source, "PT4KHLK");
    app.update(fetched("pd", vec![pd], vec![]));
    let tickets = vec![
        ticket("OPS-8", TicketState::Done, 5),
        ticket("OPS-7", TicketState::InProgress, 30),
        ticket("OPS-9", TicketState::Open, 10),
    ];
    app.update(fetched("jira", vec![], tickets));
    app
}

/// A history for insights: `incidents` alerts fired over the `days` days before `end`,
/// evenly spread, each acknowledged and resolved after a time known from its number (so
/// benches and view tests have figures to check): over 12 services and 4 teams, acked by one
/// of 6 responders after 1–30 minutes (every 10th by nobody, resolved on its own), resolved
/// after 5–244 minutes, every 25th silenced, every 40th escalated by its back end. Entry
/// ids count from 1 in the order written.
pub fn insight_history(
    end: DateTime<Utc>,
    days: i64,
    incidents: usize,
) -> Vec<crate::model::Entry> {
    use crate::model::{Entry, EntryKind};
    const RESPONDERS: [&str; 6] = ["ana", "bo", "cy", "di", "ed", "fa"];
    let span = TimeDelta::days(days).num_seconds();
    let step = span / incidents.max(1) as i64;
    let start = end - TimeDelta::days(days);
    let mut out = Vec::with_capacity(incidents * 3);
    let mut push = |subject: &str, at: DateTime<Utc>, kind: EntryKind, body: String| {
        out.push(Entry {
            id: out.len() as i64 + 1,
            subject: subject.into(),
            at,
            author: "am".into(),
            kind,
            body,
            starred: false,
            corrects: None,
        });
    };
    for i in 0..incidents {
        let fired = start + TimeDelta::seconds(i as i64 * step);
        let service = format!("svc-{:02}", i % 12);
        let subject = format!("am:{}-{}", service, i % 97);
        push(
            &subject,
            fired,
            EntryKind::Observed,
            format!(
                "fired (critical): Alert{} · {service} [team team-{}; policy {service}-policy]",
                i % 97,
                i % 4
            ),
        );
        if i % 25 == 0 {
            push(
                &subject,
                fired + TimeDelta::minutes(1),
                EntryKind::Observed,
                "silenced".into(),
            );
        } else if i % 10 != 0 {
            let who = RESPONDERS[i % RESPONDERS.len()];
            let after = TimeDelta::minutes((i as i64 * 7_919) % 30 + 1);
            push(
                &subject,
                fired + after,
                EntryKind::Observed,
                format!("acked by {who}"),
            );
        }
        if i % 40 == 0 {
            push(
                &subject,
                fired + TimeDelta::minutes(15),
                EntryKind::Observed,
                "escalated to L2".into(),
            );
        }
        let resolved = TimeDelta::minutes((i as i64 * 104_729) % 240 + 5);
        push(
            &subject,
            fired + resolved,
            EntryKind::Observed,
            "resolved".into(),
        );
    }
    out
}
