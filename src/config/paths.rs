//! Where onduty keeps its files: config, themes, data, logs. `onduty info` prints them all.
//! `ONDUTY_CONFIG_DIR` and `ONDUTY_DATA_DIR` override the platform directories.

use std::path::PathBuf;

use directories::ProjectDirs;

/// Every directory onduty uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    /// `<config>/onduty`.
    pub config_dir: PathBuf,
    /// `<data>/onduty`.
    pub data_dir: PathBuf,
}

impl Paths {
    /// The platform's directories, or the ones the environment names.
    pub fn discover() -> Paths {
        let dirs = ProjectDirs::from("", "", "onduty");
        let fallback = |f: fn(&ProjectDirs) -> PathBuf, sub: &str| {
            dirs.as_ref()
                .map(f)
                .unwrap_or_else(|| PathBuf::from(".onduty").join(sub))
        };
        let config_dir = std::env::var_os("ONDUTY_CONFIG_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| fallback(|d| d.config_dir().to_path_buf(), "config"));
        let data_dir = std::env::var_os("ONDUTY_DATA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| fallback(|d| d.data_dir().to_path_buf(), "data"));
        Paths {
            config_dir,
            data_dir,
        }
    }

    /// The config file read when `--config` is not given.
    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    /// Where user themes live.
    pub fn themes_dir(&self) -> PathBuf {
        self.config_dir.join("themes")
    }

    /// Where logs are written.
    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }

    /// Where a post-mortem or hand-off written from the dashboard under a bare name goes.
    pub fn exports_dir(&self) -> PathBuf {
        self.data_dir.join("exports")
    }

    /// The embedded journal (used from the journal issue on).
    pub fn journal_file(&self) -> PathBuf {
        self.data_dir.join("journal.sqlite3")
    }
}

/// Creates `dir` (and its parents) readable by the owner only (0700 on Unix).
pub fn ensure_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}
