//! The panic hook: restores the terminal before anything is printed, logs the panic, says in
//! one plain line what happened and that nothing written was lost, then lets the default hook
//! report it on the now-normal screen.

/// Installs the hook. Call before entering raw mode.
pub fn init() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        crate::terminal::tui::restore();
        tracing::error!(panic = %info, "onduty panicked");
        // Not eprintln!: it panics when stderr is gone, and a panic in here aborts.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "\r\nonduty crashed (a bug, please report it). Actions and notes already written \
             are safe in the journal and are resent on the next start; details follow and are \
             in the log."
        );
        previous(info);
    }));
}
