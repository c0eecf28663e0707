//! Writing notes: opening the note editor on an alert, an incident or a timeline entry to
//! correct, keeping its draft in the journal after every edit, saving it; starring entries.

use crate::app::note_editor::{EditorOutcome, NoteEditor};
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
            if let Some(why) = &app.journal_error {
                editor.error = Some(format!("not saved, the note stays here: {why}"));
                return;
            }
            // Notes live in the journal (shared through PostgreSQL), written as typed; the
            // journal drops the stored draft once the note is written, and this one goes
            // when the note comes back as an entry (a failed write leaves it for `n`).
            fx.push(Effect::Journal(Request::Note {
                subject: editor.subject.clone(),
                author: app.settings.identity.clone(),
                text: text.clone(),
                corrects: editor.corrects,
            }));
            let (subject, is_correction) = (editor.subject.clone(), editor.corrects.is_some());
            app.drafts.insert(key, text.clone());
            app.overlay = Overlay::None;
            // Journaled first (the effect above); then, where the subject lives at a back
            // end that keeps notes (a ticket, a PagerDuty incident), sent there too.
            if !is_correction {
                super::tickets::note_saved(app, &subject, &text, fx);
            }
        }
        EditorOutcome::Close => {
            let kept = app.drafts.contains_key(&key);
            app.overlay = Overlay::None;
            if kept {
                app.toast_info("draft kept: n opens it again");
            }
        }
    }
}

/// Notes written by this responder came back from the journal: their drafts are done.
pub fn notes_written(app: &mut App, entries: &[crate::journal::Entry]) {
    use crate::journal::EntryKind;
    for e in entries {
        if matches!(e.kind, EntryKind::Note | EntryKind::Correction)
            && e.author == app.settings.identity
        {
            let key = draft_subject(&e.subject, e.corrects);
            if app.drafts.get(&key).is_some_and(|d| *d == e.body) {
                app.drafts.remove(&key);
            }
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
            if let Some((id, _)) = super::palette::which_incident(self, "note", "") {
                open(self, crate::journal::incidents::subject(id), None, "");
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
    use crate::journal::{Entry, EntryKind};
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
        assert!(
            !app.drafts.is_empty(),
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
        assert!(app.drafts.is_empty(), "a written note leaves no draft");
    }

    #[test]
    fn with_the_journal_down_the_note_stays_in_the_editor() {
        let mut app = demo_app(100, 80, 24);
        app.update(Action::Journal(JournalEvent::Unavailable(
            "journal: disk full".into(),
        )));
        key(&mut app, 'n');
        typed(&mut app, "db-2 is back");
        assert!(save(&mut app).is_empty(), "nothing is sent");
        assert!(
            matches!(&app.overlay, Overlay::NoteEditor(e)
                if e.error.as_deref().is_some_and(|m| m.contains("disk full")) && e.text() == "db-2 is back"),
            "{:?}",
            app.overlay
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
        let mut fx = Vec::new();
        super::super::palette::run(&mut app, "star #12", &mut fx);
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

        let mut fx = Vec::new();
        super::super::palette::run(&mut app, "correct 12", &mut fx);
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
