//! The real binary in a real pseudo-terminal, as a person would start it: the demo dashboard
//! appears, `q` quits, SIGTERM exits, and either way the terminal is handed back (alternate
//! screen left, cursor shown, mouse and paste modes off).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Session {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    output: mpsc::Receiver<Vec<u8>>,
    seen: Vec<u8>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
    _dir: tempfile::TempDir,
}

impl Session {
    fn start() -> Session {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_onduty"));
        cmd.arg("--demo");
        cmd.env("TERM", "xterm-256color");
        cmd.env("ONDUTY_CONFIG_DIR", dir.path().join("cfg"));
        cmd.env("ONDUTY_DATA_DIR", dir.path().join("data"));
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let (tx, output) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Session {
            child,
            writer,
            output,
            seen: Vec::new(),
            _master: pair.master,
            _dir: dir,
        }
    }

    /// Reads output until `needle` has appeared, or fails after `limit`.
    fn wait_for(&mut self, needle: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        while !String::from_utf8_lossy(&self.seen).contains(needle) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(chunk) => self.seen.extend(chunk),
                Err(_) => panic!(
                    "no {needle:?} within {limit:?}; saw {:?}",
                    String::from_utf8_lossy(&self.seen)
                ),
            }
        }
    }

    /// Waits for the process to exit, collecting the rest of its output.
    fn wait_exit(&mut self, limit: Duration) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                while let Ok(chunk) = self.output.recv_timeout(Duration::from_millis(200)) {
                    self.seen.extend(chunk);
                }
                return status;
            }
            assert!(Instant::now() < deadline, "still running after {limit:?}");
            if let Ok(chunk) = self.output.recv_timeout(Duration::from_millis(50)) {
                self.seen.extend(chunk);
            }
        }
    }

    fn assert_terminal_restored(&self) {
        let out = String::from_utf8_lossy(&self.seen);
        let entered = out
            .find("\u{1b}[?1049h")
            .expect("entered the alternate screen");
        let left = out
            .rfind("\u{1b}[?1049l")
            .expect("left the alternate screen");
        assert!(left > entered);
        let tail = &out[left..];
        assert!(
            out.rfind("\u{1b}[?25h").is_some_and(|i| i > entered),
            "cursor shown again"
        );
        assert!(
            out.rfind("\u{1b}[?2004l").is_some_and(|i| i > entered),
            "bracketed paste off"
        );
        assert!(
            out.rfind("\u{1b}[?1000l").is_some_and(|i| i > entered),
            "mouse capture off"
        );
        assert!(!tail.contains("\u{1b}[?1049h"), "did not re-enter");
    }
}

#[test]
fn q_quits_and_restores_the_terminal() {
    let mut s = Session::start();
    s.wait_for("DEMO", Duration::from_secs(10));
    s.wait_for("CRIT", Duration::from_secs(10));
    s.writer.write_all(b"q").unwrap();
    s.writer.flush().unwrap();
    let status = s.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "{status:?}");
    s.assert_terminal_restored();
}

#[test]
fn sigterm_exits_cleanly_and_restores_the_terminal() {
    let mut s = Session::start();
    s.wait_for("CRIT", Duration::from_secs(10));
    let pid = s.child.process_id().expect("a pid");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = s.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "{status:?}");
    s.assert_terminal_restored();
}

#[test]
fn sighup_from_a_dropped_session_exits() {
    let mut s = Session::start();
    s.wait_for("CRIT", Duration::from_secs(10));
    let pid = s.child.process_id().expect("a pid");
    std::process::Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .unwrap();
    let status = s.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "{status:?}");
}
