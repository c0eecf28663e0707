//! Writing notes: opening the note editor on an alert, an incident or a timeline entry to
//! correct, keeping its draft in the journal after every edit, saving it; starring entries.

use crate::app::note_editor::{EditorOutcome, NoteEditor, UnsavedNote};
use crate::app::{App, Effect, Overlay};
use crate::journal::drafts::{Draft, draft_subject};
use crate::journal::task::Request;

/// Opens the editor on `subject` (correcting entry `corrects`), holding the draft kept from
/// before, or else `start`.
pub fn open(app: &mut App, subject: String, corrects: Option<i64>, start: &str) {
    if app.settings.is_read_only {
        app.toast_error("read-only: notes cannot be written here");
        return;
    }
    // A note kept while the journal is down opens again as itself: saving changes it.
    let kept = app
        .unsaved_notes
        .iter()
        .find(|n| !n.is_sent && n.subject == subject && n.corrects == corrects);
    if let Some(note) = kept {
        let mut editor = NoteEditor::new(subject, corrects, &note.text);
        editor.unsaved = Some(note.client_id);
        editor.error = Some(KEPT_FOR_LATER.into());
        app.overlay = Overlay::NoteEditor(Box::new(editor));
        return;
    }
    let draft = app
        .drafts
        .get(&draft_subject(&subject, corrects))
        .map_or(start, String::as_str);
    app.overlay = Overlay::NoteEditor(Box::new(NoteEditor::new(subject, corrects, draft)));
}

/// `:correct ID`: a correction of a timeline entry, starting from its text.
pub fn open_correction(app: &mut App, id: i64) {
    let Some(entry) = app.timeline.values().flatten().find(|e| e.id == id) else {
        app.toast_error(format!(
            "correct: there is no timeline entry #{id} on screen"
        ));
        return;
    };
    let (subject, body) = (entry.subject.clone(), entry.body.clone());
    open(app, subject, Some(id), &body);
}

/// A key in the editor.
pub fn on_key(app: &mut App, key: crossterm::event::KeyEvent, fx: &mut Vec<Effect>) {
    let Overlay::NoteEditor(editor) = &mut app.overlay else {
        return;
    };
    let outcome = editor.handle(key);
    after(app, outcome, fx);
}

/// Pasted text in the editor.
pub fn on_paste(app: &mut App, text: &str, fx: &mut Vec<Effect>) {
    let Overlay::NoteEditor(editor) = &mut app.overlay else {
        return;
    };
    let outcome = editor.paste(text);
    after(app, outcome, fx);
}

fn after(app: &mut App, outcome: EditorOutcome, fx: &mut Vec<Effect>) {
    let Overlay::NoteEditor(editor) = &mut app.overlay else {
        return;
    };
    if editor.is_postmortem {
        return super::postmortem::after_edit(app, outcome, fx);
    }
    let key = draft_subject(&editor.subject, editor.corrects);
    match outcome {
        EditorOutcome::Moved => {}
        EditorOutcome::Edited => {
            // Kept as typed: the journal task writes it off this task.
            let body = editor.text();
            fx.push(Effect::Journal(Request::SaveDraft(Draft {
                subject: key.clone(),
                author: app.settings.identity.clone(),
                body: body.clone(),
                updated_at: app.now,
            })));
            if body.trim().is_empty() {
                app.drafts.remove(&key);
            } else {
                app.drafts.insert(key, body);
            }
        }
        EditorOutcome::Save => {
            let text = editor.text();
            if text.trim().is_empty() {
                editor.error = Some("the note is empty".into());
                return;
            }
            let note = UnsavedNote {
                client_id: editor.unsaved.unwrap_or_else(new_client_id),
                subject: editor.subject.clone(),
                // Saved as shown: a paste's escape sequences are not part of a note.
                text: crate::model::sanitize::text(&text, crate::model::sanitize::TEXT_CAP),
                corrects: editor.corrects,
                is_sent: false,
                saved_at: app.now,
            };
            // No draft any more: kept as an unsaved note until the journal has it, so that
            // saving again meanwhile changes it instead of writing it twice.
            if app.journal_error.is_some() {
                editor.unsaved = Some(note.client_id);
                editor.error = Some(KEPT_FOR_LATER.into());
                app.drafts.remove(&key);
                keep(app, note);
                return;
            }
            app.drafts.remove(&key);
            app.overlay = Overlay::None;
            let id = note.client_id;
            keep(app, note);
            send(app, id, fx);
        }
        EditorOutcome::Close => {
            let unsent = editor.unsaved.is_some();
            let kept = app.drafts.contains_key(&key);
            app.overlay = Overlay::None;
            if unsent {
                app.toast_info("note kept: saved when the journal is back (n shows it)");
            } else if kept {
                app.toast_info("draft kept: n opens it again");
            }
        }
    }
}

/// What the editor says of a note the journal cannot take now.
pub const KEPT_FOR_LATER: &str = "journal unreachable — kept here, will save when it is back";

/// Saves `text` on `subject` as a note (`:note`): sent now, or kept until the journal is back.
pub fn save(app: &mut App, subject: String, text: String, fx: &mut Vec<Effect>) {
    let note = UnsavedNote {
        client_id: new_client_id(),
        subject,
        text: crate::model::sanitize::text(&text, crate::model::sanitize::TEXT_CAP),
        corrects: None,
        is_sent: false,
        saved_at: app.now,
    };
    let id = note.client_id;
    keep(app, note);
    if app.journal_error.is_some() {
        app.toast_info("journal unreachable: note kept, will save when it is back");
    } else {
        send(app, id, fx);
        app.toast_info("note saved");
    }
}

/// A number for a new note, unique in the journal (random, like outbox ids).
fn new_client_id() -> i64 {
    fastrand::i64(1..i64::MAX)
}

/// Holds `note` until the journal has it, in place of an earlier version of it.
fn keep(app: &mut App, note: UnsavedNote) {
    app.unsaved_notes.retain(|n| n.client_id != note.client_id);
    app.unsaved_notes.push(note);
}

/// Hands unsaved note `client_id` to the journal; then, where its subject lives at a back
/// end that keeps notes (a ticket, a PagerDuty incident), sends it there too: journaled first.
fn send(app: &mut App, client_id: i64, fx: &mut Vec<Effect>) {
    let Some(note) = app
        .unsaved_notes
        .iter_mut()
        .find(|n| n.client_id == client_id)
    else {
        return;
    };
    note.is_sent = true;
    let note = note.clone();
    fx.push(Effect::Journal(Request::Note {
        subject: note.subject.clone(),
        author: app.settings.identity.clone(),
        text: note.text.clone(),
        corrects: note.corrects,
        client_id,
    }));
    if note.corrects.is_none() {
        super::tickets::note_saved(app, &note.subject, &note.text, fx);
    }
}

/// The journal could not write note `client_id`: kept, and sent again when it is back.
pub fn not_written(app: &mut App, client_id: i64) {
    let note = app
        .unsaved_notes
        .iter_mut()
        .find(|n| n.client_id == client_id);
    if let Some(note) = note {
        note.is_sent = false;
        app.toast_error("journal unreachable: note kept, will save when it is back (n shows it)");
    }
}

/// The journal works again: every note kept meanwhile is sent, under its own number.
pub fn journal_back(app: &mut App, fx: &mut Vec<Effect>) {
    let waiting: Vec<i64> = app
        .unsaved_notes
        .iter()
        .filter(|n| !n.is_sent)
        .map(|n| n.client_id)
        .collect();
    for id in &waiting {
        send(app, *id, fx);
    }
    // An editor showing a kept note closes: the note is on its way.
    if let Overlay::NoteEditor(editor) = &app.overlay
        && editor.unsaved.is_some_and(|id| waiting.contains(&id))
    {
        app.overlay = Overlay::None;
    }
    if !waiting.is_empty() {
        app.toast_info(format!(
            "journal back: saving {} kept note(s)",
            waiting.len()
        ));
    }
}

/// Notes written by this responder came back from the journal: their drafts are done.
pub fn notes_written(app: &mut App, entries: &[crate::model::Entry]) {
    use crate::model::EntryKind;
    for e in entries {
        if matches!(e.kind, EntryKind::Note | EntryKind::Correction)
            && e.author == app.settings.identity
        {
            let key = draft_subject(&e.subject, e.corrects);
            if app.drafts.get(&key).is_some_and(|d| *d == e.body) {
                app.drafts.remove(&key);
            }
            app.unsaved_notes.retain(|n| {
                !(n.is_sent
                    && n.subject == e.subject
                    && n.corrects == e.corrects
                    && n.text == e.body)
            });
        }
    }
}

/// `:star ID` / `:unstar ID`.
pub fn star(app: &mut App, text: &str, starred: bool, fx: &mut Vec<Effect>) {
    let word = if starred { "star" } else { "unstar" };
    let Ok(id) = text.trim().trim_start_matches('#').parse::<i64>() else {
        app.toast_error(format!(
            "{word} ID: the entry's number, as the timeline shows it (#12)"
        ));
        return;
    };
    fx.push(Effect::Journal(Request::Star { id, starred }));
}

/// The journal starred or unstarred entry `id`.
pub fn starred(app: &mut App, id: i64, starred: bool) {
    for entry in app.timeline.values_mut().flatten() {
        if entry.id == id {
            entry.starred = starred;
        }
    }
}

/// Drafts kept by an earlier run: back in the editor with `n`, and said once.
pub fn drafts_found(app: &mut App, drafts: Vec<Draft>) {
    let Some(newest) = drafts.first() else {
        return;
    };
    app.toast_info(format!(
        "an unsaved note on {} was kept: n on it to go on",
        crate::model::sanitize::line(&newest.subject, 80)
    ));
    for d in drafts {
        app.drafts.insert(d.subject, d.body);
    }
}

impl App {
    /// `n`: a note on the selected alert, or in the incidents view on the open incident.
    pub(super) fn open_note(&mut self) {
        if self.view == crate::app::View::Incidents {
            if let Some((incident, _)) = super::which::which_incident(self, "note", "") {
                open(self, incident.subject(), None, "");
            }
            return;
        }
        match self.selected_alert() {
            Some(a) => {
                let subject = a.key.0.clone();
                open(self, subject, None, "");
            }
            None => self.toast_error("no alert selected to write a note on"),
        }
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::super::tests::{code, key, typed};
    use crate::app::{Action, App, Effect, Overlay};
    use crate::journal::drafts::Draft;
    use crate::journal::task::{JournalEvent, Request};
    use crate::model::{Entry, EntryKind};
    use crate::testing::demo_app;

    fn save(app: &mut App) -> Vec<Effect> {
        app.update(Action::Key(KeyEvent::new(
            KeyCode::Char('s'),
            KeyModifiers::CONTROL,
        )))
    }

    fn editor_text(app: &App) -> Option<String> {
        match &app.overlay {
            Overlay::NoteEditor(e) => Some(e.text()),
            _ => None,
        }
    }

    #[test]
    fn a_note_is_kept_as_a_draft_while_typed_then_saved_as_typed() {
        let mut app = demo_app(100, 80, 24);
        key(&mut app, 'n');
        typed(&mut app, "restarted");
        code(&mut app, KeyCode::Enter);
        let fx = key(&mut app, 'x');
        let subject = app.selected_alert().map(|a| a.key.0.clone()).unwrap();
        assert!(
            matches!(fx.as_slice(), [Effect::Journal(Request::SaveDraft(Draft { subject: s, author, body, .. }))]
                if *s == subject && author == "ana" && body == "restarted\nx"),
            "every edit keeps the draft: {fx:?}"
        );
        let fx = save(&mut app);
        assert!(
            matches!(fx.as_slice(), [Effect::Journal(Request::Note { subject: s, text, corrects: None, .. })]
                if *s == subject && text == "restarted\nx"),
            "{fx:?}"
        );
        assert_eq!(app.overlay, Overlay::None);
        assert!(app.drafts.is_empty(), "a saved note is no draft");
        assert_eq!(
            app.unsaved_notes.len(),
            1,
            "kept until the journal says the note is written"
        );
        app.update(Action::Journal(JournalEvent::Entries(vec![Entry {
            id: 1,
            subject: subject.clone(),
            at: app.now,
            author: "ana".into(),
            kind: EntryKind::Note,
            body: "restarted\nx".into(),
            starred: false,
            corrects: None,
        }])));
        assert!(
            app.unsaved_notes.is_empty(),
            "a written note is kept no more"
        );
    }

    #[test]
    fn the_writers_own_note_shows_in_the_detail_at_once_then_as_the_journal_wrote_it() {
        let mut app = demo_app(100, 120, 80);
        code(&mut app, KeyCode::Enter);
        key(&mut app, 'n');
        typed(&mut app, "failing over db-2");
        save(&mut app);
        let subject = app.selected_alert().map(|a| a.key.0.clone()).unwrap();
        let before = crate::testing::screen(&app, 120, 80);
        assert!(
            before.contains("note (saving…):") && before.contains("failing over db-2"),
            "shown before the journal answers:\n{before}"
        );
        app.update(Action::Journal(JournalEvent::Entries(vec![Entry {
            id: 7,
            subject,
            at: app.now,
            author: "ana".into(),
            kind: EntryKind::Note,
            body: "failing over db-2".into(),
            starred: false,
            corrects: None,
        }])));
        let after = crate::testing::screen(&app, 120, 80);
        assert!(after.contains("#7 "), "{after}");
        assert!(
            !after.contains("saving…"),
            "shown once, as written:\n{after}"
        );
        assert_eq!(
            after.matches("note: failing over db-2").count(),
            1,
            "in the timeline once: {after}"
        );
    }

    /// The one `Request::Note` among `fx`: (client id, text).
    fn sent_note(fx: &[Effect]) -> Option<(i64, String)> {
        let notes: Vec<_> = fx
            .iter()
            .filter_map(|e| match e {
                Effect::Journal(Request::Note {
                    client_id, text, ..
                }) => Some((*client_id, text.clone())),
                _ => None,
            })
            .collect();
        assert!(notes.len() <= 1, "{notes:?}");
        notes.into_iter().next()
    }

    #[test]
    fn with_the_journal_down_the_note_stays_in_the_editor_and_is_saved_once_it_is_back() {
        let mut app = demo_app(100, 80, 24);
        app.update(Action::Journal(JournalEvent::Unavailable(
            "journal: pool timed out".into(),
        )));
        key(&mut app, 'n');
        typed(&mut app, "db-2 is back");
        assert!(save(&mut app).is_empty(), "nothing is sent");
        assert!(
            matches!(&app.overlay, Overlay::NoteEditor(e)
                if e.error.as_deref() == Some(super::KEPT_FOR_LATER) && e.text() == "db-2 is back"),
            "{:?}",
            app.overlay
        );
        // Saved again, edited: the same note, changed, not a second one.
        typed(&mut app, "!");
        assert!(save(&mut app).is_empty());
        code(&mut app, KeyCode::Esc);
        assert_eq!(app.unsaved_notes.len(), 1);
        let fx = app.update(Action::Journal(JournalEvent::Available));
        let (id, text) = sent_note(&fx).expect("sent when the journal is back");
        assert_eq!(text, "db-2 is back!");
        assert_eq!(app.unsaved_notes[0].client_id, id);
        // Another availability changes nothing: it is with the journal already.
        assert_eq!(
            sent_note(&app.update(Action::Journal(JournalEvent::Available))),
            None
        );
    }

    #[test]
    fn a_note_the_journal_could_not_write_is_kept_reopened_as_itself_and_sent_again_once() {
        let mut app = demo_app(100, 80, 24);
        key(&mut app, 'n');
        typed(&mut app, "A-note-5");
        let (id, _) = sent_note(&save(&mut app)).expect("sent");
        assert_eq!(app.overlay, Overlay::None, "the editor closes at once");
        // The journal was down and nobody knew yet: the write fails ten seconds later.
        app.update(Action::Journal(JournalEvent::NoteNotWritten {
            client_id: id,
        }));
        app.update(Action::Journal(JournalEvent::Unavailable(
            "journal: pool timed out".into(),
        )));
        assert!(
            app.toast
                .as_ref()
                .is_some_and(|t| t.text.contains("pool timed out")),
        );
        // n shows the kept note itself, not a draft to append to and save as a second note.
        key(&mut app, 'n');
        assert_eq!(editor_text(&app).as_deref(), Some("A-note-5"));
        typed(&mut app, " and A-note-6");
        assert!(save(&mut app).is_empty(), "still down");
        let fx = app.update(Action::Journal(JournalEvent::Available));
        assert_eq!(
            sent_note(&fx),
            Some((id, "A-note-5 and A-note-6".to_string())),
            "one note, under its first number: the journal writes it once"
        );
        assert_eq!(
            app.overlay,
            Overlay::None,
            "the editor of a sent note closes"
        );
    }

    #[test]
    fn esc_keeps_the_draft_and_n_brings_it_back() {
        let mut app = demo_app(100, 80, 24);
        key(&mut app, 'n');
        typed(&mut app, "half a thought");
        code(&mut app, KeyCode::Esc);
        assert_eq!(app.overlay, Overlay::None);
        assert!(
            app.toast
                .as_ref()
                .is_some_and(|t| t.text.contains("draft kept"))
        );
        key(&mut app, 'n');
        assert_eq!(editor_text(&app).as_deref(), Some("half a thought"));
    }

    #[test]
    fn an_empty_note_is_refused_in_the_editor() {
        let mut app = demo_app(100, 80, 24);
        key(&mut app, 'n');
        assert!(save(&mut app).is_empty());
        assert!(matches!(&app.overlay, Overlay::NoteEditor(e) if e.error.is_some()));
    }

    #[test]
    fn drafts_of_an_earlier_run_come_back() {
        let mut app = demo_app(100, 80, 24);
        let subject = app.selected_alert().map(|a| a.key.0.clone()).unwrap();
        app.update(Action::Journal(JournalEvent::Drafts(vec![Draft {
            subject: subject.clone(),
            author: "ana".into(),
            body: "typed before\nthe SSH link dropped".into(),
            updated_at: app.now,
        }])));
        assert!(
            app.toast
                .as_ref()
                .is_some_and(|t| t.text.contains("unsaved note"))
        );
        key(&mut app, 'n');
        assert_eq!(
            editor_text(&app).as_deref(),
            Some("typed before\nthe SSH link dropped")
        );
    }

    #[test]
    fn entries_are_starred_and_corrected_from_the_palette() {
        let mut app = demo_app(100, 80, 24);
        let entry = Entry {
            id: 12,
            subject: "incident:1".into(),
            at: app.now,
            author: "bo".into(),
            kind: EntryKind::Note,
            body: "db failover at 14:05".into(),
            starred: false,
            corrects: None,
        };
        app.update(Action::Journal(JournalEvent::Entries(vec![entry])));
        key(&mut app, ':');
        typed(&mut app, "star #12");
        let fx = code(&mut app, KeyCode::Enter);
        assert!(matches!(
            fx.as_slice(),
            [Effect::Journal(Request::Star {
                id: 12,
                starred: true
            })]
        ));
        app.update(Action::Journal(JournalEvent::Starred {
            id: 12,
            starred: true,
        }));
        assert!(app.timeline["incident:1"][0].starred);

        key(&mut app, ':');
        typed(&mut app, "correct 12");
        code(&mut app, KeyCode::Enter);
        assert_eq!(editor_text(&app).as_deref(), Some("db failover at 14:05"));
        for _ in 0..5 {
            code(&mut app, KeyCode::Backspace);
        }
        typed(&mut app, "14:07");
        let fx = save(&mut app);
        assert!(
            matches!(fx.as_slice(), [Effect::Journal(Request::Note { subject, text, corrects: Some(12), .. })]
                if subject == "incident:1" && text == "db failover at 14:07"),
            "{fx:?}"
        );
    }
}
