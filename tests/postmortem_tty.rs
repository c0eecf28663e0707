//! The post-mortem's `$EDITOR` round trip, with the real binary in a real pty: `p` writes
//! the draft, `E` lends the terminal to a test editor script that reads a line typed at the
//! terminal (every key must reach it, none taken by onduty) and appends it; onduty takes
//! the terminal back, shows the edit, keeps it in the journal, and the terminal is restored
//! on quit.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::path::Path;
use std::time::Duration;

use onduty::journal::{Journal, Location};
use support::pty::{Session, onduty};

const START: Duration = Duration::from_secs(20);

/// onduty on the demo with `editor` (a shell script) as `$EDITOR`, showing the post-mortem.
fn on_the_post_mortem(dir: &Path, editor: &str) -> Session {
    let script = dir.join("editor.sh");
    std::fs::write(&script, editor).unwrap();
    let mut cmd = onduty(dir, &["--demo"]);
    cmd.env("VISUAL", "");
    cmd.env("EDITOR", format!("sh {}", script.display()));
    let mut s = Session::spawn(cmd, 120, 40);
    s.wait_for("CRIT", START);
    s.send(b"p");
    s.wait_for("POST-MORTEM", Duration::from_secs(5));
    s.wait_for("Time to acknowledge", Duration::from_secs(5));
    s
}

/// An editor that reads one line typed at the terminal and appends it.
const LINE_EDITOR: &str = "#!/bin/sh\nprintf 'EDITOR READY\\n'\nIFS= read -r line\n\
     printf '\\nRoot cause: %s\\n' \"$line\" >> \"$1\"\n";

#[test]
fn e_round_trips_through_the_editor_and_the_edit_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = on_the_post_mortem(dir.path(), LINE_EDITOR);
    let before = s.seen.len();
    s.send(b"E");
    s.wait_for_after(before, "EDITOR READY", Duration::from_secs(5));
    // Typed while the editor owns the terminal: `q` and `p` would act in onduty.
    s.send(b"quick pool leak\r");
    let back = s.seen.len();
    s.wait_for_after(back, "kept draft", Duration::from_secs(5));
    s.send(b"q");
    s.send(b"q");
    let status = s.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "{status:?}");
    s.assert_terminal_restored();
    assert_kept_draft(dir.path());
}

/// Keys typed while the editor is closing (after its last read, before onduty has the
/// terminal back) are onduty's. They wait in the terminal; taking it back must not lose
/// them: dropping the key reader at the hand-over leaves a wake-up pending in crossterm,
/// and a first poll that finds it beside the keys used to drop the keys' readiness.
#[test]
fn keys_typed_while_the_editor_closes_reach_onduty() {
    let dir = tempfile::tempdir().unwrap();
    let go = dir.path().join("go");
    rustix::fs::mkfifoat(rustix::fs::CWD, &go, rustix::fs::Mode::from(0o600)).unwrap();
    let editor = format!(
        "{LINE_EDITOR}printf 'EDITOR CLOSING\\n'\nread -r go < '{}'\n",
        go.display()
    );
    let mut s = on_the_post_mortem(dir.path(), &editor);
    let before = s.seen.len();
    s.send(b"E");
    s.wait_for_after(before, "EDITOR READY", Duration::from_secs(5));
    s.send(b"quick pool leak\r");
    s.wait_for_after(before, "EDITOR CLOSING", Duration::from_secs(5));
    // The editor no longer reads the terminal: these wait there for onduty.
    s.send(b"qq");
    std::fs::write(&go, "go\n").unwrap();
    let status = s.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "{status:?}");
    s.assert_terminal_restored();
    assert_kept_draft(dir.path());
}

/// The journal in `dir` keeps the one post-mortem, with the line typed into the editor.
fn assert_kept_draft(dir: &Path) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let kept = rt.block_on(async {
        let location = Location::Sqlite(dir.join("data").join("journal.sqlite3"));
        let journal = Journal::open(&location).await.unwrap();
        let drafts = journal.drafts("*").await.unwrap();
        journal.close().await;
        drafts
    });
    let [draft] = kept.as_slice() else {
        panic!("one kept post-mortem: {kept:?}")
    };
    assert!(
        draft.subject.starts_with("postmortem:demo:"),
        "{}",
        draft.subject
    );
    assert!(
        draft.body.ends_with("\nRoot cause: quick pool leak\n"),
        "the whole line reached the editor: {:?}",
        draft.body
    );
    assert!(
        draft.body.starts_with("# Post-mortem: "),
        "{:?}",
        draft.body
    );
}
