//! The post-mortem view (`p`): asking the journal for the draft of the alert's incident (or
//! the alert), showing it, editing it here or in `$EDITOR` (the draft is kept in the journal
//! after every change, one per incident, shared), writing a new one, exporting it to a file.

use crate::app::note_editor::{EditorOutcome, NoteEditor};
use crate::app::text_input::TextInput;
use crate::app::{App, Effect, Overlay, PostmortemView, Prompt, PromptKind, View};
use crate::journal::drafts::Draft;
use crate::journal::task::Request;
use crate::postmortem::{DRAFT_AUTHOR, Prepared, draft_subject};

/// `p`: the post-mortem of the selected incident (incidents view), or of the selected
/// alert's incident, or of the alert alone.
pub fn open(app: &mut App, fx: &mut Vec<Effect>) {
    let subject = if app.view == View::Incidents {
        app.selected_incident().map(|i| i.subject())
    } else {
        app.selected_alert().map(|a| app.checklist_subject(a))
    };
    let Some(subject) = subject else {
        app.toast_error("no incident or alert selected to write the post-mortem of");
        return;
    };
    ask(app, subject, false, fx);
}

fn ask(app: &mut App, subject: String, fresh: bool, fx: &mut Vec<Effect>) {
    app.postmortem = Some(PostmortemView {
        subject: subject.clone(),
        text: None,
        is_kept: false,
    });
    app.detail_scroll = 0;
    let keys: Vec<crate::model::AlertKey> = match subject.strip_prefix("incident:") {
        Some(_) => app
            .incidents
            .iter()
            .find(|i| i.subject() == subject)
            .map(|i| i.alerts.clone())
            .unwrap_or_default(),
        None => vec![crate::model::AlertKey(subject.clone())],
    };
    let known = app
        .all_alerts()
        .filter(|(_, a)| keys.contains(&a.key))
        .map(|(_, a)| a.clone())
        .collect();
    fx.push(Effect::Journal(Request::Postmortem {
        subject,
        template: app.settings.postmortem_template.clone(),
        fresh,
        known,
    }));
}

/// The journal prepared a post-mortem.
pub fn prepared(app: &mut App, subject: String, result: Result<Prepared, String>) {
    let Some(view) = app.postmortem.as_mut().filter(|v| v.subject == subject) else {
        return;
    };
    match result {
        Ok(p) => {
            view.is_kept = p.is_kept;
            view.text = Some(Ok(p.text));
        }
        Err(e) => view.text = Some(Err(e)),
    }
}

/// The shown post-mortem's text and subject, when it is ready.
fn shown(app: &App) -> Option<(String, String)> {
    let view = app.postmortem.as_ref()?;
    let Some(Ok(text)) = &view.text else {
        return None;
    };
    Some((view.subject.clone(), text.clone()))
}

/// `e`: edit here.
pub fn edit(app: &mut App) {
    match shown(app) {
        Some((subject, text)) => {
            app.overlay = Overlay::NoteEditor(Box::new(NoteEditor::postmortem(subject, &text)));
        }
        None => app.toast_error("no post-mortem ready to edit"),
    }
}

/// `E`: edit in the responder's editor.
pub fn edit_externally(app: &mut App, fx: &mut Vec<Effect>) {
    match shown(app) {
        Some((subject, text)) => fx.push(Effect::EditExternally { subject, text }),
        None => app.toast_error("no post-mortem ready to edit"),
    }
}

/// `R`: a new draft from the journal (the kept one is replaced only when this one is edited).
pub fn regenerate(app: &mut App, fx: &mut Vec<Effect>) {
    if let Some(subject) = app.postmortem.as_ref().map(|v| v.subject.clone()) {
        ask(app, subject, true, fx);
    }
}

/// `w`: asks where to write it.
pub fn ask_export(app: &mut App) {
    let Some((subject, _)) = shown(app) else {
        app.toast_error("no post-mortem ready to export");
        return;
    };
    let name: String = subject
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let default = format!("postmortem-{name}-{}.md", app.now.format("%Y%m%d"));
    app.overlay = Overlay::Prompt(Prompt {
        kind: PromptKind::ExportPostmortem,
        input: TextInput::with_text(&default),
        error: None,
    });
}

/// The export prompt's answer: the file to write.
pub fn export_to(app: &mut App, path: &str, fx: &mut Vec<Effect>) -> Result<(), String> {
    let Some((_, text)) = shown(app) else {
        return Err("no post-mortem to export".into());
    };
    if path.trim().is_empty() {
        return Err("a file name, please".into());
    }
    let path = app.settings.export_path(path);
    fx.push(Effect::Export {
        what: "post-mortem",
        path,
        text,
    });
    Ok(())
}

/// The file was written (or not).
pub fn exported(app: &mut App, what: &str, path: &std::path::Path, result: Result<(), String>) {
    match result {
        Ok(()) => app.toast_info(format!("{what} written to {}", path.display())),
        Err(e) => app.toast_error(format!("not written to {}: {e}", path.display())),
    }
}

/// What the responder typed becomes the kept draft (and the shown text).
fn keep(app: &mut App, subject: &str, text: String, fx: &mut Vec<Effect>) {
    fx.push(Effect::Journal(Request::SaveDraft(Draft {
        subject: draft_subject(subject),
        author: DRAFT_AUTHOR.into(),
        body: text.clone(),
        updated_at: app.now,
    })));
    if let Some(view) = app.postmortem.as_mut().filter(|v| v.subject == subject) {
        view.text = Some(Ok(text));
        view.is_kept = true;
    }
}

/// A key (or paste) in the built-in editor on a post-mortem: every change is kept.
pub fn after_edit(app: &mut App, outcome: EditorOutcome, fx: &mut Vec<Effect>) {
    let Overlay::NoteEditor(editor) = &app.overlay else {
        return;
    };
    let (subject, text) = (editor.subject.clone(), editor.text());
    match outcome {
        EditorOutcome::Moved => {}
        EditorOutcome::Edited => keep(app, &subject, text, fx),
        EditorOutcome::Save | EditorOutcome::Close => {
            app.overlay = Overlay::None;
            app.toast_info("post-mortem kept in the journal (w writes it to a file)");
        }
    }
}

/// The external editor returned.
pub fn edited_externally(
    app: &mut App,
    subject: &str,
    result: Result<String, String>,
    fx: &mut Vec<Effect>,
) {
    match result {
        Ok(text) => {
            keep(app, subject, text, fx);
            app.toast_info("post-mortem kept in the journal (w writes it to a file)");
        }
        Err(e) => app.toast_error(e),
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use super::*;
    use crate::app::Action;
    use crate::app::update::tests::{code, key, typed};
    use crate::journal::task::JournalEvent;
    use crate::testing::demo_app;

    const DRAFT: &str = "# Post-mortem: Disk full\n\n| Time to resolve | 12m |\n";

    /// `p` on the selected alert, answered by the journal with `DRAFT`.
    fn shown() -> (App, String) {
        let mut app = demo_app(100, 120, 40);
        let alert = app.selected_alert().unwrap().clone();
        let subject = alert.key.0.clone();
        let fx = key(&mut app, 'p');
        assert_eq!(
            fx,
            [Effect::Journal(Request::Postmortem {
                subject: subject.clone(),
                template: app.settings.postmortem_template.clone(),
                fresh: false,
                known: vec![alert],
            })]
        );
        assert_eq!(app.postmortem.as_ref().unwrap().text, None, "awaited");
        app.update(Action::Journal(JournalEvent::Postmortem {
            subject: subject.clone(),
            result: Ok(Prepared {
                text: DRAFT.into(),
                is_kept: false,
            }),
        }));
        (app, subject)
    }

    fn saved_drafts(fx: &[Effect]) -> Vec<Draft> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Journal(Request::SaveDraft(d)) => Some(d.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn p_asks_the_journal_and_the_built_in_editor_keeps_every_change() {
        let (mut app, subject) = shown();
        assert_eq!(
            app.postmortem.as_ref().unwrap().text,
            Some(Ok(DRAFT.to_string()))
        );
        key(&mut app, 'e');
        assert!(matches!(&app.overlay, Overlay::NoteEditor(e) if e.is_postmortem));
        let fx = key(&mut app, 'X');
        let [draft] = saved_drafts(&fx).try_into().unwrap();
        assert_eq!(draft.subject, format!("postmortem:{subject}"));
        assert_eq!(draft.author, "*", "one shared draft per incident");
        assert!(draft.body.starts_with("X# Post-mortem"), "{}", draft.body);
        code(&mut app, KeyCode::Esc);
        assert_eq!(app.overlay, Overlay::None);
        let view = app.postmortem.as_ref().unwrap();
        assert!(
            view.is_kept
                && view
                    .text
                    .as_ref()
                    .unwrap()
                    .as_ref()
                    .unwrap()
                    .starts_with('X')
        );
        code(&mut app, KeyCode::Esc);
        assert!(app.postmortem.is_none(), "esc leaves the post-mortem");
    }

    #[test]
    fn capital_e_lends_the_terminal_and_the_edit_is_kept() {
        let (mut app, subject) = shown();
        let fx = key(&mut app, 'E');
        assert_eq!(
            fx,
            [Effect::EditExternally {
                subject: subject.clone(),
                text: DRAFT.into()
            }]
        );
        let fx = app.update(Action::EditedExternally {
            subject: subject.clone(),
            result: Ok("# Edited\n".into()),
        });
        let [draft] = saved_drafts(&fx).try_into().unwrap();
        assert_eq!(draft.body, "# Edited\n");
        let fx = app.update(Action::EditedExternally {
            subject,
            result: Err("the editor (vim) exited with 1: the text is unchanged".into()),
        });
        assert!(saved_drafts(&fx).is_empty());
        assert!(app.toast.as_ref().unwrap().is_error);
        assert_eq!(
            app.postmortem.as_ref().unwrap().text,
            Some(Ok("# Edited\n".into()))
        );
    }

    #[test]
    fn w_writes_a_file_named_for_the_incident_and_r_writes_a_new_draft() {
        let (mut app, subject) = shown();
        key(&mut app, 'w');
        let Overlay::Prompt(p) = &app.overlay else {
            panic!("{:?}", app.overlay)
        };
        assert!(
            p.input.text().starts_with("postmortem-demo-") && p.input.text().ends_with(".md"),
            "{}",
            p.input.text()
        );
        let fx = code(&mut app, KeyCode::Enter);
        let [Effect::Export { path, text, .. }] = fx.as_slice() else {
            panic!("{fx:?}")
        };
        assert!(path.to_string_lossy().starts_with("postmortem-demo-"));
        assert_eq!(text, DRAFT);
        let fx = key(&mut app, 'R');
        assert!(matches!(
            fx.as_slice(),
            [Effect::Journal(Request::Postmortem { fresh: true, subject: s, .. })] if *s == subject
        ));
    }

    #[test]
    fn a_post_mortem_that_cannot_be_written_says_why_and_read_only_cannot_edit() {
        let (mut app, subject) = shown();
        app.settings.is_read_only = true;
        assert!(key(&mut app, 'E').is_empty());
        key(&mut app, 'e');
        assert_eq!(app.overlay, Overlay::None);
        app.update(Action::Journal(JournalEvent::Postmortem {
            subject,
            result: Err("the journal knows nothing of demo:x".into()),
        }));
        assert!(matches!(
            &app.postmortem.as_ref().unwrap().text,
            Some(Err(e)) if e.contains("knows nothing")
        ));
        typed(&mut app, "w");
        assert!(
            app.toast
                .as_ref()
                .unwrap()
                .text
                .contains("no post-mortem ready")
        );
    }
}
