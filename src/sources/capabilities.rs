//! What a back end can do, declared once in its own folder (`CAPABILITIES`): the app, the
//! palette and the hint bar ask these, never a back end's name. An action a back end cannot
//! do carries the one sentence that explains why, said instead of asking and then refusing.

/// Whether a back end does an action on its alerts, and if not, why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Can {
    /// It does.
    Yes,
    /// It does not, for this reason ("Alertmanager alerts resolve at their source").
    No(&'static str),
}

impl Can {
    /// Whether it does.
    pub fn is_yes(self) -> bool {
        self == Can::Yes
    }

    /// The back end's answer when asked anyway (a command line, an old outbox item): the
    /// same sentence the dashboard says instead of offering it.
    pub fn refusal(self) -> super::Error {
        let why = match self {
            Can::No(why) => why,
            Can::Yes => "refused",
        };
        super::Error::Rejected(why.into())
    }
}

/// Where a note written in onduty on one of a source's alerts goes besides the journal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NotesGo {
    /// Only into the journal.
    #[default]
    JournalOnly,
    /// Also as the back end's own note (a PagerDuty incident's note).
    AsNote,
    /// Also as a comment on the ticket.
    AsComment,
}

impl NotesGo {
    /// What a note written in onduty becomes at the back end, besides the journal entry:
    /// the dashboard's `n` and `onduty note` both send it.
    pub fn operation(self, text: &str) -> Option<super::Operation> {
        match self {
            NotesGo::JournalOnly => None,
            NotesGo::AsNote => Some(super::Operation::AddNote {
                text: text.to_string(),
            }),
            NotesGo::AsComment => Some(super::Operation::Comment {
                text: text.to_string(),
                marker: crate::model::new_marker(),
            }),
        }
    }
}

/// What one back end can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// `a`: acknowledge (an Alertmanager: a silence onduty extends while the alert fires).
    pub acknowledge: Can,
    /// `:unack`: take an acknowledgement back.
    pub unacknowledge: Can,
    /// `r`: resolve.
    pub resolve: Can,
    /// `:unresolve`: open a resolved alert again.
    pub unresolve: Can,
    /// `s`: silence one alert for a while (a snooze where the back end snoozes).
    pub snooze: Can,
    /// `:reassign`: hand an alert to a user or a policy.
    pub reassign: Can,
    /// `:responder`: ask someone else to respond as well.
    pub responders: Can,
    /// Silences by matchers (`S`, the silences view, expire).
    pub silences: bool,
    /// Its alerts' escalation is onduty's own (`escalation.toml`): a page by `e` is the
    /// journal's entry, and onduty moves the level itself. Else the back end reports levels.
    pub escalates_locally: bool,
    /// Where notes on its alerts go.
    pub notes: NotesGo,
    /// It reports tickets (`:link`, `t`, `8`).
    pub tickets: bool,
    /// An alert has alerts behind it worth showing in its detail (a PagerDuty incident's).
    pub related: bool,
    /// It keeps analytics of its own (time to acknowledge and resolve, interruptions),
    /// shown beside the journal's insights.
    pub analytics: bool,
    /// It assigns alerts to people (`:mine`).
    pub assigns: bool,
    /// It lists resolved alerts when asked (`:resolved`), and they can be reopened there.
    pub keeps_resolved: bool,
    /// It reports the alerting rules behind alerts (`onduty rule`, the detail's RULE).
    pub reports_rules: bool,
    /// It keeps incidents (incident.io): they show in the incidents view, `:status`,
    /// `:severity` and `:role` change them there, and `:declare-in` declares new ones there.
    pub keeps_incidents: bool,
    /// It is a simulation (the demo): labelled as such wherever it speaks.
    pub is_simulated: bool,
    /// Its picture is this machine's own (a simulation, a local program): its polls are
    /// never shared between the dashboards on a journal.
    pub is_local: bool,
    /// Its vendor switches its API off on a known day (the header counts down to it).
    pub sunset: Option<Sunset>,
}

/// The day a back end's API is switched off, and what to do instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sunset {
    /// The day.
    pub on: chrono::NaiveDate,
    /// What to do before it ("move the source to kind = \"jsm_ops\"").
    pub instead: &'static str,
}

impl Sunset {
    /// Whole days from `today` until the API is off (0 on the day, negative after).
    pub fn days_left(&self, today: chrono::NaiveDate) -> i64 {
        (self.on - today).num_days()
    }

    /// The sentence the sources view and `onduty check` say: "its API is switched off on
    /// 2027-04-05 (in 121 days): move …".
    pub fn said(&self, today: chrono::NaiveDate) -> String {
        let when = match self.days_left(today) {
            d if d > 0 => format!("switched off on {} (in {d} days)", self.on),
            _ => format!("switched off since {}", self.on),
        };
        format!("its API is {when}: {}", self.instead)
    }
}

impl Capabilities {
    /// `self` with the actions a source's own keys configure made possible (a command or
    /// JSON source's `[source.actions.NAME]`): `acknowledge`, `unacknowledge`, `resolve`,
    /// `unresolve`, `silence` (one alert), and `note` (notes go to it too).
    pub fn with_configured(self, has: impl Fn(&str) -> bool) -> Capabilities {
        let can = |name: &str, no: Can| if has(name) { Can::Yes } else { no };
        Capabilities {
            acknowledge: can("acknowledge", self.acknowledge),
            unacknowledge: can("unacknowledge", self.unacknowledge),
            resolve: can("resolve", self.resolve),
            unresolve: can("unresolve", self.unresolve),
            snooze: can("silence", self.snooze),
            notes: if has("note") {
                NotesGo::AsNote
            } else {
                self.notes
            },
            ..self
        }
    }

    /// Nothing: each back end starts from here and says what it does.
    pub const NONE: Capabilities = Capabilities {
        acknowledge: Can::No("this source takes no acknowledgements"),
        unacknowledge: Can::No("this source cannot take an acknowledgement back"),
        resolve: Can::No("this source's alerts are not resolved from onduty"),
        unresolve: Can::No("this source cannot open a resolved alert again"),
        snooze: Can::No("this source cannot silence one alert"),
        reassign: Can::No("this source assigns alerts to nobody"),
        responders: Can::No("this source adds no responders"),
        silences: false,
        escalates_locally: false,
        notes: NotesGo::JournalOnly,
        tickets: false,
        related: false,
        analytics: false,
        assigns: false,
        keeps_resolved: false,
        reports_rules: false,
        keeps_incidents: false,
        is_simulated: false,
        is_local: false,
        sunset: None,
    };
}
