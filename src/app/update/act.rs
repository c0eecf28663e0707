//! Actions on alerts: asking, confirming, sending to the owning source, tracking as pending.

use super::send::send;
use crate::app::silence_editor::SilenceEditor;
use crate::app::text_input::TextInput;
use crate::app::{App, Confirm, Effect, Overlay, Prompt, PromptKind};
use crate::journal::task::Request;
use crate::model::incident::Declaration;
use crate::model::window::Length;
use crate::model::{Alert, AlertKey, SourceId, Status};
use crate::sources::{Can, Capabilities, Operation, SourceCommand};

/// `a`: acknowledge the marked alerts that are still firing, or else the selected one.
pub fn acknowledge(app: &mut App, fx: &mut Vec<Effect>) {
    if !app.marked.is_empty() {
        let firing = |a: &Alert| a.status == Status::Firing;
        let none = "none of the marked alerts is firing unacknowledged";
        let keys = marked_able(app, firing, none, |c| c.acknowledge);
        if keys.is_empty() {
            return;
        }
        let before = app.pending.keys().copied().collect();
        for key in &keys {
            send_to_every_cluster(app, key, Operation::Acknowledge, fx);
        }
        app.marked.clear();
        start_bulk(app, "ack", &before);
        return;
    }
    if let Some(key) = selected_able(app, "acknowledge", |c| c.acknowledge) {
        send_to_every_cluster(app, &key, Operation::Acknowledge, fx);
    }
}

/// `r`: ask before resolving the marked alerts that are still open, or else the selected one.
pub fn ask_resolve(app: &mut App) {
    if !app.marked.is_empty() {
        let keys = marked_able(app, is_open, ALL_RESOLVED, |c| c.resolve);
        if !keys.is_empty() {
            app.overlay = Overlay::Confirm(Confirm::ResolveMarked(keys));
        }
        return;
    }
    if let Some(key) = selected_able(app, "resolve", |c| c.resolve) {
        app.overlay = Overlay::Confirm(Confirm::Resolve(key));
    }
}

/// Counts the actions sent since `before` (the pending ones then) as one bulk action, whose
/// progress the status line shows until every outcome is in.
fn start_bulk(
    app: &mut App,
    verb: &'static str,
    before: &std::collections::BTreeSet<crate::sources::CommandId>,
) {
    let awaited: std::collections::BTreeSet<_> = app
        .pending
        .keys()
        .filter(|id| !before.contains(id))
        .copied()
        .collect();
    if awaited.is_empty() {
        return;
    }
    let total = awaited.len();
    app.bulk = Some(crate::app::Bulk {
        verb,
        awaited,
        total,
        done: 0,
        refused: 0,
        retrying: 0,
    });
    bulk_said(app);
}

/// The bulk action's progress, or its summary once every outcome is in.
pub(super) fn bulk_said(app: &mut App) {
    let Some(b) = &app.bulk else { return };
    let told = b.done + b.refused + b.retrying;
    let text = if told < b.total {
        format!("{} {told}/{}…", b.verb, b.total)
    } else {
        format!(
            "{} {}: {} done, {} refused, {} pending in the outbox (5)",
            b.verb, b.total, b.done, b.refused, b.retrying
        )
    };
    let is_error = told == b.total && (b.refused > 0 || b.retrying > 0);
    if told == b.total {
        app.bulk = None;
    }
    if is_error {
        app.toast_error(text);
    } else {
        app.toast_info(text);
    }
}

/// What is said when every marked alert has resolved.
const ALL_RESOLVED: &str = "the marked alerts are all resolved";

/// Whether `a` is still open (not resolved).
fn is_open(a: &Alert) -> bool {
    a.status != Status::Resolved
}

/// The marked alerts for which `keep` holds whose sources do what `needs`; when there are
/// none, says why (`none`, or the first source's reason).
fn marked_able(
    app: &mut App,
    keep: impl Fn(&Alert) -> bool,
    none: &str,
    needs: Needs,
) -> Vec<AlertKey> {
    let keys = marked_with(app, keep);
    if keys.is_empty() {
        app.toast_error(none.to_string());
        return keys;
    }
    able(app, keys, needs)
}

/// The marked alerts for which `keep` holds, in list order.
fn marked_with(app: &App, keep: impl Fn(&Alert) -> bool) -> Vec<AlertKey> {
    app.all_alerts()
        .map(|(_, a)| a)
        .filter(|a| app.marked.contains(&a.key) && keep(a))
        .map(|a| a.key.clone())
        .collect()
}

/// `e` (or `:escalate [LEVEL]`): ask before paging the next level, or `level`.
pub fn ask_escalate(app: &mut App, level: Option<u32>) {
    let Some(key) = selected_open(app, "escalate") else {
        return;
    };
    let has_policy = app
        .selected_alert()
        .and_then(|a| app.policy_for(a))
        .is_some();
    if !has_policy {
        app.toast_error(format!(
            "no escalation policy covers {key}: see :oncall, or add one to escalation.toml"
        ));
        return;
    }
    app.overlay = Overlay::Confirm(Confirm::Escalate(key, level));
}

/// `:reassign WHO`: hand the marked alerts still open, or else the selected one, to a user
/// or a policy.
pub fn reassign(app: &mut App, to: &str, fx: &mut Vec<Effect>) {
    let to = to.trim();
    if to.is_empty() {
        app.toast_error("reassign to whom? :reassign NAME (a user or a policy)");
        return;
    }
    let op = Operation::Reassign { to: to.to_string() };
    send_marked_or_selected(app, op, OPEN, |c| c.reassign, fx);
}

/// `:responder WHO`: ask a team, user, escalation or schedule to respond as well, on the
/// marked alerts still open, or else the selected one.
pub fn add_responder(app: &mut App, who: &str, fx: &mut Vec<Effect>) {
    let who = who.trim();
    if who.is_empty() {
        app.toast_error("which responder? :responder team:NAME (or user:, escalation:, schedule:)");
        return;
    }
    let op = Operation::AddResponder {
        who: who.to_string(),
    };
    send_marked_or_selected(app, op, OPEN, |c| c.responders, fx);
}

/// `:unack`: take the acknowledgement back on the marked alerts that are acknowledged, or
/// else the selected one: they page again.
pub fn unacknowledge(app: &mut App, fx: &mut Vec<Effect>) {
    let acked = Keep {
        holds: |a| a.status == Status::Acked,
        none_marked: "none of the marked alerts is acknowledged",
        not_this: "is not acknowledged: nothing to take back",
    };
    send_marked_or_selected(
        app,
        Operation::Unacknowledge,
        acked,
        |c| c.unacknowledge,
        fx,
    );
}

/// `:unresolve`: open the marked alerts that are resolved again, or else the selected one.
pub fn unresolve(app: &mut App, fx: &mut Vec<Effect>) {
    let resolved = Keep {
        holds: |a| a.status == Status::Resolved,
        none_marked: "none of the marked alerts is resolved",
        not_this: "is not resolved: nothing to open again",
    };
    send_marked_or_selected(app, Operation::Unresolve, resolved, |c| c.unresolve, fx);
}

/// Which alerts an action is for, and what is said when there are none.
struct Keep {
    /// Whether it is for this alert.
    holds: fn(&Alert) -> bool,
    /// Said when none of the marked alerts is.
    none_marked: &'static str,
    /// Said after the selected alert's key when it is not.
    not_this: &'static str,
}

/// Actions on open alerts (a resolved selected alert is refused before `not_this`).
const OPEN: Keep = Keep {
    holds: is_open,
    none_marked: ALL_RESOLVED,
    not_this: "is resolved",
};

/// Sends `op` to the marked alerts `keep` is for as one bulk action, or else to the selected
/// alert when it is, where the source does `needs`; says why not otherwise.
fn send_marked_or_selected(
    app: &mut App,
    op: Operation,
    keep: Keep,
    needs: Needs,
    fx: &mut Vec<Effect>,
) {
    let verb = op.verb();
    if !app.marked.is_empty() {
        if marked_with(app, keep.holds).is_empty() {
            app.toast_error(keep.none_marked.to_string());
            return;
        }
        let before = app.pending.keys().copied().collect();
        for key in marked_able(app, keep.holds, keep.none_marked, needs) {
            send(app, key, op.clone(), fx);
        }
        app.marked.clear();
        start_bulk(app, verb, &before);
        return;
    }
    // What `keep` holds decides, not whether the alert is open: `:unresolve` is for
    // resolved ones.
    let Some(key) = app.selected_alert().map(|a| a.key.clone()) else {
        app.toast_error(format!("no alert selected to {verb}"));
        return;
    };
    if let Can::No(why) = app.source_can(&key, needs) {
        app.toast_error(why);
        return;
    }
    match app.selected_alert().is_some_and(keep.holds) {
        true => send(app, key, op, fx),
        false => app.toast_error(format!("{key} {}", keep.not_this)),
    }
}

/// `s`: the input line for a silence (a snooze where the back end snoozes) on the marked
/// alerts still open, or else the selected one.
pub fn open_silence_prompt(app: &mut App) {
    let keys = if app.marked.is_empty() {
        match selected_able(app, "silence", |c| c.snooze) {
            Some(key) => vec![key],
            None => return,
        }
    } else {
        let keys = marked_able(app, is_open, ALL_RESOLVED, |c| c.snooze);
        if keys.is_empty() {
            return;
        }
        keys
    };
    let input = TextInput::with_text(&format!(
        "{} ",
        crate::duration_fmt::short(app.settings.silence_duration)
    ));
    app.overlay = Overlay::Prompt(Prompt {
        kind: PromptKind::Silence(keys),
        input,
        error: None,
    });
}

/// `I`: declare an incident from the marked alerts, or the selected one.
pub fn open_incident_prompt(app: &mut App) {
    // What the responder acts on is what they are looking at: from another view, the alert
    // list's selection is hidden.
    if app.view != crate::app::View::Alerts {
        app.toast_error("I declares an incident from the alerts you see: go to the alert list (1)");
        return;
    }
    let keys = marked_or_selected(app);
    if keys.is_empty() {
        app.toast_error("no alert selected to declare an incident from");
        return;
    }
    if let Some(id) = keys
        .iter()
        .map(|k| app.open_incident_of(k))
        .collect::<Option<Vec<i64>>>()
        .and_then(|ids| ids.first().copied())
    {
        app.toast_error(format!(
            "already in INC#{id}: :attach adds alerts to an incident, I declares a new one for alerts in none"
        ));
        return;
    }
    app.overlay = Overlay::Prompt(Prompt {
        kind: PromptKind::Incident(keys),
        input: TextInput::default(),
        error: None,
    });
}

/// The marked alerts, or else the selected one.
pub fn marked_or_selected(app: &App) -> Vec<AlertKey> {
    if app.marked.is_empty() {
        app.selected_alert()
            .map(|a| a.key.clone())
            .into_iter()
            .collect()
    } else {
        app.marked.iter().cloned().collect()
    }
}

/// A severity as typed (`SEV2`, `sev2`, `2`): none when it is no number, an error when it is
/// out of 1..4.
pub fn parse_severity(word: &str) -> Option<Result<u8, String>> {
    let number = word
        .strip_prefix("SEV")
        .or_else(|| word.strip_prefix("sev"))
        .unwrap_or(word);
    match number.parse::<u8>() {
        Ok(n @ 1..=4) => Some(Ok(n)),
        Ok(_) => Some(Err("severity is SEV1 to SEV4".into())),
        Err(_) => None,
    }
}

/// "SEV2 Checkout is down" (or "2 …"): severity 1..4 (default 3) and title.
pub fn parse_declaration(text: &str) -> Result<(u8, String), String> {
    let text = text.trim();
    let (first, rest) = text.split_once(' ').unwrap_or((text, ""));
    let (severity, title) = match parse_severity(first) {
        Some(Ok(n)) => (n, rest.trim()),
        Some(Err(e)) => return Err(e),
        None => (3, text),
    };
    if title.is_empty() {
        return Err("give the incident a title: SEV2 Checkout is down".into());
    }
    Ok((severity, title.to_string()))
}

/// Enter in a prompt: validate, then send.
pub fn submit_prompt(app: &mut App, fx: &mut Vec<Effect>) {
    let Overlay::Prompt(prompt) = &app.overlay else {
        return;
    };
    let text = prompt.input.text().trim().to_string();
    let done = match prompt.kind.clone() {
        PromptKind::Silence(keys) => parse_silence(&text).map(|op| silence_all(app, keys, op, fx)),
        PromptKind::LinkTicket(subject) => super::tickets::link(app, &subject, &text, fx),
        PromptKind::ExportPostmortem => super::postmortem::export_to(app, &text, fx),
        PromptKind::Incident(keys) => parse_declaration(&text).map(|(severity, title)| {
            declare(app, title, severity, keys, fx);
            app.marked.clear();
            app.view = crate::app::View::Incidents;
        }),
    };
    match done {
        Ok(()) => app.overlay = Overlay::None,
        Err(e) => {
            if let Overlay::Prompt(p) = &mut app.overlay {
                p.error = Some(e);
            }
        }
    }
}

/// Declares incident "SEV`severity` `title`" of `keys` where `:declare-in` says: the
/// journal, a back end that keeps incidents, or both (`I`, `onduty declare`).
pub fn declare(
    app: &mut App,
    title: String,
    severity: u8,
    keys: Vec<AlertKey>,
    fx: &mut Vec<Effect>,
) {
    if let Some(source) = app.declare_in.source.clone() {
        declare_kept(app, &source, &title, severity, &keys, fx);
    }
    if app.declare_in.journal() {
        fx.push(Effect::Journal(Request::DeclareIncident(Declaration {
            title,
            severity,
            alerts: keys,
            author: app.settings.identity.clone(),
        })));
    }
}

/// Declares an incident in `source` (`:declare-in`), through the outbox: its summary names
/// the alerts it was declared from; one idempotency key for every send of it.
fn declare_kept(
    app: &mut App,
    source: &crate::model::SourceId,
    title: &str,
    severity: u8,
    keys: &[AlertKey],
    fx: &mut Vec<Effect>,
) {
    let mut summary = format!("Declared from onduty by {}.", app.settings.identity);
    for key in keys {
        let shown = app
            .all_alerts()
            .find(|(_, a)| &a.key == key)
            .map_or(String::new(), |(_, a)| format!(": {}", a.title));
        summary.push_str(&format!("\n- {key}{shown}"));
    }
    let op = Operation::DeclareIncident(Box::new(crate::model::incident::NewIncident {
        title: title.to_string(),
        severity,
        summary,
        idempotency_key: crate::model::new_marker(),
    }));
    super::send::send(app, AlertKey(format!("{source}:")), op, fx);
}

/// Silences each of `keys` (on every instance of its cluster); several make one bulk action.
fn silence_all(app: &mut App, keys: Vec<AlertKey>, op: Operation, fx: &mut Vec<Effect>) {
    if let [key] = keys.as_slice() {
        send_to_every_cluster(app, key, op, fx);
        return;
    }
    let before = app.pending.keys().copied().collect();
    for key in &keys {
        send_to_every_cluster(app, key, op.clone(), fx);
    }
    app.marked.clear();
    start_bulk(app, "silence", &before);
}

/// "2h deploy in progress" → a two-hour silence with that comment.
fn parse_silence(text: &str) -> Result<Operation, String> {
    let (duration, comment) = text.split_once(' ').unwrap_or((text, ""));
    let duration = crate::duration_fmt::parse(duration)?;
    if duration.is_zero() {
        return Err("a silence needs a length (30m, 2h, 1d)".into());
    }
    let comment = if comment.trim().is_empty() {
        "silenced from onduty"
    } else {
        comment.trim()
    };
    Ok(Operation::Silence {
        duration,
        comment: comment.to_string(),
    })
}

/// A yes to a question.
pub fn confirmed(app: &mut App, confirm: Confirm, fx: &mut Vec<Effect>) {
    match confirm {
        Confirm::Resolve(key) => send(app, key, Operation::Resolve, fx),
        Confirm::ResolveMarked(keys) => {
            let before = app.pending.keys().copied().collect();
            for key in keys {
                send(app, key, Operation::Resolve, fx);
            }
            app.marked.clear();
            start_bulk(app, "resolve", &before);
        }
        Confirm::Quit => fx.push(Effect::Quit),
        Confirm::Escalate(key, level) => send(app, key, Operation::Escalate { level }, fx),
        Confirm::Expire(silences, _) => {
            let before = app.pending.keys().copied().collect();
            let is_bulk = silences.len() > 1;
            for (source, id) in silences {
                let key = AlertKey(format!("{source}:"));
                send(app, key, Operation::ExpireSilence { id }, fx);
            }
            if is_bulk {
                start_bulk(app, "expire", &before);
            }
        }
    }
}

/// `S`: the silence editor over the marked alerts, or the selected one.
pub fn open_silence_editor(app: &mut App) {
    let mut targets: Vec<&crate::model::Alert> = app
        .all_alerts()
        .map(|(_, a)| a)
        .filter(|a| app.marked.contains(&a.key))
        .collect();
    if targets.is_empty() {
        targets.extend(app.selected_alert());
    }
    if targets.is_empty() {
        app.toast_error("select or mark (space) the alerts to silence");
        return;
    }
    let editor = SilenceEditor::for_alerts(&targets, app.settings.silence_duration);
    app.overlay = Overlay::SilenceEditor(editor);
    refresh_preview(app);
}

/// Recomputes the editor's live preview over every current alert.
pub fn refresh_preview(app: &mut App) {
    let mut overlay = std::mem::replace(&mut app.overlay, Overlay::None);
    if let Overlay::SilenceEditor(editor) = &mut overlay {
        editor.refresh_preview(app.all_alerts().map(|(_, a)| a));
    }
    app.overlay = overlay;
}

/// Enter in the editor: validate, then create the silence on every cluster whose alerts it
/// catches (or the selected alert's source when it catches none yet).
pub fn submit_silence_editor(app: &mut App, fx: &mut Vec<Effect>) {
    let Overlay::SilenceEditor(editor) = &mut app.overlay else {
        return;
    };
    let parsed = editor
        .parsed_matchers()
        .and_then(|m| Ok((m, Length::parse(editor.duration.text())?)));
    let (matchers, length) = match parsed {
        Ok(v) => v,
        Err(e) => {
            editor.error = Some(e);
            return;
        }
    };
    let comment = match editor.comment.text().trim() {
        "" => "silenced from onduty".to_string(),
        c => c.to_string(),
    };
    let caught: Vec<AlertKey> = editor
        .preview
        .iter()
        .flatten()
        .map(|c| c.key.clone())
        .collect();
    app.overlay = Overlay::None;
    app.marked.clear();
    // A maintenance window is all its silences at once, pending in the back end until
    // each starts.
    let ops: Vec<Operation> = match length {
        Length::For(duration) => vec![Operation::CreateSilence {
            matchers,
            starts_at: None,
            duration,
            comment,
        }],
        Length::Window { every, until } => {
            let id = crate::model::window::new_id();
            crate::model::window::plan(&every, (app.now, until), &comment, &id, 1)
                .into_iter()
                .map(|p| Operation::CreateSilence {
                    matchers: matchers.clone(),
                    starts_at: Some(p.starts_at),
                    duration: p.duration,
                    comment: p.comment,
                })
                .collect()
        }
    };
    if ops.is_empty() {
        app.toast_error("no occurrence of that window is left before its last day");
        return;
    }
    // Silences gossip within a cluster: one per cluster whose alerts it catches, counting
    // every instance of each caught alert.
    let mut anchors: Vec<AlertKey> = if caught.is_empty() {
        app.selected.iter().cloned().collect()
    } else {
        caught
    };
    let others: Vec<AlertKey> = anchors
        .iter()
        .flat_map(|k| app.duplicates.get(k).into_iter().flatten())
        .filter_map(|r| app.alert(*r).map(|a| a.key.clone()))
        .collect();
    anchors.extend(others);
    let mut sources: Vec<SourceId> = Vec::new();
    let mut clusters: Vec<String> = Vec::new();
    for key in &anchors {
        let Some(state) = app.source_of(&key.0) else {
            continue;
        };
        let cluster = state
            .info
            .cluster
            .clone()
            .unwrap_or_else(|| state.info.id.0.to_string());
        if !clusters.contains(&cluster) {
            clusters.push(cluster);
            sources.push(state.info.id.clone());
        }
    }
    let before = app.pending.keys().copied().collect();
    for source in sources {
        for op in &ops {
            send(app, AlertKey(format!("{source}:")), op.clone(), fx);
        }
    }
    if ops.len() > 1 {
        start_bulk(app, "silence", &before);
    }
}

/// `x` in the silences view: ask before expiring the selected silence.
pub fn ask_expire(app: &mut App) {
    let confirm = match app.selected_silence() {
        Some(s) if s.state == crate::model::SilenceState::Expired => {
            let msg = format!("silence {} has expired already", s.id);
            app.toast_error(msg);
            return;
        }
        // A maintenance window's silence: the window goes as one.
        Some(s) if let Some(tag) = s.window() => {
            let all = app.window_silences(&tag.id);
            let what = format!(
                "window {} ({}): {} silence(s)",
                tag.id,
                tag.every,
                all.len()
            );
            Confirm::Expire(all, what)
        }
        Some(s) => Confirm::Expire(
            vec![(s.source.clone(), s.id.clone())],
            format!("silence {} on {}", s.id, s.source),
        ),
        None => {
            app.toast_error("no silence selected");
            return;
        }
    };
    app.overlay = Overlay::Confirm(confirm);
}

/// `:expire-all`: every silence the view lists now that is not over (with `:silences
/// stale`, the stale ones), after a confirmation.
pub fn ask_expire_listed(app: &mut App) {
    let listed: Vec<(crate::model::SourceId, String)> = app
        .silence_list
        .rows
        .iter()
        .filter_map(|&(s, i, _)| app.sources.get(s)?.silences.get(i))
        .filter(|s| s.state != crate::model::SilenceState::Expired)
        .map(|s| (s.source.clone(), s.id.clone()))
        .collect();
    if listed.is_empty() {
        app.toast_error("no silence listed that is not over");
        return;
    }
    let what = format!("the {} silence(s) listed", listed.len());
    app.overlay = Overlay::Confirm(Confirm::Expire(listed, what));
}

/// Hands `command` to every source.
pub fn to_every_source(app: &mut App, fx: &mut Vec<Effect>, command: SourceCommand) {
    for s in &app.sources {
        fx.push(Effect::SendCommand {
            source: s.info.id.clone(),
            command: command.clone(),
        });
    }
}

/// The selected alert's key, if it is open; otherwise says why not.
fn selected_open(app: &mut App, verb: &str) -> Option<AlertKey> {
    match app.selected_alert() {
        None => {
            app.toast_error(format!("no alert selected to {verb}"));
            None
        }
        Some(a) if a.status == Status::Resolved => {
            let msg = format!("{} is already resolved", a.key);
            app.toast_error(msg);
            None
        }
        Some(a) => Some(a.key.clone()),
    }
}

/// What an action needs of a source.
type Needs = fn(&Capabilities) -> Can;

/// The selected alert, still open, whose source does what `needs`; else says why not.
fn selected_able(app: &mut App, verb: &str, needs: Needs) -> Option<AlertKey> {
    let key = selected_open(app, verb)?;
    match app.source_can(&key, needs) {
        Can::Yes => Some(key),
        Can::No(why) => {
            app.toast_error(why);
            None
        }
    }
}

/// Those of `keys` whose sources do what `needs`; when none does, says why (the first
/// source's reason).
fn able(app: &mut App, keys: Vec<AlertKey>, needs: Needs) -> Vec<AlertKey> {
    let mut why = None;
    let able: Vec<AlertKey> = keys
        .into_iter()
        .filter(|k| match app.source_can(k, needs) {
            Can::Yes => true,
            Can::No(w) => {
                why.get_or_insert(w);
                false
            }
        })
        .collect();
    if let (true, Some(why)) = (able.is_empty(), why) {
        app.toast_error(why);
    }
    able
}

/// Sends `op` on the alert `key` to its source and to one instance in each other cluster
/// that reports the same alert (`App::keys_in_every_cluster`).
fn send_to_every_cluster(app: &mut App, key: &AlertKey, op: Operation, fx: &mut Vec<Effect>) {
    for k in app.keys_in_every_cluster(key) {
        send(app, k, op.clone(), fx);
    }
}

impl App {
    /// Where an ack or silence of alert `key` goes: `key` itself, then one instance in each
    /// other cluster that reports the same alert (silences gossip within a cluster, not
    /// across clusters). `key` may be any instance's, leading the row or not.
    pub fn keys_in_every_cluster(&self, key: &AlertKey) -> Vec<AlertKey> {
        let cluster_of = |source: &crate::model::SourceId| {
            let info = self
                .sources
                .iter()
                .find(|s| &s.info.id == source)
                .map(|s| &s.info);
            info.map(|i| i.cluster.clone().unwrap_or_else(|| i.id.0.to_string()))
                .unwrap_or_default()
        };
        let leader = if self.duplicates.contains_key(key) {
            Some(key.clone())
        } else {
            self.duplicates
                .iter()
                .find(|(_, others)| {
                    others
                        .iter()
                        .any(|r| self.alert(*r).is_some_and(|a| &a.key == key))
                })
                .map(|(leader, _)| leader.clone())
        };
        let reporting: Vec<&crate::model::Alert> = match &leader {
            Some(leader) => {
                let first = self.all_alerts().map(|(_, a)| a).find(|a| &a.key == leader);
                let others = self.duplicates.get(leader).into_iter().flatten();
                first
                    .into_iter()
                    .chain(others.filter_map(|r| self.alert(*r)))
                    .collect()
            }
            None => Vec::new(),
        };
        let mut keys = vec![key.clone()];
        let mut clusters: Vec<String> = Vec::new();
        if let Some(own) = reporting.iter().find(|a| &a.key == key) {
            clusters.push(cluster_of(&own.source));
        }
        for other in reporting {
            let cluster = cluster_of(&other.source);
            if !clusters.contains(&cluster) {
                clusters.push(cluster);
                keys.push(other.key.clone());
            }
        }
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_text_parses_duration_and_comment() {
        let op = parse_silence("2h deploy in progress").unwrap();
        assert_eq!(
            op,
            Operation::Silence {
                duration: std::time::Duration::from_secs(7200),
                comment: "deploy in progress".into()
            }
        );
        assert!(parse_silence("soon").is_err());
        assert!(parse_silence("0s").is_err());
    }
}
