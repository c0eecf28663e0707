//! Opening a link in the browser, where this process has a desktop (a local session, not a
//! plain SSH login): `xdg-open` (`open` on macOS), detached, its output discarded. Only
//! http(s) links are opened; a link from a back end never becomes a command-line option.

use std::process::{Command, Stdio};

/// Whether a browser can be shown here: a display (X11 or Wayland), or macOS.
pub fn has_display() -> bool {
    let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    cfg!(target_os = "macos") || set("DISPLAY") || set("WAYLAND_DISPLAY")
}

/// Whether `url` is a web link (the only kind opened).
pub fn is_web(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// Opens `url` in the browser without waiting for it; the opener is reaped off the UI task.
pub fn open(url: &str) -> Result<(), String> {
    if !is_web(url) {
        return Err("only http(s) links are opened".into());
    }
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let mut child = Command::new(opener)
        // After `--`-free positional use: the URL starts with "http", never with '-'.
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{opener}: {e}"))?;
    std::thread::spawn(move || child.wait());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_web_links_open() {
        assert!(is_web("https://grafana.example/d/disk?from=now-1h"));
        assert!(is_web("HTTP://intranet/rb"));
        for bad in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "-e https://x",
            "https://x\n--help",
            "https://x y",
            "../wiki/disk.md",
        ] {
            assert!(!is_web(bad), "{bad}");
            assert!(open(bad).is_err(), "{bad}");
        }
    }
}
