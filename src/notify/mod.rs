//! Notifications that reach the engineer. Today: the desktop channel, made safe to call from
//! anywhere (see `desktop`). The rules and the terminal channels come with the notification
//! work (issue 10).

pub mod desktop;
