//! The command line: `onduty` opens the dashboard; `alerts`, `check`, `init` and `info` do
//! one thing and exit. Global flags work before or after the subcommand.

mod bulk;
mod dashboard;
mod files;
mod handoff;
mod headless;
mod incident;
mod insights;
mod journal_files;
mod journaled;
mod json_list;
mod oncall;
mod oneshot;
mod polls;
mod postmortem;
mod problems;
mod rule;
mod runbook;
mod sending;
mod sources;
mod tickets;
mod windows;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Config, Overrides, Paths};

/// A terminal dashboard for on-call engineers: alerts from every back end, and the actions
/// to take on them.
#[derive(Debug, Parser)]
#[command(name = "onduty", version, about)]
pub struct Cli {
    /// Run on the built-in demo source only.
    #[arg(long, global = true)]
    pub demo: bool,
    /// Config file (default: <config dir>/onduty/config.toml; see `onduty info`).
    #[arg(long, global = true, env = "ONDUTY_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Colour theme (default, light, high-contrast, colorblind, mono, or a user theme).
    #[arg(long, global = true, env = "ONDUTY_THEME", value_name = "NAME")]
    pub theme: Option<String>,
    /// Hide and refuse every action: for shared screens.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Do not capture the mouse (lets the terminal select text).
    #[arg(long, global = true)]
    pub no_mouse: bool,
    /// Draw on the normal screen, not the alternate one: the last frame stays in the
    /// scrollback after quitting (for terminals and multiplexers without one).
    #[arg(long, global = true)]
    pub inline: bool,
    /// The colours the terminal shows: truecolor, 256, 16 or 8 (default: from COLORTERM
    /// and TERM). Themes fall back to what they declare for 16 and 8.
    #[arg(long, global = true, env = "ONDUTY_COLORS", value_name = "DEPTH", value_parser = color_depth)]
    pub colors: Option<crate::theme::ColorDepth>,
    /// What to do; without one, the dashboard opens.
    #[command(subcommand)]
    pub command: Option<CommandLine>,
}

fn color_depth(s: &str) -> Result<crate::theme::ColorDepth, String> {
    crate::theme::ColorDepth::parse(s)
        .ok_or_else(|| format!("'{s}' is not a colour depth (truecolor, 256, 16 or 8)"))
}

/// The subcommands.
/// `onduty journal …`.
#[derive(Debug, Subcommand)]
pub enum JournalAction {
    /// Every incident, timeline entry, note, link, checklist tick, problem, post-mortem
    /// draft and outbox item as JSON lines with a version, to stdout.
    Export {
        /// Only rows written or changed since: 2026-12-01, an RFC 3339 time, or 30d ago.
        #[arg(long, value_name = "WHEN")]
        since: Option<String>,
    },
    /// An export into this journal: checked line by line first, then each row written
    /// unless it is there already (a second import adds nothing).
    Import {
        /// The export.
        file: std::path::PathBuf,
    },
    /// Everything from one journal into another (`sqlite:PATH`, `postgres://USER@HOST/DB`).
    Copy {
        /// From.
        from: String,
        /// To.
        to: String,
    },
    /// Once, by the shared journal's owner: the roles onduty_owner (migrations),
    /// onduty_responder (reads, appends) and onduty_viewer (reads), their grants, and the
    /// trigger that signs each row with its database user. Idempotent.
    Setup {
        /// Create the roles and grants (the one thing setup does today).
        #[arg(long)]
        roles: bool,
        /// Print the SQL and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Shows a database user's rows under a name (`onduty journal person ana "Ana López"`);
    /// without arguments, lists them.
    Person {
        /// The PostgreSQL user.
        db_user: Option<String>,
        /// The name shown.
        name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum CommandLine {
    /// Print the current alerts of every source (after one poll) and exit.
    Alerts {
        /// JSON for scripts instead of a table.
        #[arg(long)]
        json: bool,
        /// Only alerts matching this filter (the `/` language: `team=pay is:firing sev>=warning`).
        #[arg(long, value_name = "EXPR")]
        filter: Option<String>,
    },
    /// Acknowledge alerts (Alertmanager: a silence onduty extends while it fires).
    Ack {
        #[command(flatten)]
        targets: bulk::Targets,
    },
    /// Resolve alerts (where the back end allows it).
    Resolve {
        #[command(flatten)]
        targets: bulk::Targets,
    },
    /// Open resolved alerts again (where the back end reopens them).
    Unresolve {
        #[command(flatten)]
        targets: bulk::Targets,
    },
    /// Take acknowledgements back: the alerts page again (where the back end takes them back).
    Unack {
        #[command(flatten)]
        targets: bulk::Targets,
    },
    /// Ask someone else to respond as well, where the back end has responders (`team:SRE`,
    /// `user:ana@example.com`, `escalation:Night`, `schedule:Primary`).
    Responder {
        /// Who is asked.
        #[arg(long, value_name = "WHO")]
        add: String,
        #[command(flatten)]
        targets: bulk::Targets,
    },
    /// Hand alerts to a user or an escalation policy (PagerDuty: `bo`, `user:PXPGF42`,
    /// `policy:Payments`).
    Reassign {
        /// Who or what takes them.
        #[arg(long, value_name = "WHO")]
        to: String,
        #[command(flatten)]
        targets: bulk::Targets,
    },
    /// Write a note on an alert or incident into the journal (shared when it is PostgreSQL).
    Note {
        /// The alert's key, `SOURCE:ID`, or `incident:N`.
        key: String,
        /// The note; several words are joined with spaces.
        #[arg(required = true, num_args = 1..)]
        text: Vec<String>,
    },
    /// What waits in the outbox, and the latest outcomes.
    Outbox {
        /// Send every pending action now and wait for the outcomes.
        #[arg(long)]
        flush: bool,
    },
    /// Incidents, open ones first: the journal's and those a back end keeps (incident.io),
    /// after one poll.
    Incidents {
        /// JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Declare an incident as `I` does: `onduty declare "SEV2 Checkout is down" --alert
    /// KEY…`, in the journal, or `--in SOURCE` (incident.io), or `--in SOURCE,journal`.
    Declare {
        /// "SEV2 title" (SEV3 when left out).
        #[arg(required = true)]
        text: Vec<String>,
        /// An alert it starts with (`SOURCE:ID`); repeat for several.
        #[arg(long = "alert", value_name = "KEY")]
        alerts: Vec<String>,
        /// Where: `journal` (default), a source that keeps incidents, or both.
        #[arg(long = "in", value_name = "WHERE")]
        place: Option<String>,
    },
    /// Change an incident as `:status`, `:severity` and `:role` do: `onduty incident 3 status
    /// monitoring`, `onduty incident INC-123 role ic ana@example.com` (a kept incident
    /// changes in its back end, through the outbox).
    Incident {
        /// `N` (the journal's), or a back end's reference (`INC-123`).
        reference: String,
        /// `status STATUS`, `severity 1..4` or `role ic|scribe|comms WHO`.
        #[arg(required = true)]
        change: Vec<String>,
    },
    /// The journal's timeline of an alert or incident.
    Timeline {
        /// The alert's key, `SOURCE:ID`, or `incident:N`.
        key: String,
    },
    /// Silence alerts (a snooze on PagerDuty), or whatever the matchers catch, for a while.
    Silence {
        /// The alerts (or give `--matcher`, and a source with `--source`, instead).
        #[command(flatten)]
        targets: bulk::Targets,
        /// How long: 30m, 2h, 1d.
        #[arg(long = "for", value_name = "DURATION", default_value = "2h")]
        duration: String,
        /// Why (shown to everyone).
        #[arg(long, default_value = "silenced from onduty")]
        comment: String,
        /// Matchers instead of a key: `--matcher 'alertname="X"' --matcher 'env=~"prod.*"'`.
        #[arg(long = "matcher", value_name = "MATCHER")]
        matchers: Vec<String>,
        /// The source for `--matcher` silences (default: the only one).
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
        /// A maintenance window instead of `--for`: every silence of `sun 02:00-04:00`
        /// (days mon…sun, daily, weekdays, weekends; a time zone after, UTC by default)
        /// until `--until`, created at once, pending until each starts.
        #[arg(long, value_name = "SPEC", requires = "until")]
        every: Option<String>,
        /// The window's last day, YYYY-MM-DD.
        #[arg(long, value_name = "DAY")]
        until: Option<String>,
        /// Extend this window (see `onduty silences --windows`) to `--until`.
        #[arg(long, value_name = "ID", requires = "until", conflicts_with = "every")]
        window: Option<String>,
    },
    /// List the tickets of every ticketing source (after one poll), each with what it is
    /// linked to, and exit.
    Tickets {
        /// JSON for scripts instead of a table.
        #[arg(long)]
        json: bool,
        /// Only tickets matching this filter (the `/` language: `is:firing assignee=ana`).
        #[arg(long, value_name = "EXPR")]
        filter: Option<String>,
    },
    /// List the silences of every source, with how many current alerts each catches.
    Silences {
        /// JSON for scripts.
        #[arg(long)]
        json: bool,
        /// Only the stale ones: active and catching no alert, or ending within the hour.
        #[arg(long)]
        stale: bool,
        /// Maintenance windows instead: each window's silences as one.
        #[arg(long, conflicts_with = "stale")]
        windows: bool,
    },
    /// Print an alert's runbook: its annotation, or the runbook_dirs file that matches it.
    Runbook {
        /// The alert's key, `SOURCE:ID` (see `onduty alerts`).
        key: String,
    },
    /// Print the Prometheus alerting rule behind an alert: expression, `for`, current value,
    /// health and last error, group and file, graph link.
    Rule {
        /// The alert's key, `SOURCE:ID` (see `onduty alerts`).
        key: String,
    },
    /// Write an incident's post-mortem (Markdown): the draft kept in the journal, else a new
    /// one from the journal's timeline.
    Postmortem {
        /// `incident:N` (or `N`), or an alert's key `SOURCE:ID`.
        key: String,
        /// Write to this file (atomically) instead of printing.
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
        /// Write a new draft from the journal even when one is kept.
        #[arg(long)]
        fresh: bool,
    },
    /// The war-room wall: big counters, incidents with their clocks, the most severe firing
    /// alerts, the latest timeline and who is on call, rotating; read-only.
    Wall {
        /// How long each page stays before the next (space pauses).
        #[arg(long, default_value = "15s", value_name = "DURATION")]
        rotate: String,
    },
    /// The shift hand-off (Markdown): what fired, what was done and by whom, incidents, the
    /// outbox, starred notes, silences ending soon and who is on call next.
    Handoff {
        /// How long the shift was: 12h, 8h, 1d.
        #[arg(long, default_value = "12h", value_name = "DURATION")]
        since: String,
        /// Write to this file (atomically) instead of printing.
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
    },
    /// What the view `9` draws: time to acknowledge and to resolve (median, p90, mean)
    /// against the period before, escalations, re-opened alerts, the load per responder and
    /// the noise, from the journal.
    Insights {
        /// The period: 7d, 30d, 90d (whole days).
        #[arg(long, default_value = "30d", value_name = "DURATION")]
        since: String,
        /// Rows per service, team, policy or responder.
        #[arg(long, default_value = "service", value_parser = ["service", "team", "policy", "responder"])]
        by: String,
        /// JSON for scripts.
        #[arg(long, conflicts_with_all = ["markdown", "csv"])]
        json: bool,
        /// Markdown tables (for a report or a wiki).
        #[arg(long, conflicts_with = "csv")]
        markdown: bool,
        /// CSV, one row per table row, each named by its table.
        #[arg(long)]
        csv: bool,
    },
    /// The journal as a file: `export` (JSON lines, to stdout), `import FILE` (idempotent),
    /// `copy FROM TO` (SQLite ↔ PostgreSQL); a shared journal's roles: `setup --roles`,
    /// `person USER NAME`.
    Journal {
        /// What to do.
        #[command(subcommand)]
        action: JournalAction,
    },
    /// On a shared PostgreSQL journal: who polls each source for the others, how fresh its
    /// last poll is, and how far behind each following dashboard is.
    Sources {
        /// JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Problem records (known errors): status, owner, ticket, cause, workaround, the alerts
    /// and incidents each links, and how often its alerts fired in 30 days.
    Problems {
        /// JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Who is on call: every escalation policy, its levels, now, until when and who is next.
    Oncall {
        /// JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Expire silences: `onduty expire SOURCE:SILENCE_ID…`, or a whole maintenance window.
    Expire {
        /// `SOURCE:SILENCE_ID` as `onduty silences` prints it; several expire together.
        #[arg(required_unless_present = "window", num_args = 1..)]
        keys: Vec<String>,
        /// Every silence of this window not yet over (see `onduty silences --windows`).
        #[arg(long, value_name = "ID", conflicts_with = "keys")]
        window: Option<String>,
    },
    /// Write the commented default config to the config path.
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Print every path onduty uses.
    Info,
    /// Send a test notification through each channel that works here, and say what happened.
    Notify {
        /// The text.
        #[arg(default_value = "onduty test notification")]
        text: String,
        /// Try this many times (shows the breaker after a bus that hangs).
        #[arg(long, default_value_t = 1)]
        times: u32,
    },
    /// Validate the config and try each source once.
    Check,
}

/// Runs what the command line asks.
pub async fn run(cli: Cli, paths: Paths) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Some(CommandLine::Init { force }) => files::init(&paths, cli.config.as_deref(), *force),
        Some(CommandLine::Info) => files::info(&paths, &cli),
        Some(CommandLine::Notify { text, times }) => notify_test(text, *times).await,
        Some(CommandLine::Alerts { json, filter }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            oneshot::alerts(&config, &paths, *json, filter.as_deref()).await
        }
        Some(CommandLine::Ack { targets }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            let op = crate::sources::Operation::Acknowledge;
            journaled::act_on(&config, &paths, targets, op).await
        }
        Some(CommandLine::Resolve { targets }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            let op = crate::sources::Operation::Resolve;
            journaled::act_on(&config, &paths, targets, op).await
        }
        Some(CommandLine::Unresolve { targets }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            let op = crate::sources::Operation::Unresolve;
            journaled::act_on(&config, &paths, targets, op).await
        }
        Some(CommandLine::Unack { targets }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            let op = crate::sources::Operation::Unacknowledge;
            journaled::act_on(&config, &paths, targets, op).await
        }
        Some(CommandLine::Responder { add, targets }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            let op = crate::sources::Operation::AddResponder { who: add.clone() };
            journaled::act_on(&config, &paths, targets, op).await
        }
        Some(CommandLine::Reassign { to, targets }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            let op = crate::sources::Operation::Reassign { to: to.clone() };
            journaled::act_on(&config, &paths, targets, op).await
        }
        Some(CommandLine::Note { key, text }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            journaled::note(&config, &paths, key, &text.join(" ")).await
        }
        Some(CommandLine::Outbox { flush }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            journaled::outbox(&config, &paths, *flush).await
        }
        Some(CommandLine::Incidents { json }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            incident::list(&config, &paths, *json).await
        }
        Some(CommandLine::Declare {
            text,
            alerts,
            place,
        }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            incident::declare(&config, &paths, &text.join(" "), alerts, place.as_deref()).await
        }
        Some(CommandLine::Incident { reference, change }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            incident::change(&config, &paths, reference, change).await
        }
        Some(CommandLine::Timeline { key }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            journaled::timeline(&config, &paths, key).await
        }
        Some(CommandLine::Silence {
            targets,
            duration,
            comment,
            matchers,
            source,
            every,
            until,
            window,
        }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            if let (Some(id), Some(until)) = (window, until) {
                return windows::extend(&config, &paths, id, until).await;
            }
            let length = match (every, until) {
                (Some(every), Some(until)) => oneshot::Length::Window { every, until },
                (None, Some(_)) => anyhow::bail!("--until goes with --every or --window"),
                _ => oneshot::Length::For(
                    crate::duration_fmt::parse(duration).map_err(anyhow::Error::msg)?,
                ),
            };
            oneshot::silence(
                &config,
                &paths,
                targets,
                length,
                comment,
                matchers,
                source.as_deref(),
            )
            .await
        }
        Some(CommandLine::Tickets { json, filter }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            tickets::tickets(&config, &paths, *json, filter.as_deref()).await
        }
        Some(CommandLine::Silences {
            json,
            stale,
            windows,
        }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            if *windows {
                return windows::list(&config, &paths, *json).await;
            }
            oneshot::silences(&config, &paths, *json, *stale).await
        }
        Some(CommandLine::Runbook { key }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            runbook::runbook(&config, &paths, key).await
        }
        Some(CommandLine::Rule { key }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            rule::rule(&config, &paths, key).await
        }
        Some(CommandLine::Postmortem { key, out, fresh }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            postmortem::postmortem(&config, &paths, key, out.as_deref(), *fresh).await
        }
        Some(CommandLine::Insights {
            since,
            by,
            json,
            markdown,
            csv,
        }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            let format = match (json, markdown, csv) {
                (true, ..) => insights::Format::Json,
                (_, true, _) => insights::Format::Markdown,
                (.., true) => insights::Format::Csv,
                _ => insights::Format::Text,
            };
            insights::insights(&config, &paths, since, by, format).await
        }
        Some(CommandLine::Handoff { since, out }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            handoff::handoff(&config, &paths, since, out.as_deref()).await
        }
        Some(CommandLine::Journal { action }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            journal_files::run(&config, &paths, action).await
        }
        Some(CommandLine::Sources { json }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            sources::sources(&config, &paths, *json).await
        }
        Some(CommandLine::Problems { json }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            problems::problems(&config, &paths, *json).await
        }
        Some(CommandLine::Oncall { json }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            oncall::oncall(&config, *json).await
        }
        Some(CommandLine::Expire { keys, window }) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            match window {
                Some(id) => windows::expire(&config, &paths, id).await,
                None => journaled::expire(&config, &paths, keys).await,
            }
        }
        Some(CommandLine::Check) => {
            let (config, _) = load_config(&cli, &paths, true)?;
            let themes = crate::theme::ThemeCatalog::load(&paths.themes_dir());
            let theme_problems = themes.problems(&config.theme, &theme_key(&cli, &paths));
            let config_path = cli.config.clone().unwrap_or_else(|| paths.config_file());
            if !config_path.exists() {
                use std::io::Write;
                writeln!(
                    std::io::stdout().lock(),
                    "no config file at {}: running on the built-in demo (onduty init writes one)",
                    config_path.display()
                )?;
            }
            let journal = sending::open(&config, &paths).await;
            oneshot::check(&config, &paths.config_dir, &theme_problems, journal).await
        }
        Some(CommandLine::Wall { rotate }) => {
            let every = crate::duration_fmt::parse(rotate)
                .ok()
                .and_then(|d| chrono::TimeDelta::from_std(d).ok())
                .filter(|d| *d >= chrono::TimeDelta::seconds(1))
                .ok_or_else(|| {
                    anyhow::anyhow!("--rotate '{rotate}': a duration of a second or more (15s, 1m)")
                })?;
            dashboard::run(&cli, &paths, Some(every)).await
        }
        None => dashboard::run(&cli, &paths, None).await,
    }
}

/// Where the theme in use was asked for, for its errors: `--theme`, or the config's key.
pub fn theme_key(cli: &Cli, paths: &Paths) -> String {
    if cli.theme.is_some() {
        return "--theme".into();
    }
    let path = cli.config.clone().unwrap_or_else(|| paths.config_file());
    format!("config '{}': key 'theme'", path.display())
}

/// Loads the config. An explicit `--config` must exist and be valid. At the implicit path a
/// bad file is fatal for one-shot commands (`is_strict`), while the dashboard runs on the
/// defaults and shows the error in a banner (returned as the second value).
pub fn load_config(
    cli: &Cli,
    paths: &Paths,
    is_strict: bool,
) -> anyhow::Result<(Config, Option<String>)> {
    let overrides = Overrides {
        theme: cli.theme.clone(),
        read_only: cli.read_only,
        demo: cli.demo,
    };
    let (path, must_exist) = match &cli.config {
        Some(p) => (p.clone(), true),
        None => (paths.config_file(), false),
    };
    match Config::load(&path, must_exist, &overrides) {
        Ok(config) => Ok((config, None)),
        Err(e) if must_exist || is_strict => Err(e.into()),
        Err(e) => {
            let fallback = Config::from_str_at("", "<embedded default>", &overrides)?;
            Ok((fallback, Some(format!("{e}; running on the defaults"))))
        }
    }
}

/// `onduty notify`: one line per attempt per channel.
async fn notify_test(text: &str, times: u32) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let desktop = crate::notify::desktop::Desktop::from_env();
    let mut shown = false;
    for _ in 0..times.max(1) {
        let started = std::time::Instant::now();
        let outcome = desktop.notify("onduty", text).await;
        shown |= outcome == crate::notify::desktop::Outcome::Shown;
        writeln!(
            std::io::stdout().lock(),
            "desktop: {outcome} ({} ms)",
            started.elapsed().as_millis()
        )?;
    }
    // The terminal's own channels: what crosses SSH and tmux to the engineer's terminal.
    let mut out = std::io::stdout().lock();
    if std::io::IsTerminal::is_terminal(&out) {
        let via = crate::terminal::osc::Multiplexer::from_env();
        let every = crate::notify::Channels {
            desktop: false,
            bell: true,
            osc: true,
        };
        let n = crate::notify::Notification {
            title: "onduty".into(),
            body: text.to_string(),
            is_ringing: true,
        };
        out.write_all(&every.terminal_bytes(&n, via))?;
        let wrapped = if via == crate::terminal::osc::Multiplexer::None {
            ""
        } else {
            " (also wrapped for passthrough)"
        };
        writeln!(out, "terminal: OSC 9, OSC 777 and the bell sent{wrapped}")?;
        shown = true;
    } else {
        writeln!(
            out,
            "terminal: standard output is not a terminal: nothing sent"
        )?;
    }
    Ok(if shown {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
