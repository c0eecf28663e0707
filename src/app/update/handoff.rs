//! `:handoff [12h] [FILE]`: the shift hand-off from the dashboard. The journal gathers the
//! shift's record off the UI task; the live picture (alerts, silences, policies, failing
//! sources) is the dashboard's own; the report is written to a file like a post-mortem.

use chrono::TimeDelta;

use crate::app::{App, Effect};
use crate::handoff::{Picture, Shift, ShiftJournal};
use crate::journal::task::Request;

/// The shift's length when none is given.
const DEFAULT_SHIFT: TimeDelta = TimeDelta::hours(12);

/// `:handoff [DURATION] [FILE]`, in either order.
pub fn ask(app: &mut App, rest: &str, fx: &mut Vec<Effect>) {
    let mut length = DEFAULT_SHIFT;
    let mut path = None;
    for word in rest.split_whitespace() {
        match crate::duration_fmt::parse(word)
            .ok()
            .and_then(|d| TimeDelta::from_std(d).ok())
        {
            Some(d) if path.is_none() || d > TimeDelta::zero() => length = d,
            _ => path = Some(app.settings.export_path(word)),
        }
    }
    let path = path.unwrap_or_else(|| {
        let name = format!("handoff-{}.md", app.now.format("%Y%m%d-%H%M"));
        app.settings.export_path(&name)
    });
    let shift = Shift {
        from: app.now - length,
        to: app.now,
        by: app.settings.identity.clone(),
    };
    app.toast_info(format!(
        "writing the hand-off of the last {}…",
        crate::duration_fmt::remaining(length)
    ));
    fx.push(Effect::Journal(Request::Handoff { shift, path }));
}

/// The journal's record came back: the report is written with what the dashboard shows.
pub fn gathered(
    app: &mut App,
    shift: &Shift,
    path: std::path::PathBuf,
    result: Result<Box<ShiftJournal>, String>,
    fx: &mut Vec<Effect>,
) {
    let record = match result {
        Ok(r) => r,
        Err(e) => {
            app.toast_error(format!("no hand-off: {e}"));
            return;
        }
    };
    let mut picture = Picture::default();
    for s in &app.sources {
        picture.add(s.alerts.clone(), &s.silences, &s.escalation);
        if matches!(s.health(app.now), crate::app::SourceHealth::Failing(_)) {
            picture.failing.push(s.info.id.to_string());
        }
    }
    // Written off the UI task: at estate scale it reads every alert.
    fx.push(Effect::WriteHandoff(Box::new(crate::handoff::Job {
        shift: shift.clone(),
        record,
        picture,
        path,
    })));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Action;
    use crate::journal::task::JournalEvent;

    fn asked(app: &mut App, typed: &str) -> (Shift, std::path::PathBuf) {
        let mut fx = Vec::new();
        super::super::palette::run(app, typed, &mut fx);
        match fx.as_slice() {
            [Effect::Journal(Request::Handoff { shift, path })] => (shift.clone(), path.clone()),
            other => panic!("{other:?}"),
        }
    }

    // Files written from the dashboard landed in the working directory under a relative
    // name: a bare name goes to the exports directory `onduty info` prints, and the toast
    // names the absolute path.
    #[test]
    fn a_bare_name_is_written_under_the_exports_directory_and_said_whole() {
        let mut app = crate::testing::demo_app(600, 120, 40);
        app.settings.export_dir = std::path::PathBuf::from("/data/onduty/exports");
        let (_, path) = asked(&mut app, ":handoff");
        let shown = path.display().to_string();
        assert!(
            shown.starts_with("/data/onduty/exports/handoff-"),
            "{shown}"
        );
        let (_, path) = asked(&mut app, ":handoff shift.md");
        assert_eq!(
            path,
            std::path::PathBuf::from("/data/onduty/exports/shift.md")
        );
        let (_, path) = asked(&mut app, ":handoff /tmp/shift.md");
        assert_eq!(
            path,
            std::path::PathBuf::from("/tmp/shift.md"),
            "an absolute path is kept"
        );
        app.update(Action::Exported {
            what: "hand-off",
            path: app.settings.export_path("shift.md"),
            result: Ok(()),
        });
        assert_eq!(
            app.toast.as_ref().map(|t| t.text.as_str()),
            Some("hand-off written to /data/onduty/exports/shift.md")
        );
    }

    #[test]
    fn handoff_asks_the_journal_for_the_shift_then_writes_the_report() {
        let mut app = crate::testing::demo_app(600, 120, 40);
        let (shift, path) = asked(&mut app, ":handoff");
        assert_eq!(shift.to - shift.from, TimeDelta::hours(12));
        assert_eq!(shift.to, app.now);
        assert_eq!(
            path,
            std::path::PathBuf::from(format!("handoff-{}.md", app.now.format("%Y%m%d-%H%M")))
        );
        let (shift, path) = asked(&mut app, ":handoff shift.md 8h");
        assert_eq!(shift.to - shift.from, TimeDelta::hours(8));
        assert_eq!(path, std::path::PathBuf::from("shift.md"));

        let fx = app.update(Action::Journal(JournalEvent::Handoff {
            shift,
            path: path.clone(),
            result: Ok(Box::default()),
        }));
        let [Effect::WriteHandoff(job)] = fx.as_slice() else {
            panic!("{fx:?}");
        };
        assert_eq!(job.path, path);
        let text = job.render();
        // The live part is the dashboard's: the demo's firing alerts and its policies.
        assert!(
            text.contains("| critical | firing | ConnectionPoolExhausted |"),
            "{text}"
        );
        assert!(text.contains("**payments-critical**"), "{text}");
        app.update(Action::Exported {
            what: "hand-off",
            path: path.clone(),
            result: Ok(()),
        });
        assert_eq!(
            app.toast.as_ref().map(|t| t.text.as_str()),
            Some("hand-off written to shift.md")
        );
    }

    #[test]
    fn a_journal_that_cannot_say_gives_no_hand_off_and_says_why() {
        let mut app = crate::testing::demo_app(600, 120, 40);
        let (shift, path) = asked(&mut app, ":handoff 1h");
        let fx = app.update(Action::Journal(JournalEvent::Handoff {
            shift,
            path,
            result: Err("the journal is unavailable".into()),
        }));
        assert!(
            fx.iter().all(|e| !matches!(e, Effect::WriteHandoff(_))),
            "{fx:?}"
        );
        let toast = app.toast.as_ref().unwrap();
        assert!(
            toast.is_error && toast.text.contains("unavailable"),
            "{toast:?}"
        );
    }
}
