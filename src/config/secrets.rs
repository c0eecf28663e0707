//! Where a source's token comes from: an environment variable, a command, or a file only its
//! owner can read. A `Secret` never shows itself in `Debug` or `Display`.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use super::source::SourceConfig;

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

/// Why a token could not be had: each configured place in order, and why it gave nothing.
/// The text never includes the token (nor a command's output).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("source '{source_name}': no token: {}", .tried.join("; "))]
pub struct SecretError {
    /// The source.
    pub source_name: String,
    /// What was tried and why it failed, e.g. "token_env 'AM_TOKEN' is not set".
    pub tried: Vec<String>,
}

/// Resolves the token of `source`: token_env, then token_command (with a timeout), then
/// token_file (which must be private); the first that gives one wins. `Ok(None)` when the
/// source names none.
pub async fn resolve(source: &SourceConfig) -> Result<Option<Secret>, SecretError> {
    let token = resolve_within(source, TOKEN_COMMAND_TIMEOUT).await?;
    remember_credentials(source, token.as_ref());
    Ok(token)
}

/// Hands every credential of `source` to the scrubber before any request can carry it: the
/// token (with the user name, its Basic form) and a user and password written in the URL.
fn remember_credentials(source: &SourceConfig, token: Option<&Secret>) {
    if let Some(token) = token {
        super::redact::remember(token.expose(), source.username.as_deref());
    }
    let url = source
        .url
        .as_deref()
        .and_then(|u| reqwest::Url::parse(u).ok());
    if let Some(url) = url
        && let Some(password) = url.password()
    {
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let (user, password) = (decode(url.username()), decode(password));
        super::redact::remember(&password, Some(&user));
    }
}

async fn resolve_within(
    source: &SourceConfig,
    command_timeout: Duration,
) -> Result<Option<Secret>, SecretError> {
    let mut tried = Vec::new();
    if let Some(var) = &source.token_env {
        match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => return Ok(Some(Secret(v.trim().to_string()))),
            _ => tried.push(format!("token_env '{var}' is not set")),
        }
    }
    if let Some(cmd) = &source.token_command {
        match run_command(cmd, command_timeout).await {
            Ok(secret) => return Ok(Some(secret)),
            Err(reason) => tried.push(format!("token_command failed: {reason}")),
        }
    }
    if let Some(path) = &source.token_file {
        match read_private_file(path).await {
            Ok(secret) => return Ok(Some(secret)),
            Err(reason) => tried.push(format!("token_file '{}': {reason}", path.display())),
        }
    }
    if tried.is_empty() {
        return Ok(None);
    }
    Err(SecretError {
        source_name: source.name.clone(),
        tried,
    })
}

/// Refuses a token file that group or others can read (checked when the config is loaded, so
/// onduty will not start on a leaky file). A file that does not exist yet passes here; reading
/// it later says so.
pub fn check_token_file(path: &Path) -> Result<(), String> {
    match std::fs::metadata(path) {
        Ok(meta) => check_private(&meta),
        Err(_) => Ok(()),
    }
}

/// Runs `cmd` with `sh -c` in a process group of its own, so that a command that hangs is
/// killed whole at its timeout, children included (`sh -c 'vault read …'` leaves no orphan).
async fn run_command(cmd: &str, timeout: Duration) -> Result<Secret, String> {
    let mut command = tokio::process::Command::new("sh");
    command
        .arg("-c")
        .arg(cmd)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    #[cfg(unix)]
    command.process_group(0);
    let child = command
        .spawn()
        .map_err(|e| format!("could not start: {e}"))?;
    let group = child.id();
    let output = match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Ok(output) => output.map_err(|e| format!("could not run: {e}"))?,
        Err(_) => {
            kill_group(group);
            return Err(format!("no answer within {timeout:?} (killed)"));
        }
    };
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

/// Kills the process group led by `leader` (the token command's shell and all it started;
/// a command source's program and its children).
pub(crate) fn kill_group(leader: Option<u32>) {
    #[cfg(unix)]
    if let Some(pid) = leader
        .and_then(|p| i32::try_from(p).ok())
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
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
            "readable by group or others (mode {mode:o}); run chmod 600 on it"
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
        SourceConfig::new("s", super::super::source::SourceKind::named("demo"))
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
    async fn env_then_command_then_file_and_every_failure_is_named() {
        use std::os::unix::fs::PermissionsExt;
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "file-token").unwrap();
        std::fs::set_permissions(f.path(), std::fs::Permissions::from_mode(0o600)).unwrap();
        let mut s = source();
        s.token_env = Some("ONDUTY_TEST_SURELY_UNSET_TOO".into());
        s.token_command = Some("exit 1".into());
        s.token_file = Some(f.path().to_path_buf());
        assert_eq!(resolve(&s).await.unwrap().unwrap().expose(), "file-token");
        s.token_command = Some("echo command-token".into());
        assert_eq!(
            resolve(&s).await.unwrap().unwrap().expose(),
            "command-token"
        );
        s.token_env = Some("PATH".into());
        assert_ne!(
            resolve(&s).await.unwrap().unwrap().expose(),
            "command-token"
        );
        s.token_env = Some("ONDUTY_TEST_SURELY_UNSET_TOO".into());
        s.token_command = Some("exit 4".into());
        s.token_file = Some("/nonexistent/token".into());
        let e = resolve(&s).await.unwrap_err().to_string();
        assert!(
            e.contains("ONDUTY_TEST_SURELY_UNSET_TOO")
                && e.contains("exited with")
                && e.contains("/nonexistent/token"),
            "{e}"
        );
    }

    #[tokio::test]
    async fn a_hanging_token_command_is_killed_at_its_timeout() {
        let mut s = source();
        s.token_command = Some("sleep 30; echo late".into());
        let started = std::time::Instant::now();
        let e = resolve_within(&s, Duration::from_millis(200))
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("no answer within"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn a_hanging_token_command_leaves_no_child_behind() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let mut s = source();
        // The shell starts a child that would outlive it, and waits for it.
        s.token_command = Some(format!("sleep 30 & echo $! > {}; wait", pid_file.display()));
        let e = resolve_within(&s, Duration::from_millis(300))
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("no answer within"), "{e}");
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        // SIGKILL lands asynchronously: the child is gone, or a zombie, within a second.
        let mut alive = true;
        for _ in 0..50 {
            let state =
                std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).unwrap_or_default();
            alive = !state.is_empty() && !state.contains(") Z ");
            if !alive {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(!alive, "the token command's child lives on");
    }

    #[test]
    fn an_open_token_file_is_refused_before_it_is_read() {
        use std::os::unix::fs::PermissionsExt;
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::set_permissions(f.path(), std::fs::Permissions::from_mode(0o640)).unwrap();
        let e = check_token_file(f.path()).unwrap_err();
        assert!(e.contains("chmod 600") && e.contains("640"), "{e}");
        std::fs::set_permissions(f.path(), std::fs::Permissions::from_mode(0o400)).unwrap();
        assert!(check_token_file(f.path()).is_ok());
        assert!(check_token_file(Path::new("/nonexistent/token")).is_ok());
    }

    #[tokio::test]
    async fn missing_env_names_the_variable() {
        let mut s = source();
        s.token_env = Some("ONDUTY_TEST_SURELY_UNSET".into());
        let e = resolve(&s).await.unwrap_err().to_string();
        assert!(e.contains("ONDUTY_TEST_SURELY_UNSET"), "{e}");
    }
}
