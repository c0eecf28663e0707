//! Where a source's token comes from: an environment variable, a command, or a file only its
//! owner can read. A `Secret` never shows itself in `Debug` or `Display`.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use super::SourceConfig;

/// How long a `token_command` may run.
pub const TOKEN_COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// A token. Its value is reachable only through `expose`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The token itself, for the one place that puts it in a request header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Why a token could not be had. The text never includes the token.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    /// The variable is unset or empty.
    #[error("source '{source_name}': token_env '{var}' is not set")]
    EnvMissing {
        /// The source.
        source_name: String,
        /// The variable.
        var: String,
    },
    /// The command failed or timed out.
    #[error("source '{source_name}': token_command failed: {reason}")]
    Command {
        /// The source.
        source_name: String,
        /// Why (exit status, timeout), never its output.
        reason: String,
    },
    /// The file is unreadable or too open.
    #[error("source '{source_name}': token_file '{path}': {reason}")]
    File {
        /// The source.
        source_name: String,
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

/// Resolves the token of `source`, trying token_env, then token_command, then token_file.
/// `Ok(None)` when the source names none.
pub async fn resolve(source: &SourceConfig) -> Result<Option<Secret>, SecretError> {
    let name = source.name.clone();
    if let Some(var) = &source.token_env {
        return match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Ok(Some(Secret(v.trim().to_string()))),
            _ => Err(SecretError::EnvMissing {
                source_name: name,
                var: var.clone(),
            }),
        };
    }
    if let Some(cmd) = &source.token_command {
        return run_command(cmd)
            .await
            .map(Some)
            .map_err(|reason| SecretError::Command {
                source_name: name,
                reason,
            });
    }
    if let Some(path) = &source.token_file {
        let file_err = |reason: String| SecretError::File {
            source_name: name.clone(),
            path: path.display().to_string(),
            reason,
        };
        return read_private_file(path).await.map(Some).map_err(file_err);
    }
    Ok(None)
}

async fn run_command(cmd: &str) -> Result<Secret, String> {
    let child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(TOKEN_COMMAND_TIMEOUT, child)
        .await
        .map_err(|_| format!("no answer within {}s", TOKEN_COMMAND_TIMEOUT.as_secs()))?
        .map_err(|e| format!("could not start: {e}"))?;
    if !output.status.success() {
        return Err(format!("exited with {}", output.status));
    }
    let token = String::from_utf8(output.stdout)
        .map_err(|_| "printed something that is not UTF-8".to_string())?;
    let token = token.trim();
    if token.is_empty() {
        return Err("printed nothing".into());
    }
    Ok(Secret(token.to_string()))
}

async fn read_private_file(path: &Path) -> Result<Secret, String> {
    let meta = tokio::fs::metadata(path).await.map_err(|e| e.to_string())?;
    check_private(&meta)?;
    let text = tokio::fs::read_to_string(path)
        .await
        .map_err(|e| e.to_string())?;
    let token = text.trim();
    if token.is_empty() {
        return Err("the file is empty".into());
    }
    Ok(Secret(token.to_string()))
}

#[cfg(unix)]
fn check_private(meta: &std::fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(format!(
            "readable by others (mode {mode:o}); run chmod 600 on it"
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_meta: &std::fs::Metadata) -> Result<(), String> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn source() -> SourceConfig {
        SourceConfig::demo("s")
    }

    #[test]
    fn secret_debug_is_redacted() {
        assert_eq!(
            format!("{:?}", Secret("canary-123".into())),
            "Secret(<redacted>)"
        );
    }

    #[tokio::test]
    async fn token_command_output_is_trimmed_and_failures_hide_output() {
        let mut s = source();
        s.token_command = Some("echo '  tok-1  '".into());
        assert_eq!(resolve(&s).await.unwrap().unwrap().expose(), "tok-1");
        s.token_command = Some("echo canary-xyz; exit 3".into());
        let e = resolve(&s).await.unwrap_err().to_string();
        assert!(e.contains("exited with") && !e.contains("canary"), "{e}");
    }

    #[tokio::test]
    async fn token_file_must_be_private() {
        use std::os::unix::fs::PermissionsExt;
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "file-token").unwrap();
        let mut s = source();
        s.token_file = Some(f.path().to_path_buf());
        std::fs::set_permissions(f.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = resolve(&s).await.unwrap_err().to_string();
        assert!(e.contains("chmod 600") && !e.contains("file-token"), "{e}");
        std::fs::set_permissions(f.path(), std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(resolve(&s).await.unwrap().unwrap().expose(), "file-token");
    }

    #[tokio::test]
    async fn missing_env_names_the_variable() {
        let mut s = source();
        s.token_env = Some("ONDUTY_TEST_SURELY_UNSET".into());
        let e = resolve(&s).await.unwrap_err().to_string();
        assert!(e.contains("ONDUTY_TEST_SURELY_UNSET"), "{e}");
    }
}
