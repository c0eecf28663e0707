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

/// An app over one demo source that has heard nothing yet.
pub fn empty_app(now: DateTime<Utc>) -> App {
    let config = Config::embedded().unwrap_or_else(|e| panic!("embedded config: {e}"));
    let mut settings = Settings::from_config(&config);
    settings.identity = "ana".into();
    let themes = Arc::new(ThemeCatalog::embedded());
    let theme = themes
        .get("default")
        .unwrap_or_else(|e| panic!("default theme: {e}"));
    let info = SourceInfo {
        id: SourceId("demo".into()),
        kind: "demo".into(),
        interval: config.poll_interval,
        cluster: None,
    };
    App::new(settings, vec![info], theme, themes, now)
}

/// Hands `snapshot` to the app as the demo's latest poll.
pub fn feed(app: &mut App, snapshot: Snapshot, at: DateTime<Utc>) {
    app.update(Action::Source(SourceEvent::AlertsFetched {
        source: SourceId("demo".into()),
        alerts: snapshot.alerts,
        escalation: Arc::from(snapshot.escalation),
        silences: Arc::from(snapshot.silences),
        fetched_at: at,
    }));
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
