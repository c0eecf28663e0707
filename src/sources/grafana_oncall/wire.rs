//! Grafana OnCall public API v1 answers as sent (fields from its serializers, named in
//! `../shared/reference/grafana-oncall.md`): the page envelope, alert groups, resolution
//! notes, users and error bodies.

use serde::Deserialize;

/// Every list: a page of `results`, `next` null on the last.
#[derive(Debug, Deserialize)]
pub struct Page<T> {
    /// Its items.
    #[serde(default = "Vec::new")]
    pub results: Vec<T>,
    /// The next page's URL (built from the server's own base URL: not followed, only
    /// read as "there is more").
    #[serde(default)]
    pub next: Option<String>,
}

/// An alert group (`AlertGroupSerializer`).
#[derive(Debug, Deserialize)]
pub struct AlertGroup {
    /// Its public id.
    pub id: String,
    /// Its integration's id.
    #[serde(default)]
    pub integration_id: Option<String>,
    /// Its team's id.
    #[serde(default)]
    pub team_id: Option<String>,
    /// Its route (which escalation chain it follows).
    #[serde(default)]
    pub route_id: Option<String>,
    /// How many alerts it holds.
    #[serde(default)]
    pub alerts_count: Option<u64>,
    /// `firing` (`new` in filters), `acknowledged`, `resolved`, `silenced`.
    #[serde(default)]
    pub state: String,
    /// When it started.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When it was acknowledged.
    #[serde(default)]
    pub acknowledged_at: Option<String>,
    /// Who acknowledged it (a user id).
    #[serde(default)]
    pub acknowledged_by: Option<String>,
    /// Its labels.
    #[serde(default)]
    pub labels: Vec<Label>,
    /// Its title (null for a fresh group).
    #[serde(default)]
    pub title: Option<String>,
    /// Links to it.
    #[serde(default)]
    pub permalinks: Option<Permalinks>,
    /// The newest alert in it, with the monitoring tool's payload.
    #[serde(default)]
    pub last_alert: Option<LastAlert>,
}

/// A label: `{key: {id, name}, value: {id, name}}`.
#[derive(Debug, Deserialize)]
pub struct Label {
    /// Its key.
    pub key: Named,
    /// Its value.
    pub value: Named,
}

/// Something with a name.
#[derive(Debug, Deserialize)]
pub struct Named {
    /// The name.
    #[serde(default)]
    pub name: String,
}

/// Where an alert group is seen.
#[derive(Debug, Default, Deserialize)]
pub struct Permalinks {
    /// In Grafana.
    #[serde(default)]
    pub web: Option<String>,
    /// In Slack.
    #[serde(default)]
    pub slack: Option<String>,
}

/// The newest alert of a group.
#[derive(Debug, Deserialize)]
pub struct LastAlert {
    /// What the monitoring tool sent (Alertmanager's webhook, Grafana's, anything).
    #[serde(default)]
    pub payload: serde_json::Value,
}

/// A resolution note: OnCall's notes.
#[derive(Debug, Deserialize)]
pub struct ResolutionNote {
    /// Who wrote it (a user id; null for a service account's).
    #[serde(default)]
    pub author: Option<String>,
    /// When.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Its text.
    #[serde(default)]
    pub text: String,
}

/// A user.
#[derive(Debug, Deserialize)]
pub struct User {
    /// Its public id.
    pub id: String,
    /// Its user name.
    #[serde(default)]
    pub username: String,
    /// Its email.
    #[serde(default)]
    pub email: Option<String>,
}

/// A route of an integration: which escalation chain its groups follow.
#[derive(Debug, Deserialize)]
pub struct Route {
    /// Its id (an alert group's `route_id`).
    pub id: String,
    /// Its chain.
    #[serde(default)]
    pub escalation_chain_id: Option<String>,
}

/// An escalation chain.
#[derive(Debug, Deserialize)]
pub struct Chain {
    /// Its id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
}

/// A step of an escalation chain (only the fields of its type are sent).
#[derive(Debug, Deserialize)]
pub struct Step {
    /// Its chain.
    #[serde(default)]
    pub escalation_chain_id: String,
    /// Its place in the chain.
    #[serde(default)]
    pub position: i64,
    /// `wait`, `notify_persons`, `notify_on_call_from_schedule`, …
    #[serde(default, rename = "type")]
    pub kind: String,
    /// How long a `wait` waits, in seconds.
    #[serde(default)]
    pub duration: Option<i64>,
    /// Users a `notify_persons` step pages.
    #[serde(default)]
    pub persons_to_notify: Vec<String>,
    /// Users a `notify_person_next_each_time` step pages in turn.
    #[serde(default)]
    pub persons_to_notify_next_each_time: Vec<String>,
    /// The schedule a `notify_on_call_from_schedule` step pages.
    #[serde(default)]
    pub notify_on_call_from_schedule: Option<String>,
    /// The user group a `notify_user_group` step pages.
    #[serde(default)]
    pub group_to_notify: Option<String>,
    /// The team a `notify_team_members` step pages.
    #[serde(default)]
    pub team_to_notify: Option<String>,
}

/// A schedule and who is on call on it now.
#[derive(Debug, Deserialize)]
pub struct Schedule {
    /// Its id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// The users on call now (ids).
    #[serde(default)]
    pub on_call_now: Vec<String>,
}

/// A shift of a schedule's final rota.
#[derive(Debug, Deserialize)]
pub struct Shift {
    /// Who (their user name).
    #[serde(default)]
    pub user_username: Option<String>,
    /// From.
    #[serde(default)]
    pub shift_start: Option<String>,
    /// Until.
    #[serde(default)]
    pub shift_end: Option<String>,
}
