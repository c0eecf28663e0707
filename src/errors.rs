//! The panic hook: restores the terminal before anything is printed, logs the panic, then
//! lets the default hook report it on the now-normal screen.

/// Installs the hook. Call before entering raw mode.
pub fn init() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        crate::tui::restore();
        tracing::error!(panic = %info, "onduty panicked");
        previous(info);
    }));
}
