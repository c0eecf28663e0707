//! Desktop notifications over D-Bus (notify-rust), made safe to call: tried only when a desktop
//! session is present, sent from a thread of their own (never the UI task), abandoned after
//! `ABANDON_AFTER`, and a breaker stops trying a bus that hung for `COOL_DOWN`. notify-rust's
//! `show()` blocks with no timeout: a bus that accepts and never answers would hang its caller
//! for ever.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::model::sanitize;

/// Longest wait for the desktop to take a notification.
pub const ABANDON_AFTER: Duration = Duration::from_secs(2);
/// How long a bus that hung is left alone.
pub const COOL_DOWN: Duration = Duration::from_secs(300);

/// What became of one notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The desktop took it.
    Shown,
    /// No desktop session here (no session bus, or no display): nothing was tried.
    NoDesktop,
    /// The bus did not answer in time; the breaker is now open.
    Abandoned,
    /// A bus that hung recently is left alone for this much longer.
    BreakerOpen(Duration),
    /// The bus refused it.
    Failed(String),
}

/// Sends one notification, blocking (notify-rust, or a stand-in in tests).
pub type Send = Arc<dyn Fn(&str, &str) -> Result<(), String> + std::marker::Send + Sync>;

/// The desktop channel.
#[derive(Clone)]
pub struct Desktop {
    send: Send,
    is_present: bool,
    abandon_after: Duration,
    cool_down: Duration,
    /// Until when the breaker is open.
    open_until: Arc<Mutex<Option<Instant>>>,
}

impl Desktop {
    /// The real channel: notify-rust, present when this process has a desktop session.
    pub fn from_env() -> Desktop {
        let send: Send = Arc::new(|summary: &str, body: &str| {
            notify_rust::Notification::new()
                .appname("onduty")
                .summary(summary)
                .body(body)
                .show()
                .map(|_| ())
                .map_err(|e| sanitize::line(&e.to_string(), 200))
        });
        Desktop::new(send, has_desktop_session(), ABANDON_AFTER, COOL_DOWN)
    }

    /// A channel over `send`, with these limits.
    pub fn new(
        send: Send,
        is_present: bool,
        abandon_after: Duration,
        cool_down: Duration,
    ) -> Desktop {
        Desktop {
            send,
            is_present,
            abandon_after,
            cool_down,
            open_until: Arc::default(),
        }
    }

    /// Shows a notification, or says why not. Returns within `abandon_after` whatever the bus
    /// does; the text is sanitized like everything else that leaves onduty.
    pub async fn notify(&self, summary: &str, body: &str) -> Outcome {
        if !self.is_present {
            return Outcome::NoDesktop;
        }
        if let Some(left) = self.breaker_left() {
            return Outcome::BreakerOpen(left);
        }
        let (summary, body) = (sanitize::line(summary, 200), sanitize::text(body, 2000));
        let (tx, rx) = tokio::sync::oneshot::channel();
        let send = self.send.clone();
        // A thread of its own, not the blocking pool: a call that never returns must not hold
        // a pool thread, nor the runtime's shutdown.
        let started = std::thread::Builder::new()
            .name("desktop-notify".into())
            .spawn(move || {
                let _ = tx.send(send(&summary, &body));
            });
        if let Err(e) = started {
            return Outcome::Failed(e.to_string());
        }
        match tokio::time::timeout(self.abandon_after, rx).await {
            Ok(Ok(Ok(()))) => Outcome::Shown,
            Ok(Ok(Err(e))) => Outcome::Failed(e),
            Ok(Err(_)) => Outcome::Failed("the notification thread stopped".into()),
            Err(_) => {
                self.open_breaker();
                tracing::warn!(after = ?self.abandon_after, "desktop notification abandoned: the bus did not answer");
                Outcome::Abandoned
            }
        }
    }

    fn breaker_left(&self) -> Option<Duration> {
        let guard = self.open_until.lock().ok()?;
        let until = (*guard)?;
        until.checked_duration_since(Instant::now())
    }

    fn open_breaker(&self) {
        if let Ok(mut guard) = self.open_until.lock() {
            *guard = Some(Instant::now() + self.cool_down);
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Shown => f.write_str("shown"),
            Outcome::NoDesktop => f.write_str(
                "no desktop session here (no D-Bus session bus or no DISPLAY/WAYLAND_DISPLAY)",
            ),
            Outcome::Abandoned => write!(
                f,
                "abandoned after {}s: the D-Bus did not answer; left alone for {} min",
                ABANDON_AFTER.as_secs(),
                COOL_DOWN.as_secs() / 60
            ),
            Outcome::BreakerOpen(left) => write!(
                f,
                "not tried: the D-Bus hung recently ({}s before trying again)",
                left.as_secs()
            ),
            Outcome::Failed(why) => write!(f, "failed: {why}"),
        }
    }
}

/// Whether a desktop session is reachable: a display (X11 or Wayland) and a session bus (its
/// address, or the standard socket under XDG_RUNTIME_DIR). Over plain SSH there is neither.
pub fn has_desktop_session() -> bool {
    let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    let has_display = set("DISPLAY") || set("WAYLAND_DISPLAY");
    let has_bus = set("DBUS_SESSION_BUS_ADDRESS")
        || std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|d| std::path::Path::new(&d).join("bus").exists());
    has_display && has_bus
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desktop(send: Send) -> Desktop {
        Desktop::new(
            send,
            true,
            Duration::from_millis(200),
            Duration::from_secs(60),
        )
    }

    #[tokio::test]
    async fn a_bus_that_never_answers_is_abandoned_then_left_alone() {
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = calls.clone();
        let hang: Send = Arc::new(move |_: &str, _: &str| {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            loop {
                std::thread::park();
            }
        });
        let d = desktop(hang);
        let started = Instant::now();
        assert_eq!(d.notify("CRIT", "disk").await, Outcome::Abandoned);
        assert!(started.elapsed() < Duration::from_secs(2));
        let again = Instant::now();
        assert!(matches!(
            d.notify("CRIT", "disk").await,
            Outcome::BreakerOpen(_)
        ));
        assert!(again.elapsed() < Duration::from_millis(50));
        assert_eq!(
            calls.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "no second attempt"
        );
    }

    #[tokio::test]
    async fn no_desktop_returns_at_once_and_text_is_sanitized() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        let send: Send = Arc::new(move |s: &str, b: &str| {
            record.lock().unwrap().push(format!("{s}|{b}"));
            Ok(())
        });
        let absent = Desktop::new(send.clone(), false, ABANDON_AFTER, COOL_DOWN);
        assert_eq!(absent.notify("x", "y").await, Outcome::NoDesktop);
        assert!(seen.lock().unwrap().is_empty());
        let d = desktop(send);
        assert_eq!(
            d.notify("a\u{1b}]0;t\u{7}b", "\u{202e}c").await,
            Outcome::Shown
        );
        assert_eq!(seen.lock().unwrap().as_slice(), ["ab|c"]);
    }
}
