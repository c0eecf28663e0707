//! The roles a theme colours. Views ask for a role, never for a colour.

macro_rules! roles {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $name:literal => $fallback:expr ),+ $(,)?) => {
        /// Something on screen that a theme gives a style.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Role {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl Role {
            /// Every role.
            pub const ALL: &'static [Role] = &[$(Role::$variant),+];

            /// The key in a theme file (`severity.critical`).
            pub fn name(self) -> &'static str {
                match self { $(Role::$variant => $name,)+ }
            }

            /// The role whose style is used when a theme does not name this one.
            pub fn fallback(self) -> Option<Role> {
                match self { $(Role::$variant => $fallback,)+ }
            }

            /// The role named `name`.
            pub fn from_name(name: &str) -> Option<Role> {
                match name { $($name => Some(Role::$variant),)+ _ => None }
            }
        }
    };
}

roles! {
    /// Ordinary text.
    Text = "text.normal" => None,
    /// Secondary text: ages, hints, empty states.
    TextMuted = "text.muted" => Some(Role::Text),
    /// Emphasised text: titles of panes, the selected value.
    TextStrong = "text.strong" => Some(Role::Text),
    /// Borders of unfocused panes.
    Border = "border.normal" => Some(Role::TextMuted),
    /// The border of the focused pane.
    BorderFocused = "border.focused" => Some(Role::Border),
    /// The header line.
    Header = "header" => Some(Role::Text),
    /// The DEMO badge in the header.
    DemoBadge = "header.demo" => Some(Role::Header),
    /// The selected row.
    Selection = "selection" => None,
    /// Group header rows.
    GroupHeader = "group.header" => Some(Role::TextStrong),
    /// Critical severity.
    SeverityCritical = "severity.critical" => None,
    /// Error severity.
    SeverityError = "severity.error" => Some(Role::SeverityCritical),
    /// Warning severity.
    SeverityWarning = "severity.warning" => None,
    /// Info severity.
    SeverityInfo = "severity.info" => Some(Role::Text),
    /// Unknown severity.
    SeverityUnknown = "severity.unknown" => Some(Role::TextMuted),
    /// Firing status.
    StatusFiring = "status.firing" => Some(Role::SeverityCritical),
    /// Acknowledged status.
    StatusAcked = "status.acked" => Some(Role::TextMuted),
    /// Silenced status.
    StatusSilenced = "status.silenced" => Some(Role::TextMuted),
    /// Resolved status.
    StatusResolved = "status.resolved" => Some(Role::TextMuted),
    /// An action waiting for its source.
    StatusPending = "status.pending" => Some(Role::SeverityWarning),
    /// A healthy source.
    SourceOk = "source.ok" => None,
    /// A source whose data is old.
    SourceStale = "source.stale" => Some(Role::SeverityWarning),
    /// A failing source.
    SourceFailing = "source.failing" => Some(Role::SeverityCritical),
    /// A key in the key bar and help.
    KeyHint = "key.hint" => Some(Role::TextStrong),
    /// A key's description.
    KeyDesc = "key.desc" => Some(Role::TextMuted),
    /// The active filter.
    FilterActive = "filter.active" => Some(Role::TextStrong),
    /// An error message (toast, banner, bad filter).
    Error = "message.error" => Some(Role::SeverityCritical),
    /// An information message.
    Info = "message.info" => Some(Role::TextStrong),
    /// Label names in the detail pane.
    LabelKey = "label.key" => Some(Role::TextMuted),
    /// Label values in the detail pane.
    LabelValue = "label.value" => Some(Role::Text),
    /// Links.
    Link = "link" => Some(Role::Text),
    /// Myself in on-call views.
    Me = "oncall.me" => Some(Role::TextStrong),
}
