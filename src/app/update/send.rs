//! Sending a responder's action to its source: once (not while the same one is pending),
//! recorded as pending until its outcome, refused with the reason while the journal is
//! unusable. Every action path (alerts, tickets, incidents, notes) goes through here.

use crate::app::{App, Effect, Pending};
use crate::model::AlertKey;
use crate::sources::{Operation, SourceCommand};

/// Sends `op` on `key` to its source and records it as pending.
pub(in crate::app) fn send(app: &mut App, key: AlertKey, op: Operation, fx: &mut Vec<Effect>) {
    let Some(source) = app.source_of(&key.0) else {
        app.toast_error(format!("no source for {key}"));
        return;
    };
    let source = source.info.id.clone();
    if app.pending.values().any(|p| p.key == key && p.op == op) {
        app.toast_error(format!("{} on {key} is already pending", op.verb()));
        return;
    }
    if let Some(e) = &app.journal_error {
        app.toast_error(format!("{} not sent: {e}", op.verb()));
        return;
    }
    let id = crate::journal::outbox::new_command_id();
    app.pending.insert(
        id,
        Pending {
            key: key.clone(),
            op: op.clone(),
            since: app.now,
            retrying: None,
        },
    );
    let author = app.settings.identity.clone();
    fx.push(Effect::SendCommand {
        source,
        command: SourceCommand::Perform {
            id,
            key,
            op,
            author,
        },
    });
}
