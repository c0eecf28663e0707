//! The runbook beside an alert, as the dashboard holds it: which runbook is shown and its
//! text, what in it can be focused (`tab`: steps, code blocks, links), ticking a checklist
//! step for the alert's incident (written to the journal), copying (OSC 52) and opening.

use std::collections::BTreeSet;

use crate::app::{App, Effect};
use crate::journal::checklists::Tick;
use crate::journal::task::Request;
use crate::model::Alert;
use crate::runbook::Runbook;
use crate::runbook::fetch::Fetched;
use crate::runbook::items::{self, Item};

/// A runbook whose text is at hand (a library file, or a link fetched as Markdown).
pub struct Shown<'a> {
    /// What its checklist is kept under: the file's path, or the link.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its Markdown.
    pub markdown: &'a str,
    /// What can be focused in it.
    pub items: Vec<Item>,
    /// The directory of a library file, against which its relative links resolve (a
    /// fetched runbook's links were made absolute when it was fetched).
    pub dir: Option<&'a std::path::Path>,
    /// The link this library runbook stands in for, and why the link is not shown
    /// (it could not be fetched, or it is a web page).
    pub instead_of: Option<(String, String)>,
}

impl App {
    /// `alert`'s runbook, when its text is at hand.
    pub fn runbook_of<'a>(&'a self, alert: &Alert) -> Option<Shown<'a>> {
        let found = self
            .settings
            .runbooks
            .resolve(alert, &self.settings.runbook_annotations)?;
        let mut instead_of = None;
        let (id, title, markdown, dir) = match found {
            Runbook::Local(entry) => local(entry),
            Runbook::Link { url, .. } => {
                let is_web = url.starts_with("http://") || url.starts_with("https://");
                let why = match self.fetched_runbooks.get(&url) {
                    Some(Some(Ok(Fetched::Markdown(md)))) => {
                        return Some(shown((url, String::new(), md.as_str(), None), None));
                    }
                    Some(Some(Ok(Fetched::Html))) => "a web page".to_string(),
                    Some(Some(Err(why))) => format!("could not be fetched: {why}"),
                    // Awaited: the link's answer decides.
                    Some(None) => return None,
                    None if is_web => return None,
                    None => "not a web link".to_string(),
                };
                let entry = self.settings.runbooks.local_for(alert)?;
                instead_of = Some((url, why));
                local(entry)
            }
        };
        Some(shown((id, title, markdown, dir), instead_of))
    }

    /// Whose checklist an alert's steps tick: the incident it belongs to (the newest one),
    /// else the alert itself.
    pub fn checklist_subject(&self, alert: &Alert) -> String {
        self.incidents
            .iter()
            .filter(|i| i.alerts.contains(&alert.key))
            .max_by_key(|i| i.opened_at)
            .map_or_else(|| alert.key.0.clone(), |i| i.subject())
    }

    /// The steps of runbook `id` done for `subject`.
    pub fn steps_done(&self, subject: &str, id: &str) -> Option<&BTreeSet<String>> {
        self.checklists.get(&(subject.to_string(), id.to_string()))
    }

    /// How far `alert`'s runbook checklist is: (done, steps), when it has steps.
    pub fn runbook_progress(&self, alert: &Alert) -> Option<(usize, usize)> {
        let shown = self.runbook_of(alert)?;
        let done = self.steps_done(&self.checklist_subject(alert), &shown.id);
        let (mut total, mut ticked) = (0, 0);
        for step in items::steps(&shown.items) {
            total += 1;
            ticked += usize::from(done.is_some_and(|d| d.contains(step)));
        }
        (total > 0).then_some((ticked, total))
    }

    /// Applies steps ticked (here or by another process).
    pub fn ticks_seen(&mut self, ticks: Vec<Tick>) {
        for t in ticks {
            let done = self.checklists.entry((t.subject, t.runbook)).or_default();
            if t.done {
                done.insert(t.step);
            } else {
                done.remove(&t.step);
            }
        }
    }
}

type Parts<'a> = (String, String, &'a str, Option<&'a std::path::Path>);

fn local(entry: &crate::runbook::Entry) -> Parts<'_> {
    (
        entry.path.display().to_string(),
        entry.title.clone(),
        entry.markdown.as_str(),
        entry.path.parent(),
    )
}

fn shown(parts: Parts<'_>, instead_of: Option<(String, String)>) -> Shown<'_> {
    let (id, title, markdown, dir) = parts;
    Shown {
        id,
        title,
        items: items::items(markdown),
        markdown,
        dir,
        instead_of,
    }
}

/// `tab` / `backtab`: focuses the next (or previous) step, code block or link, scrolling
/// it into view.
pub fn focus_item(app: &mut App, by: isize) {
    let Some(count) = app
        .selected_alert()
        .and_then(|a| app.runbook_of(a))
        .map(|s| s.items.len())
        .filter(|n| *n > 0)
    else {
        app.toast_error("nothing to focus: this runbook has no steps, code or links");
        return;
    };
    let next = match app.runbook_focus {
        None if by < 0 => count - 1,
        None => 0,
        Some(i) => (i as isize + by).rem_euclid(count as isize) as usize,
    };
    app.runbook_focus = Some(next);
    if let Some(row) = crate::app::runbook_page::item_rows(app)
        .get(next)
        .copied()
        .flatten()
    {
        let shown = app.viewport.1.saturating_sub(6).max(1);
        if row < app.detail_scroll || row >= app.detail_scroll.saturating_add(shown) {
            app.detail_scroll = row.saturating_sub(1);
        }
    }
}

/// The focused item of the shown runbook.
fn focused(app: &App) -> Option<(Shown<'_>, Item)> {
    let alert = app.selected_alert()?;
    let shown = app.runbook_of(alert)?;
    let item = shown.items.get(app.runbook_focus?)?.clone();
    Some((shown, item))
}

/// `space` / `x`: ticks the focused step (again: unticks it) for the alert's incident; the
/// journal keeps it and writes it on the timeline.
pub fn tick_step(app: &mut App, fx: &mut Vec<Effect>) {
    let Some((shown, Item::Step { name, .. })) = focused(app) else {
        app.toast_error("tab to a checklist step first");
        return;
    };
    let Some(alert) = app.selected_alert() else {
        return;
    };
    let subject = app.checklist_subject(alert);
    let runbook = shown.id.clone();
    let title = if shown.title.is_empty() {
        runbook.clone()
    } else {
        shown.title.clone()
    };
    let steps: Vec<String> = items::steps(&shown.items).map(str::to_string).collect();
    let done = !app
        .steps_done(&subject, &runbook)
        .is_some_and(|d| d.contains(&name));
    let tick = Tick {
        subject,
        runbook,
        step: name.clone(),
        done,
        author: app.settings.identity.clone(),
        at: app.now,
    };
    // Shown at once; the journal's answer says the same.
    app.ticks_seen(vec![tick.clone()]);
    let ticked = app
        .steps_done(&tick.subject, &tick.runbook)
        .map_or(0, |d| steps.iter().filter(|s| d.contains(*s)).count());
    let verb = if done { "done" } else { "not done" };
    let said = format!("runbook {title}: {verb}: {name} ({ticked}/{})", steps.len());
    app.toast_info(format!("{verb}: {name} ({ticked}/{})", steps.len()));
    fx.push(Effect::Journal(Request::Tick { tick, said }));
}

/// What `y` copies in the runbook: the focused code block or link; else the runbook's link.
pub fn copy_focused(app: &mut App) -> Option<String> {
    if let Some((shown, item)) = focused(app) {
        return match item {
            Item::Code { text } => Some(text.trim_end().to_string()),
            Item::Link { url } => Some(resolve(&shown, &url)),
            Item::Step { name, .. } => Some(name),
        };
    }
    match selected_runbook(app)? {
        Runbook::Link { url, .. } => Some(url),
        Runbook::Local(entry) => Some(entry.path.display().to_string()),
    }
}

/// What `o` opens in the runbook: the focused link; else the runbook's own link.
pub fn link_to_open(app: &App) -> Option<String> {
    if let Some((shown, Item::Link { url })) = focused(app) {
        return Some(resolve(&shown, &url));
    }
    match selected_runbook(app)? {
        Runbook::Link { url, .. } => Some(url),
        Runbook::Local(_) => None,
    }
}

/// Where the selected alert's runbook is.
fn selected_runbook(app: &App) -> Option<Runbook<'_>> {
    let alert = app.selected_alert()?;
    app.settings
        .runbooks
        .resolve(alert, &app.settings.runbook_annotations)
}

/// A link of a library runbook made a path when it names a file beside it.
fn resolve(shown: &Shown<'_>, url: &str) -> String {
    let is_relative = !url.contains(':') && !url.starts_with('#') && !url.is_empty();
    match shown.dir {
        Some(dir) if is_relative => dir.join(url).display().to_string(),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use super::*;
    use crate::app::Action;
    use crate::app::update::tests::{code, key};
    use crate::journal::task::JournalEvent;
    use crate::model::incident::{Incident, IncidentStatus};
    use crate::testing::{demo_app, with_runbook};

    const CHECKLIST: &str = "# Pool exhausted\n\n\
        - [ ] Check the [pool dashboard](https://grafana.example/d/pg)\n\
        - [ ] Raise the pool size\n\n\
        ```sh\npsql -c 'SHOW POOLS;'\n```\n\n\
        - [x] Tell #payments\n";

    fn opened() -> App {
        let mut app = demo_app(100, 120, 40);
        with_runbook(&mut app, CHECKLIST);
        key(&mut app, 'b');
        app
    }

    fn ticks(fx: &[Effect]) -> Vec<(Tick, String)> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Journal(Request::Tick { tick, said }) => Some((tick.clone(), said.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn tab_walks_steps_code_and_links_and_space_ticks_the_focused_step() {
        let mut app = opened();
        let alert = app.selected_alert().unwrap().clone();
        assert_eq!(
            app.runbook_progress(&alert),
            Some((0, 3)),
            "the file's [x] is not ours"
        );
        assert!(ticks(&key(&mut app, ' ')).is_empty(), "nothing focused yet");
        assert!(
            app.toast
                .as_ref()
                .unwrap()
                .text
                .contains("tab to a checklist step")
        );
        code(&mut app, KeyCode::Tab);
        let fx = key(&mut app, ' ');
        let [(tick, said)] = ticks(&fx).try_into().unwrap();
        assert_eq!(
            (
                tick.subject.as_str(),
                tick.runbook.as_str(),
                tick.step.as_str()
            ),
            (
                alert.key.0.as_str(),
                "/runbooks/checklist.md",
                "Check the pool dashboard"
            )
        );
        assert!(tick.done && tick.author == "ana");
        assert_eq!(
            said,
            "runbook Checklist: done: Check the pool dashboard (1/3)"
        );
        assert_eq!(app.runbook_progress(&alert), Some((1, 3)));
        // tab: the link, the second step, the code block; backtab back to the step.
        for _ in 0..3 {
            code(&mut app, KeyCode::Tab);
        }
        assert_eq!(app.runbook_focus, Some(3));
        assert!(
            ticks(&key(&mut app, 'x')).is_empty(),
            "a code block is not a step"
        );
        code(&mut app, KeyCode::BackTab);
        let [(tick, _)] = ticks(&key(&mut app, 'x')).try_into().unwrap();
        assert_eq!(tick.step, "Raise the pool size");
        assert_eq!(app.runbook_progress(&alert), Some((2, 3)));
        // Again: unticked.
        let [(tick, said)] = ticks(&key(&mut app, 'x')).try_into().unwrap();
        assert!(
            !tick.done && said.contains("not done: Raise the pool size (1/3)"),
            "{said}"
        );
    }

    #[test]
    fn steps_belong_to_the_incident_and_come_back_from_the_journal() {
        let mut app = opened();
        let alert = app.selected_alert().unwrap().clone();
        app.update(Action::Journal(JournalEvent::Incidents(vec![Incident {
            id: 7,
            title: "payments down".into(),
            severity: 1,
            status: IncidentStatus::Investigating,
            commander: None,
            scribe: None,
            comms: None,
            alerts: vec![alert.key.clone()],
            opened_at: app.now,
            resolved_at: None,
            origin: None,
        }])));
        code(&mut app, KeyCode::Tab);
        let [(tick, _)] = ticks(&key(&mut app, ' ')).try_into().unwrap();
        assert_eq!(tick.subject, "incident:7");
        // A new run: the journal's ticks, read at start, give the same progress.
        let mut again = demo_app(100, 120, 40);
        with_runbook(&mut again, CHECKLIST);
        again.update(Action::Journal(JournalEvent::Incidents(
            app.incidents.clone(),
        )));
        assert_eq!(again.runbook_progress(&alert), Some((0, 3)));
        again.update(Action::Journal(JournalEvent::Ticks(vec![tick])));
        assert_eq!(again.runbook_progress(&alert), Some((1, 3)));
    }

    #[test]
    fn y_copies_the_focused_code_and_o_copies_a_link_without_a_desktop() {
        let mut app = opened();
        for _ in 0..4 {
            code(&mut app, KeyCode::Tab);
        }
        assert_eq!(
            key(&mut app, 'y'),
            [Effect::Copy("psql -c 'SHOW POOLS;'".into())]
        );
        code(&mut app, KeyCode::BackTab);
        code(&mut app, KeyCode::BackTab);
        assert_eq!(
            key(&mut app, 'o'),
            [Effect::Copy("https://grafana.example/d/pg".into())],
            "no desktop: the link is copied"
        );
        app.settings.can_open_links = true;
        assert_eq!(
            key(&mut app, 'o'),
            [Effect::OpenUrl("https://grafana.example/d/pg".into())]
        );
        // Outside the runbook, y copies the alert's key.
        code(&mut app, KeyCode::Esc);
        let k = app.selected_alert().unwrap().key.0.clone();
        assert_eq!(key(&mut app, 'y'), [Effect::Copy(k)]);
    }

    #[test]
    fn a_link_that_cannot_be_read_gives_way_to_the_librarys_runbook() {
        let mut app = demo_app(100, 120, 40);
        // An alert whose runbook is a link (the first ones' are built in).
        while app
            .selected_alert()
            .is_some_and(|a| &*a.title != "HighLatency")
        {
            app.move_cursor(1);
        }
        with_runbook(&mut app, CHECKLIST);
        app.settings.runbook_annotations = vec!["runbook_url".into()];
        let fx = key(&mut app, 'b');
        let [Effect::FetchRunbook(url)] = fx.as_slice() else {
            panic!("{fx:?}")
        };
        let alert = app.selected_alert().unwrap().clone();
        assert!(app.runbook_of(&alert).is_none(), "the link is awaited");
        app.update(Action::RunbookFetched {
            url: url.clone(),
            result: Err("HTTP 404".into()),
        });
        let shown = app.runbook_of(&alert).unwrap();
        assert_eq!(shown.id, "/runbooks/checklist.md");
        assert_eq!(
            shown.instead_of,
            Some((url.clone(), "could not be fetched: HTTP 404".into()))
        );
        code(&mut app, KeyCode::Tab);
        assert_eq!(ticks(&key(&mut app, ' ')).len(), 1, "its checklist works");
    }

    #[test]
    fn read_only_refuses_ticking() {
        let mut app = opened();
        app.settings.is_read_only = true;
        code(&mut app, KeyCode::Tab);
        assert!(ticks(&key(&mut app, ' ')).is_empty());
    }
}
