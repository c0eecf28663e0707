//! The real binary in a real pseudo-terminal, driven as a person would: read what it draws,
//! type, resize, signal, or close the terminal under it.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};

/// A program running in a pty.
pub struct Session {
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Option<Box<dyn Write + Send>>,
    output: mpsc::Receiver<Vec<u8>>,
    /// Everything read so far.
    pub seen: Vec<u8>,
    master: Option<Box<dyn MasterPty + Send>>,
    stop_reading: Arc<AtomicBool>,
    /// The screen as a terminal of the pty's size shows what was read.
    screen: vt100::Parser,
    /// How much of `seen` the screen has been given.
    screened: usize,
}

/// The onduty binary with its config and data under `dir`, TERM=xterm-256color.
pub fn onduty(dir: &Path, args: &[&str]) -> CommandBuilder {
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_onduty"));
    cmd.args(args);
    cmd.env("TERM", "xterm-256color");
    cmd.env("ONDUTY_CONFIG_DIR", dir.join("cfg"));
    cmd.env("ONDUTY_DATA_DIR", dir.join("data"));
    cmd
}

fn size(cols: u16, rows: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

impl Session {
    /// Starts `cmd` in a `cols`x`rows` pty.
    pub fn spawn(cmd: CommandBuilder, cols: u16, rows: u16) -> Session {
        let pair = native_pty_system().openpty(size(cols, rows)).unwrap();
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let (tx, output) = mpsc::channel();
        let stop_reading = Arc::new(AtomicBool::new(false));
        let stop = stop_reading.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            // After `close_terminal`, the next read ends the loop and drops the last master fd.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || stop.load(Ordering::SeqCst) || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Session {
            child,
            writer: Some(writer),
            output,
            seen: Vec::new(),
            master: Some(pair.master),
            stop_reading,
            screen: vt100::Parser::new(
                std::num::NonZeroU16::new(rows.max(1)).unwrap(),
                std::num::NonZeroU16::new(cols.max(1)).unwrap(),
                0,
            ),
            screened: 0,
        }
    }

    /// The text seen so far (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.seen).to_string()
    }

    /// Reads output until `needle` has appeared after byte `from`, or fails after `limit`.
    pub fn wait_for_after(&mut self, from: usize, needle: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        while !String::from_utf8_lossy(&self.seen[from.min(self.seen.len())..]).contains(needle) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(chunk) => self.seen.extend(chunk),
                Err(_) => panic!("no {needle:?} within {limit:?}; saw {:?}", self.text()),
            }
        }
    }

    /// Reads output until the screen shows `needle` (as a terminal would after every frame
    /// so far: a frame writes only the cells that changed, so the stream may never hold
    /// typed text whole), or fails after `limit`.
    pub fn wait_for_screen(&mut self, needle: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            self.screen.process(&self.seen[self.screened..]);
            self.screened = self.seen.len();
            if self.screen.screen().contents().contains(needle) {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                self.pump(left),
                "the screen never showed {needle:?} within {limit:?}; it shows:\n{}",
                self.screen.screen().contents()
            );
        }
    }

    /// Reads output until `needle` has appeared, or fails after `limit`.
    pub fn wait_for(&mut self, needle: &str, limit: Duration) {
        self.wait_for_after(0, needle, limit);
    }

    /// Reads what arrives within `limit`; false when nothing did.
    pub fn pump(&mut self, limit: Duration) -> bool {
        match self.output.recv_timeout(limit) {
            Ok(chunk) => {
                self.seen.extend(chunk);
                true
            }
            Err(_) => false,
        }
    }

    /// Types `bytes`.
    pub fn send(&mut self, bytes: &[u8]) {
        let w = self.writer.as_mut().expect("the terminal is open");
        w.write_all(bytes).unwrap();
        w.flush().unwrap();
    }

    /// Resizes the terminal (the child gets SIGWINCH).
    pub fn resize(&self, cols: u16, rows: u16) {
        self.master
            .as_ref()
            .expect("the terminal is open")
            .resize(size(cols, rows))
            .unwrap();
    }

    /// Sends `signal` (a `kill -s` name) to the child.
    pub fn signal(&self, signal: &str) {
        let pid = self.child.process_id().expect("a pid");
        let ok = std::process::Command::new("kill")
            .args(["-s", signal, &pid.to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
    }

    /// Closes every master fd, as a terminal emulator or sshd going away does. The reader's
    /// fd closes at its next read (the dashboard redraws its clock every second).
    pub fn close_terminal(&mut self) {
        self.stop_reading.store(true, Ordering::SeqCst);
        self.writer = None;
        self.master = None;
    }

    /// Waits for the child to exit, collecting the rest of its output; fails after `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                while let Ok(chunk) = self.output.recv_timeout(Duration::from_millis(200)) {
                    self.seen.extend(chunk);
                }
                return status;
            }
            if Instant::now() >= deadline {
                let out = self.text();
                let skip = out.chars().count().saturating_sub(800);
                let tail: String = out.chars().skip(skip).collect();
                panic!("still running after {limit:?}; its last output: {tail:?}");
            }
            if let Ok(chunk) = self.output.recv_timeout(Duration::from_millis(20)) {
                self.seen.extend(chunk);
            }
        }
    }

    /// Asserts the terminal was handed back: alternate screen left after it was entered,
    /// cursor shown, bracketed paste and mouse capture off, not re-entered.
    pub fn assert_terminal_restored(&self) {
        let out = self.text();
        let entered = out
            .find("\u{1b}[?1049h")
            .expect("entered the alternate screen");
        let left = out
            .rfind("\u{1b}[?1049l")
            .expect("left the alternate screen");
        assert!(left > entered);
        let after = |seq: &str| out.rfind(seq).is_some_and(|i| i > entered);
        assert!(after("\u{1b}[?25h"), "cursor shown again");
        assert!(after("\u{1b}[?2004l"), "bracketed paste off");
        assert!(after("\u{1b}[?1000l"), "mouse capture off");
        assert!(!out[left..].contains("\u{1b}[?1049h"), "did not re-enter");
    }
}

impl Drop for Session {
    /// A test that fails half-way leaves no dashboard running behind it.
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// CPU time (user + system) a live process has used, from /proc, in clock ticks (1/100 s).
pub fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}
