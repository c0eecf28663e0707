//! Starting the dashboard: config, theme, sources, terminal, then the runtime loop.

use std::process::ExitCode;
use std::sync::Arc;

use futures::StreamExt;

use super::{Cli, load_config};
use crate::app::{App, Settings};
use crate::clock::{SharedClock, SystemClock};
use crate::config::{Config, Paths};
use crate::journal::{Journal, JournalError};
use crate::runtime::{self, Exit};
use crate::sources::start;
use crate::terminal::tui::{self, Tui};
use crate::theme::{ColorDepth, ThemeCatalog};

/// Opens the dashboard (or, with `wall`, the wall turning its pages that often) and runs it
/// until quit.
pub async fn run(
    cli: &Cli,
    paths: &Paths,
    wall: Option<chrono::TimeDelta>,
) -> anyhow::Result<ExitCode> {
    if let Some(why) = tui::unusable_terminal() {
        anyhow::bail!(why);
    }
    tracing::debug!("dashboard opening");
    let (config, banner) = load_config(cli, paths, false)?;
    let depth = cli.colors.unwrap_or_else(ColorDepth::from_env);
    let themes = Arc::new(ThemeCatalog::load(&paths.themes_dir()).for_depth(depth));
    // NO_COLOR wins over the config's theme, not over an explicit --theme. The wall is read
    // from across a room: high contrast unless a theme is asked for.
    let theme_name = match (
        cli.theme.as_deref(),
        std::env::var_os("NO_COLOR").filter(|v| !v.is_empty()),
    ) {
        (None, Some(_)) => "mono",
        (None, None) if wall.is_some() => "high-contrast",
        _ => config.theme.as_str(),
    };
    let theme = themes.get(theme_name).map_err(|e| {
        let key = match theme_name == config.theme {
            true => super::theme_key(cli, paths),
            false => "the theme".into(),
        };
        anyhow::anyhow!("{key} = '{theme_name}': {e}")
    })?;
    let clock: SharedClock = Arc::new(SystemClock);
    let built = start::build(&config, &clock);
    let infos = built.iter().map(|b| b.info.clone()).collect();
    let mut settings = Settings::from_config(&config);
    settings.export_dir = paths.exports_dir();
    // A bad template is said in the banner; the embedded one serves meanwhile.
    let template = crate::postmortem::template(&paths.config_dir);
    if let Ok(t) = &template {
        settings.postmortem_template = Arc::from(t.as_str());
    }
    let mut app = App::new(settings, infos, theme, themes.clone(), clock.now());
    // What starting asks of the runtime (an order, a release), carried out as it starts.
    let mut startup = Vec::new();
    if let Some(every) = wall {
        app.start_wall(every, &mut startup);
    }
    app.banner = banner
        .or_else(|| themes.errors.first().cloned())
        .or_else(|| template.err());
    let journal = open_journal(&config, paths).await;
    if let Ok(j) = &journal {
        app.apply_journal_access(j.access(), &config.identity);
        show_last_known(&mut app, j, &mut startup).await;
    }
    // Decoding, ordering and storing go below the responder's keys from here on.
    crate::work::bulk::keys_come_first();
    let mut tui = Tui::enter(tui::Modes {
        is_mouse_on: !cli.no_mouse,
        is_inline: cli.inline,
        is_synchronized: tui::has_synchronized_output(std::env::var("TERM").ok().as_deref()),
    })?;
    // The last known picture is on screen before the sources start: their first polls
    // (ten answers of 10,000 to decode at once) would otherwise hold the first frame back
    // on a small machine, by up to 0.4 s in the restart bench (BENCHMARKS.md).
    let size = tui.terminal.size()?;
    app.update(crate::app::Action::Resize(size.width, size.height));
    tui.terminal.draw(|f| crate::ui::view(&app, f))?;
    // On a shared PostgreSQL journal one dashboard polls each source for all (issue 33).
    let sharing = journal
        .as_ref()
        .ok()
        .and_then(|j| start::Sharing::of(&config, j, &app.settings.identity));
    let running = start::start_sharing(built, &clock, sharing);
    tracing::info!(sources = config.sources.len(), "dashboard starting");
    // The terminal's events, and its hangup as a final error (see `tui::hangup`).
    let hangup = futures::stream::once(Box::pin(tui::hangup())).map(Err);
    let (events, paused_while_lent) = crate::terminal::events::events();
    tui.attach_events(paused_while_lent);
    let events = futures::stream::select(events, hangup);
    let result = runtime::run(
        &mut tui.terminal,
        runtime::Start {
            app,
            effects: startup,
        },
        events,
        running,
        journal,
        clock,
        runtime::shutdown_signal(),
    )
    .await;
    drop(tui);
    let (_, exit) = result?;
    Ok(match exit {
        Exit::Quit => ExitCode::SUCCESS,
        // As a shell reports a program a signal ended: 143 for SIGTERM, 129 for SIGHUP.
        Exit::Signal(n) => ExitCode::from(u8::try_from(128 + n).unwrap_or(u8::MAX)),
        Exit::TerminalGone(why) => {
            tracing::warn!(%why, "terminal went away");
            ExitCode::from(1)
        }
    })
}

/// Opens the configured journal. A journal that cannot be opened does not stop the
/// dashboard: alerts are still shown, and actions are refused with the reason.
pub async fn open_journal(config: &Config, paths: &Paths) -> Result<Journal, JournalError> {
    let location = config
        .journal_location(&paths.journal_file())
        .map_err(|message| JournalError::Open {
            place: "journal".into(),
            message,
        })?;
    let journal = Journal::open(&location).await;
    if let Err(e) = &journal {
        tracing::error!(error = %e, "journal unavailable");
    }
    journal
}

/// Longest wait for the last known picture before the sources start anyway.
const LAST_KNOWN_WAIT: std::time::Duration = std::time::Duration::from_millis(1500);

/// Puts each source's last known alerts (from the journal) on screen, marked stale, before
/// the sources start: their first polls would otherwise compete for the CPU.
async fn show_last_known(app: &mut App, journal: &Journal, fx: &mut Vec<crate::app::Effect>) {
    let sources: Vec<_> = app.sources.iter().map(|s| s.info.id.clone()).collect();
    let started = std::time::Instant::now();
    match tokio::time::timeout(LAST_KNOWN_WAIT, journal.load_snapshots(&sources)).await {
        Ok(Ok(snapshots)) => {
            let read = started.elapsed();
            let alerts: usize = snapshots.iter().map(|s| s.alerts.len()).sum();
            let sources = snapshots.len();
            app.show_last_known(snapshots, fx);
            tracing::info!(alerts, sources, ?read, shown = ?started.elapsed(), "last known picture shown");
        }
        Ok(Err(e)) => tracing::warn!(error = %e, "last known picture not read"),
        Err(_) => tracing::warn!("last known picture not read within {LAST_KNOWN_WAIT:?}"),
    }
}
