//! Everything the UI shows, owned by the runtime task alone.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::filter::Filter;
use super::keymap::{Key, Keymap};
use super::list_pane::ListPane;
use super::rows::{AlertRef, Row};
use super::text_input::TextInput;
use crate::config::{ClockZone, Config, GroupBy, SortKey};
pub use crate::escalation::MyShift;
use crate::model::{
    Alert, AlertKey, EscalationPolicy, Severity, Silence, SourceId, Status, Ticket,
};
use crate::sources::SourceInfo;
use crate::sources::{CommandId, Operation};
use crate::theme::{Theme, ThemeCatalog};

/// The main views.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// The alert list (and detail).
    Alerts,
    /// On call and escalation policies.
    OnCall,
    /// Source health.
    Sources,
    /// Silences of every source.
    Silences,
    /// Actions written to the journal and not yet settled.
    Outbox,
    /// Incidents and their timelines.
    Incidents,
    /// What the sources were seen to change, newest first.
    History,
    /// Tickets of every ticketing source.
    Tickets,
    /// Key figures from the journal's history.
    Insights,
}

/// What is drawn over the view and takes the keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    /// Nothing.
    None,
    /// The help overlay, scrolled by this many lines.
    Help(u16),
    /// The `:` palette.
    Palette(TextInput),
    /// The `/` filter input.
    Filter(TextInput),
    /// A yes/no question.
    Confirm(Confirm),
    /// An action's input line (silence duration, note text).
    Prompt(Prompt),
    /// The silence editor with its live preview.
    SilenceEditor(super::silence_editor::SilenceEditor),
    /// The note editor (a multi-line text area).
    NoteEditor(Box<super::note_editor::NoteEditor>),
}

/// A question that needs a yes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirm {
    /// Resolve this alert?
    Resolve(AlertKey),
    /// Resolve these marked alerts?
    ResolveMarked(Vec<AlertKey>),
    /// Quit with actions pending?
    Quit,
    /// Expire these silences (source, silence id), said as `what` ("silence 0f1e2d3c",
    /// "window 0a1b2c3d: 8 silences")?
    Expire(Vec<(SourceId, String)>, String),
    /// Page this level (1 for the first; none: the next) for this alert?
    Escalate(AlertKey, Option<u32>),
}

/// An input line for an action on one alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prompt {
    /// Which action.
    pub kind: PromptKind,
    /// What is typed.
    pub input: TextInput,
    /// Why the last submission was refused.
    pub error: Option<String>,
}

/// Which action a prompt is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromptKind {
    /// Silence these alerts (the marked ones, or the selected one): "DURATION [comment]".
    Silence(Vec<AlertKey>),
    /// An incident from these alerts: "SEVn title".
    Incident(Vec<AlertKey>),
    /// The shown post-mortem to a file: its path.
    ExportPostmortem,
    /// A ticket to link to this subject (`incident:N` or an alert key): its key or URL.
    LinkTicket(String),
}

/// The post-mortem shown (`p`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostmortemView {
    /// `incident:N` or the alert key.
    pub subject: String,
    /// Its Markdown (`None` while the journal writes it), or why there is none.
    pub text: Option<Result<String, String>>,
    /// Whether it is the draft kept in the journal (else newly written from it).
    pub is_kept: bool,
}

/// A message shown for a few seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toast {
    /// What it says.
    pub text: String,
    /// Whether it reports a failure.
    pub is_error: bool,
    /// When it goes away.
    pub until: DateTime<Utc>,
    /// The view it was said in: shown there only, dropped when the responder leaves it.
    pub view: View,
}

/// One action sent on many alerts at once, counted as its outcomes come in: its progress
/// stands in the status line (`ack 212/500…`) instead of one message per alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bulk {
    /// What it does ("ack").
    pub verb: &'static str,
    /// The actions still awaited.
    pub awaited: std::collections::BTreeSet<CommandId>,
    /// How many were sent.
    pub total: usize,
    /// Confirmed.
    pub done: usize,
    /// Refused by their back end (listed in the outbox view).
    pub refused: usize,
    /// Left pending in the outbox (their back end unreachable), retried later.
    pub retrying: usize,
}

/// An action sent and not yet confirmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// The alert.
    pub key: AlertKey,
    /// What was asked.
    pub op: Operation,
    /// When it was sent.
    pub since: DateTime<Utc>,
    /// Why the last attempt did not get through, while it waits to be sent again.
    pub retrying: Option<String>,
}

/// How a source is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceHealth {
    /// No answer yet.
    Connecting,
    /// The last poll succeeded recently.
    Ok,
    /// The last success is older than it should be.
    Stale(TimeDelta),
    /// The last poll failed.
    Failing(String),
}

/// One source's last news.
#[derive(Clone, Debug)]
pub struct SourceState {
    /// Name, kind, interval.
    pub info: SourceInfo,
    /// The alerts of its last good poll.
    pub alerts: Arc<Vec<Alert>>,
    /// Newer alerts waiting for the list to be ordered with them (off the UI task).
    pub incoming: Option<Arc<Vec<Alert>>>,
    /// Its escalation policies.
    pub escalation: Arc<[EscalationPolicy]>,
    /// Its silences.
    pub silences: Arc<[Silence]>,
    /// Its tickets (ticketing sources).
    pub tickets: Arc<[Ticket]>,
    /// The alerting rules it evaluates (a Prometheus).
    pub rules: Arc<[crate::model::AlertRule]>,
    /// The incidents it keeps (incident.io).
    pub incidents: Arc<[crate::model::incident::Incident]>,
    /// When its last poll succeeded.
    pub last_ok: Option<DateTime<Utc>>,
    /// Its last failure, if the last poll failed.
    pub last_error: Option<(DateTime<Utc>, String)>,
    /// Items of its last answer that were no alerts (not kept).
    pub invalid: usize,
    /// Whether polling is paused.
    pub is_paused: bool,
    /// When its alerts were last handed to the journal as the last known picture.
    pub saved_at: Option<DateTime<Utc>>,
    /// Whether it has alerts newer than the ones saved.
    pub is_unsaved: bool,
    /// Whether its alerts are the journal's last known picture, not yet polled.
    pub is_cached: bool,
    /// Who its back end knows the token as, once it said.
    pub identity: Option<crate::sources::identity::Identity>,
    /// Who polls it, when its polls are shared through the journal.
    pub polled_by: Option<crate::sources::share::PolledBy>,
}

impl SourceState {
    /// The health at `now`.
    pub fn health(&self, now: DateTime<Utc>) -> SourceHealth {
        if let Some((_, e)) = &self.last_error {
            return SourceHealth::Failing(e.clone());
        }
        let Some(ok) = self.last_ok else {
            return SourceHealth::Connecting;
        };
        let age = now - ok;
        let limit = TimeDelta::from_std(self.info.interval * 3).unwrap_or(TimeDelta::minutes(5));
        // The journal's last known picture is stale until a poll confirms it.
        if (age > limit && !self.is_paused) || self.is_cached {
            SourceHealth::Stale(age)
        } else {
            SourceHealth::Ok
        }
    }
}

/// Alert counts for the header and the list title.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Open alerts per severity, in `Severity::ALL` order.
    pub open: [usize; 5],
    /// Of those, the firing ones (not acknowledged, not silenced).
    pub firing: [usize; 5],
    /// Distinct alerts.
    pub distinct: usize,
    /// Pending alerts (not fired yet; left out of the list unless asked for).
    pub pending: usize,
}

/// Settings taken from the config.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Who I am.
    pub identity: String,
    /// The config's `identity` as written (empty: not set), which a back end's own answer
    /// may contradict.
    pub configured_identity: String,
    /// Refuse actions.
    pub is_read_only: bool,
    /// Why, when the journal's database decided it ("your journal role is viewer").
    pub read_only_reason: Option<String>,
    /// Proposed silence length.
    pub silence_duration: Duration,
    /// Keys.
    pub keymap: Keymap,
    /// Header clock.
    pub clock: ClockZone,
    /// Initial sort.
    pub sort: SortKey,
    /// Initial grouping.
    pub group: GroupBy,
    /// The local rotations, for "my next shift".
    pub escalation: Arc<crate::escalation::LocalEscalation>,
    /// Whether a source starts narrowed to my incidents (`mine_only`).
    pub is_mine_only: bool,
    /// The runbook library of `runbook_dirs`.
    pub runbooks: Arc<crate::runbook::Library>,
    /// Annotations that name an alert's runbook, in order.
    pub runbook_annotations: Vec<String>,
    /// Whether links can be opened in a browser here (a desktop session); else `o` copies.
    pub can_open_links: bool,
    /// The post-mortem template (`postmortem.md` in the config directory, or the embedded).
    pub postmortem_template: Arc<str>,
    /// Where a post-mortem or hand-off written from the dashboard goes when given a bare
    /// name (`<data dir>/exports`, which `onduty info` prints); empty: the working directory.
    pub export_dir: std::path::PathBuf,
    /// Labels or annotations whose value names an alert's ticket.
    pub ticket_labels: Vec<String>,
    /// When a new alert notifies.
    pub notify_rules: crate::notify::rules::Rules,
    /// The channels `[notify] channels` names (resolved where onduty runs).
    pub notify_channels: Vec<String>,
}

impl Settings {
    /// The settings of `config`.
    /// Where a file named `typed` (by the responder, or by default) is written from the
    /// dashboard: `~/` expanded, a relative name under `export_dir`.
    pub fn export_path(&self, typed: &str) -> std::path::PathBuf {
        let path = crate::journal::expand_home(typed.trim());
        if path.is_absolute() {
            path
        } else {
            self.export_dir.join(path)
        }
    }

    pub fn from_config(config: &Config) -> Settings {
        Settings {
            identity: config.identity(),
            configured_identity: config.identity.clone(),
            is_read_only: config.read_only,
            read_only_reason: None,
            silence_duration: config.silence_duration,
            keymap: config.keymap.clone(),
            clock: config.clock,
            sort: config.sort,
            group: config.group,
            escalation: config.escalation.clone(),
            is_mine_only: config.sources.iter().any(|s| s.mine_only),
            runbooks: Arc::new(crate::sources::start::runbook_library(config)),
            runbook_annotations: config.runbook_annotations.clone(),
            can_open_links: crate::terminal::open_link::has_display(),
            postmortem_template: Arc::from(crate::postmortem::TEMPLATE),
            export_dir: std::path::PathBuf::new(),
            ticket_labels: config.ticket_labels.clone(),
            notify_rules: config.notify.rules.clone(),
            notify_channels: config.notify.channels.clone(),
        }
    }
}

/// What is behind an alert, as last asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelatedState {
    /// When it was asked for.
    pub asked_at: DateTime<Utc>,
    /// `None` while the answer is awaited.
    pub answer: Option<Result<Vec<crate::model::Related>, String>>,
}

/// The scrolled pane's extent, as last drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scrolled {
    /// The largest scroll that still fills the pane (its text's height less the pane's).
    pub limit: u16,
    /// The pane's height inside its border: what a page scrolls.
    pub page: u16,
}

impl Scrolled {
    /// Before anything scrolled was drawn: no limit, pages of 10 lines.
    pub const UNKNOWN: Scrolled = Scrolled {
        limit: u16::MAX,
        page: 10,
    };

    /// `from` moved by `by` lines, within 0..=limit.
    pub fn moved(self, from: u16, by: isize) -> u16 {
        // From where the pane shows (a find may have asked for more than it can scroll).
        (from.min(self.limit) as isize)
            .saturating_add(by)
            .clamp(0, self.limit as isize) as u16
    }
}

/// `Scrolled` as the view leaves it for `update` (the view only reads the state otherwise;
/// an atomic, as the state is read from the filtering threads).
#[derive(Debug)]
pub struct LastScrolled(std::sync::atomic::AtomicU32);

impl LastScrolled {
    /// What the view drew last.
    pub fn get(&self) -> Scrolled {
        let packed = self.0.load(std::sync::atomic::Ordering::Relaxed);
        Scrolled {
            limit: (packed >> 16) as u16,
            page: packed as u16,
        }
    }

    /// Kept by the view as it draws.
    pub fn set(&self, s: Scrolled) {
        let packed = (u32::from(s.limit) << 16) | u32::from(s.page);
        self.0.store(packed, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Default for LastScrolled {
    fn default() -> Self {
        let cell = LastScrolled(std::sync::atomic::AtomicU32::new(0));
        cell.set(Scrolled::UNKNOWN);
        cell
    }
}

impl Clone for LastScrolled {
    fn clone(&self) -> Self {
        let cell = LastScrolled::default();
        cell.set(self.get());
        cell
    }
}

/// The whole UI state.
#[derive(Clone, Debug)]
pub struct App {
    /// Settings from the config.
    pub settings: Settings,
    /// The current time, as last ticked.
    pub now: DateTime<Utc>,
    /// Every source, in config order.
    pub sources: Vec<SourceState>,
    /// The alert list: its rows (built by `update`), the selected row, the first drawn.
    pub alert_list: ListPane<Row>,
    /// Every alert (one per fingerprint), sorted and grouped: what filtering walks.
    pub base: Vec<AlertRef>,
    /// The alerts of `base` that pass the filter, in order.
    pub matched: Vec<AlertRef>,
    /// The newest filter pass asked for; results of older ones are dropped.
    pub filter_generation: u64,
    /// The newest off-task ordering asked for; older results are dropped.
    pub order_generation: u64,
    /// When the off-task ordering now running was started (one runs at a time).
    pub ordering_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Whether a filter pass is running off the UI task.
    pub is_filtering: bool,
    /// Other instances reporting an alert shown in the list.
    pub duplicates: super::rows::Duplicates,
    /// Counts, each alert once.
    pub totals: Totals,
    /// The selected alert.
    pub selected: Option<AlertKey>,
    /// The selected alert as it was last seen: what stays on screen if it leaves its source.
    pub selected_copy: Option<Alert>,
    /// The selected alert that left its source (resolved), as last seen, and when it went:
    /// its row stays where it was (`AlertRef::GONE`), the detail says so, until the
    /// responder moves.
    pub gone: Option<(Alert, DateTime<Utc>)>,
    /// Alerts marked with space, for a silence over several.
    pub marked: std::collections::BTreeSet<AlertKey>,
    /// The silences view: (source index, silence index, alerts it catches now) per row.
    pub silence_list: ListPane<(usize, usize, usize)>,
    /// Which silences the view lists (`:silences stale`).
    pub silence_filter: crate::app::silences::SilenceFilter,
    /// The filter as typed.
    pub filter_text: String,
    /// The filter in force.
    pub filter: Filter,
    /// Why the text being typed in the filter is not a filter (yet).
    pub filter_error: Option<String>,
    /// List order.
    pub sort: SortKey,
    /// List grouping.
    pub group: GroupBy,
    /// The main view.
    pub view: View,
    /// What lies over it.
    pub overlay: Overlay,
    /// Whether the full-screen detail is open.
    pub is_detail_open: bool,
    /// Scroll of the detail.
    pub detail_scroll: u16,
    /// How far the scrolled pane drawn last (detail, runbook, post-mortem, help) can scroll
    /// and its page: set by the view, so that the scrolling keys stop at the end of what is
    /// on screen.
    pub scrolled: LastScrolled,
    /// Actions sent and not confirmed.
    pub pending: BTreeMap<CommandId, Pending>,
    /// The bulk action under way (`a` on marked alerts), while its outcomes come in.
    pub bulk: Option<Bulk>,
    /// Timeline entries from the journal (notes, actions), by subject, oldest first.
    pub timeline: BTreeMap<String, Vec<crate::model::Entry>>,
    /// Why the journal is unusable, while it is (actions are then refused).
    pub journal_error: Option<String>,
    /// When each alert fired over the last day, as the journal recorded it (by alert key).
    pub fires: std::collections::HashMap<String, Vec<DateTime<Utc>>>,
    /// What is behind an alert (a PagerDuty incident's alerts), as last asked: when, and
    /// the list (`None` while the answer is awaited) or why it could not be had.
    pub related: std::collections::HashMap<AlertKey, RelatedState>,
    /// Alerts of back ends that page nobody (Alertmanager) escalated by hand here: the
    /// local policy's level reached and since when. Kept for this run.
    pub escalated: std::collections::HashMap<AlertKey, crate::model::Escalation>,
    /// Whether `:mine` narrowed PagerDuty sources to my incidents.
    pub is_mine_only: bool,
    /// Whether the open detail shows the alert's runbook (`b`) rather than the alert.
    pub is_runbook_shown: bool,
    /// The post-mortem shown (`p`), over whatever view is under it.
    pub postmortem: Option<PostmortemView>,
    /// The focused step, code block or link of the shown runbook (`tab`), by index.
    pub runbook_focus: Option<usize>,
    /// Runbook checklist steps done: by (subject, runbook), the steps' names.
    pub checklists: std::collections::HashMap<(String, String), std::collections::BTreeSet<String>>,
    /// What `:find` looks for in the shown runbook (its lines are highlighted).
    pub runbook_find: Option<String>,
    /// Runbook links fetched this run: `None` while the answer is awaited.
    pub fetched_runbooks:
        std::collections::HashMap<String, Option<Result<crate::runbook::fetch::Fetched, String>>>,
    /// When the previous run last saw the sources (its saved pictures): where `:history`
    /// starts ("since you last looked").
    pub last_looked: Option<DateTime<Utc>>,
    /// What `:history` lists (see `history`), worked out again when stale and shown.
    pub history: crate::app::history::History,
    /// Whether the timeline, the last look or the day changed since `history` was worked out.
    pub is_history_stale: bool,
    /// The insights view (`9`).
    pub insights: crate::app::insights::InsightsView,
    /// Every problem record in the journal.
    pub problems: Vec<crate::model::problem::Problem>,
    /// What fixed past incidents, as read (by `incident:N`).
    pub past_fixes: std::collections::HashMap<String, crate::model::problem::PastFix>,
    /// What was notified lately (one per alert group a minute, the bell once in 10 s).
    pub notify_limits: crate::notify::rules::Limiter,
    /// Until when notifications are muted (`:mute`).
    pub muted_until: Option<DateTime<Utc>>,
    /// (alert, level) escalations to me already notified in this run.
    pub escalations_told: std::collections::HashSet<(AlertKey, usize)>,
    /// When the escalations were last looked at for `escalations_told`.
    pub escalations_checked_at: Option<DateTime<Utc>>,
    /// The war-room wall's rotation, when this is `onduty wall`.
    pub wall: Option<super::wall::Wall>,
    /// The newest timeline entries of every subject, oldest first (the wall's feed).
    pub latest: std::collections::VecDeque<super::wall::Latest>,
    /// Whether the journal's incidents were told once (later lists can bring new ones).
    pub has_incidents: bool,
    /// Which ticket goes with which alert and incident.
    pub ticket_index: super::ticket_index::TicketIndex,
    /// Tickets linked by hand or opened from onduty, from the journal.
    pub ticket_links: Vec<crate::model::TicketLink>,
    /// The tickets view: (source index, ticket index) per row, filtered and in order.
    pub ticket_list: ListPane<(usize, usize)>,
    /// Incidents, open ones first, newest first: the journal's and those back ends keep
    /// (`App::merge_incidents`).
    pub incidents: Vec<crate::model::incident::Incident>,
    /// The journal's own incidents, as it last told them.
    pub journal_incidents: Vec<crate::model::incident::Incident>,
    /// The incident selected in `:incidents` (by subject, so it stays put as the list
    /// changes).
    pub incident_selected: Option<String>,
    /// Where `I` declares incidents (`:declare-in`).
    pub declare_in: super::incidents::DeclareIn,
    /// Notes being written and not saved, by draft subject (see `journal::drafts`).
    pub drafts: BTreeMap<String, String>,
    /// Notes saved and not yet in the journal (it is slow, or down).
    pub unsaved_notes: Vec<crate::app::note_editor::UnsavedNote>,
    /// A passing message.
    pub toast: Option<Toast>,
    /// A lasting problem (bad config file), shown until dismissed.
    pub banner: Option<String>,
    /// Header clock zone.
    pub clock: ClockZone,
    /// The active theme.
    pub theme: Arc<Theme>,
    /// Every known theme.
    pub themes: Arc<ThemeCatalog>,
    /// The terminal size (columns, rows).
    pub viewport: (u16, u16),
    /// Keys of a chord typed so far.
    pub pressed: Vec<Key>,
    /// Whether the screen must be drawn again.
    pub is_dirty: bool,
    /// Whether polling is paused.
    pub is_paused: bool,
    /// The minute last drawn, so a tick redraws only when the clock text changes.
    pub drawn_minute: i64,
}

impl App {
    /// A fresh app over `sources`, at `now`.
    pub fn new(
        settings: Settings,
        sources: Vec<SourceInfo>,
        theme: Arc<Theme>,
        themes: Arc<ThemeCatalog>,
        now: DateTime<Utc>,
    ) -> App {
        let is_mine_only = settings.is_mine_only;
        let sources = sources
            .into_iter()
            .enumerate()
            .map(|(i, info)| SourceState {
                info,
                alerts: Arc::from(Vec::new()),
                incoming: None,
                escalation: Arc::from(Vec::new()),
                silences: Arc::from(Vec::new()),
                tickets: Arc::from(Vec::new()),
                rules: Arc::from(Vec::new()),
                incidents: Arc::from(Vec::new()),
                last_ok: None,
                last_error: None,
                invalid: 0,
                is_paused: false,
                // The first save waits a minute, staggered by source: at startup ten sources'
                // first polls land together, and ten large saves at once compete with keys.
                // Until then the previous picture stays in the journal; exit saves anyway.
                saved_at: Some(now + TimeDelta::seconds(6 * i as i64)),
                is_unsaved: false,
                is_cached: false,
                identity: None,
                polled_by: None,
            })
            .collect();
        App {
            sort: settings.sort,
            group: settings.group,
            clock: settings.clock,
            settings,
            now,
            sources,
            alert_list: ListPane::default(),
            base: Vec::new(),
            matched: Vec::new(),
            filter_generation: 0,
            order_generation: 0,
            ordering_since: None,
            is_filtering: false,
            duplicates: Default::default(),
            totals: Totals::default(),
            selected: None,
            selected_copy: None,
            gone: None,
            marked: Default::default(),
            silence_list: ListPane::default(),
            silence_filter: Default::default(),
            filter_text: String::new(),
            filter: Filter::default(),
            filter_error: None,
            view: View::Alerts,
            overlay: Overlay::None,
            is_detail_open: false,
            detail_scroll: 0,
            scrolled: LastScrolled::default(),
            pending: BTreeMap::new(),
            bulk: None,
            timeline: BTreeMap::new(),
            journal_error: None,
            notify_limits: Default::default(),
            muted_until: None,
            escalations_told: Default::default(),
            escalations_checked_at: None,
            wall: None,
            latest: std::collections::VecDeque::new(),
            has_incidents: false,
            ticket_index: Default::default(),
            ticket_links: Vec::new(),
            ticket_list: ListPane::default(),
            incidents: Vec::new(),
            journal_incidents: Vec::new(),
            incident_selected: None,
            declare_in: super::incidents::DeclareIn::default(),
            drafts: BTreeMap::new(),
            unsaved_notes: Vec::new(),
            fires: Default::default(),
            related: Default::default(),
            escalated: Default::default(),
            is_mine_only,
            is_runbook_shown: false,
            fetched_runbooks: Default::default(),
            runbook_find: None,
            runbook_focus: None,
            postmortem: None,
            checklists: Default::default(),
            last_looked: None,
            history: Default::default(),
            is_history_stale: true,
            insights: Default::default(),
            problems: Vec::new(),
            past_fixes: Default::default(),
            toast: None,
            banner: None,
            theme,
            themes,
            viewport: (80, 24),
            pressed: Vec::new(),
            is_dirty: true,
            is_paused: false,
            drawn_minute: now.timestamp() / 60,
        }
    }

    /// The alert behind a row reference.
    pub fn alert(&self, r: AlertRef) -> Option<&Alert> {
        if r == AlertRef::GONE {
            return self.gone.as_ref().map(|(a, _)| a);
        }
        self.sources
            .get(r.source as usize)?
            .alerts
            .get(r.index as usize)
    }

    /// Every alert of every source, with its reference.
    pub fn all_alerts(&self) -> impl Iterator<Item = (AlertRef, &Alert)> {
        super::rows::enumerate(self.sources.iter().map(|s| s.alerts.as_slice()))
    }

    /// The selected alert, if any.
    pub fn selected_incident(&self) -> Option<&crate::model::incident::Incident> {
        let subject = self.incident_selected.as_deref()?;
        self.incidents.iter().find(|i| i.has_subject(subject))
    }

    /// The alert under the cursor.
    pub fn selected_alert(&self) -> Option<&Alert> {
        match self.alert_list.rows.get(self.alert_list.cursor)? {
            Row::Alert(r) => self.alert(*r),
            Row::Group { .. } => None,
        }
    }

    /// Every source reporting `alert`: its own, then the other instances.
    pub fn reporters(&self, alert: &Alert) -> Vec<&SourceState> {
        let others = self.duplicates.get(&alert.key).into_iter().flatten();
        let others = others.filter_map(|r| self.sources.get(r.source as usize));
        self.sources
            .iter()
            .filter(|s| s.info.id == alert.source)
            .chain(others)
            .collect()
    }

    /// How many times `key` fired in the 24 hours before now.
    pub fn fires_in_day(&self, key: &AlertKey) -> usize {
        let since = self.now - TimeDelta::hours(24);
        self.fires
            .get(&key.0)
            .map_or(0, |at| at.iter().filter(|t| **t >= since).count())
    }

    /// The open incident `key` belongs to, if any (the newest when several).
    pub fn open_incident_of(&self, key: &AlertKey) -> Option<i64> {
        self.incidents
            .iter()
            .filter(|i| i.status != crate::model::incident::IncidentStatus::Resolved)
            .find(|i| i.alerts.contains(key))
            .map(|i| i.id)
    }

    /// The pending action on `key`, if any.
    pub fn pending_on(&self, key: &AlertKey) -> Option<&Pending> {
        self.pending.values().find(|p| &p.key == key)
    }

    /// Open (not resolved) alerts per severity, each alert once however many instances
    /// report it (computed by `update`).
    pub fn open_counts(&self) -> [usize; 5] {
        self.totals.open
    }

    /// Firing alerts per severity (not acknowledged or silenced), counted like `open_counts`.
    pub fn firing_counts(&self) -> [usize; 5] {
        self.totals.firing
    }

    /// How many alerts pass the filter, and how many there are (each alert once).
    pub fn shown_of_total(&self) -> (usize, usize) {
        // The kept row of a selected alert that resolved is no alert of the sources'.
        let shown = self
            .alert_list
            .rows
            .iter()
            .filter(|r| matches!(r, Row::Alert(r) if *r != AlertRef::GONE))
            .count();
        (shown, self.totals.distinct)
    }

    /// Counts every alert once: `base` already holds one ref per fingerprint.
    pub(crate) fn count_alerts(&self) -> Totals {
        let mut totals = Totals::default();
        for a in self.base.iter().filter_map(|r| self.alert(*r)) {
            totals.distinct += 1;
            if a.status == Status::Pending {
                totals.pending += 1;
            }
            if a.status.is_open() {
                let i = Severity::ALL
                    .iter()
                    .position(|s| *s == a.severity)
                    .unwrap_or(4);
                totals.open[i] += 1;
                if a.status == Status::Firing {
                    totals.firing[i] += 1;
                }
            }
        }
        totals
    }

    /// Whether any source is the demo.
    pub fn is_demo(&self) -> bool {
        self.sources.iter().any(|s| s.info.can.is_simulated)
    }

    /// Where I stand on call: on now (until when, who is next), else my next shift from
    /// the local rotations. None when no policy names me.
    pub fn my_shift(&self) -> Option<MyShift> {
        crate::escalation::my_shift(
            self.sources.iter().flat_map(|s| s.escalation.iter()),
            &self.settings.escalation,
            &self.settings.identity,
            self.now,
        )
    }

    /// Where `alert` stands on its policy at `at`: the policy, and the state from the
    /// level its back end reports, or the one it was escalated to here, or the clock.
    pub fn escalation_state(
        &self,
        alert: &Alert,
        at: DateTime<Utc>,
    ) -> Option<(&EscalationPolicy, crate::model::EscalationState<'_>)> {
        let policy = self.policy_for(alert)?;
        let reached = alert
            .escalation
            .as_deref()
            .or(self.escalated.get(&alert.key));
        Some((policy, policy.state_from(reached, alert, at)?))
    }

    /// What the source of alert `key` says to `needs` (yes when no source claims it).
    pub fn source_can(
        &self,
        key: &AlertKey,
        needs: impl Fn(&crate::sources::Capabilities) -> crate::sources::Can,
    ) -> crate::sources::Can {
        self.source_of(&key.0)
            .map_or(crate::sources::Can::Yes, |s| needs(&s.info.can))
    }

    /// The source that `subject` (an alert or ticket key, or `SOURCE:`) belongs to.
    pub fn source_of(&self, subject: &str) -> Option<&SourceState> {
        self.sources.iter().find(|s| {
            subject
                .strip_prefix(&*s.info.id.0)
                .is_some_and(|rest| rest.starts_with(':'))
        })
    }

    /// The escalation policy covering `alert`, from its own source.
    pub fn policy_for(&self, alert: &Alert) -> Option<&EscalationPolicy> {
        let source = self.sources.iter().find(|s| s.info.id == alert.source)?;
        source.escalation.iter().find(|p| p.covers(alert))
    }

    /// The silence under the cursor of the silences view.
    pub fn selected_silence(&self) -> Option<&Silence> {
        let (s, i, _) = *self.silence_list.selected()?;
        self.sources.get(s)?.silences.get(i)
    }
}
