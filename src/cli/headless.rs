//! The dashboard's state without a screen, for the CLI twins of its views: one poll of every
//! source and what the journal tells a starting dashboard go through `App::update` exactly
//! as in the dashboard, so that a command prints what the view shows (the same merge of
//! instances, the same notes, links, incidents and order).

use std::sync::Arc;

use crate::app::{Action, App, Effect, Settings};
use crate::config::{Config, Paths};
use crate::sources::SourceEvent;

/// The state a dashboard would have after one poll, and whether a source failed.
pub(super) struct Loaded {
    /// The dashboard's state: rows merged, ordered and filtered.
    pub app: App,
    /// Whether any source failed to answer (each said on stderr).
    pub failed: bool,
}

/// Polls every source once, reads the journal (its absence is said in the log and changes
/// nothing else), and applies `filter_text` as the dashboard's `/` would.
pub(super) async fn load(
    config: &Config,
    paths: &Paths,
    filter_text: Option<&str>,
) -> anyhow::Result<Loaded> {
    let filter_text = filter_text.unwrap_or("");
    crate::app::filter::parse_user(filter_text).map_err(|e| anyhow::anyhow!("--filter: {e}"))?;
    let (snapshots, failed) = super::polls::answered_with_info(config).await;
    let now = chrono::Utc::now();
    let themes = Arc::new(crate::theme::ThemeCatalog::embedded());
    let theme = themes.get("mono").map_err(anyhow::Error::msg)?;
    let infos = snapshots.iter().map(|(info, _)| info.clone()).collect();
    let settings = Settings::from_config(config);
    let author = settings.identity.clone();
    let mut app = App::new(settings, infos, theme, themes, now);
    match super::sending::open(config, paths).await {
        Ok(journal) => {
            let (news, _) = crate::journal::task::start_news(&journal, now, &author).await;
            journal.close().await;
            for event in news {
                drive(&mut app, Action::Journal(event));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "no journal: its notes, links and incidents are left out")
        }
    }
    for (info, s) in snapshots {
        drive(
            &mut app,
            Action::Source(SourceEvent::IncidentsFetched {
                source: info.id.clone(),
                incidents: s.incidents,
            }),
        );
        drive(
            &mut app,
            Action::Source(SourceEvent::RulesFetched {
                source: info.id.clone(),
                rules: s.rules,
            }),
        );
        drive(
            &mut app,
            Action::Source(SourceEvent::AlertsFetched {
                source: info.id,
                alerts: s.alerts,
                escalation: s.escalation.into(),
                silences: s.silences.into(),
                tickets: s.tickets.into(),
                fetched_at: now,
            }),
        );
    }
    // Ordered here and now (a dashboard orders a large estate off its task).
    let mut effects = Vec::new();
    app.rebuild_rows(&mut effects);
    app.set_filter(filter_text, true, &mut effects);
    for effect in effects {
        run(&mut app, effect);
    }
    app.rebuild_ticket_rows();
    Ok(Loaded { app, failed })
}

/// Applies `action`, running at once the work a dashboard would hand to other threads.
fn drive(app: &mut App, action: Action) {
    for effect in app.update(action) {
        run(app, effect);
    }
}

/// Runs the effects that shape what is shown (ordering, filtering); the others (sending,
/// journaling, drawing) are a dashboard's and are dropped.
fn run(app: &mut App, effect: Effect) {
    match effect {
        Effect::OrderAlerts(job) => drive(app, job.run().into()),
        Effect::FilterAlerts(job) => drive(app, job.run().into()),
        _ => {}
    }
}
