//! Running a source's program: argv (no shell), in a process group of its own, stdin given
//! or closed, stdout read up to a cap, stderr to the log (never the screen), the exit status
//! checked. Dropped (a poll's timeout) or over its cap, the whole group is killed.

use std::process::Stdio;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

use crate::model::{SourceId, sanitize};
use crate::sources::Error;

/// Most stderr read into the log per run.
const MOST_STDERR: usize = 64 << 10;

/// Kills a program's process group when dropped before it is disarmed (a poll that timed
/// out drops the run mid-way): nothing it started outlives it.
struct Group(Option<u32>);

impl Drop for Group {
    fn drop(&mut self) {
        crate::config::secrets::kill_group(self.0.take());
    }
}

/// Runs `argv` with `stdin` (closed when `None`); its stdout when it exits 0. More than `cap`
/// bytes of stdout is an error (the child killed). A non-zero exit is an error saying the
/// status; what it said on stderr is in the log.
pub async fn run(
    source: &SourceId,
    argv: &[String],
    stdin: Option<Vec<u8>>,
    cap: usize,
) -> Result<Vec<u8>, Error> {
    let Some((program, args)) = argv.split_first() else {
        return Err(Error::Rejected("no program to run".into()));
    };
    let mut command = Command::new(program);
    command.process_group(0);
    let mut child = command
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| Error::Connect(format!("{}: {e}", sanitize::line(program, 200))))?;
    let mut group = Group(child.id());
    let leader = group.0;
    let feed = async {
        if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
            // A program that does not read its stdin is not an error.
            let _ = pipe.write_all(&bytes).await;
        }
    };
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let read_out = async {
        let mut buf = Vec::new();
        let Some(out) = out.as_mut() else {
            return Ok(buf);
        };
        let mut chunk = vec![0u8; 64 << 10];
        loop {
            let n = out
                .read(&mut chunk)
                .await
                .map_err(|e| Error::Connect(e.to_string()))?;
            if n == 0 {
                return Ok(buf);
            }
            if buf.len() + n > cap {
                // Killed now: its stderr closes, and nothing waits on a program that
                // would print forever.
                crate::config::secrets::kill_group(leader);
                return Err(Error::Decode(format!(
                    "it printed more than {} bytes (max_output)",
                    cap
                )));
            }
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    let read_err = async {
        let mut buf = Vec::new();
        if let Some(err) = err.as_mut() {
            let _ = err.take(MOST_STDERR as u64).read_to_end(&mut buf).await;
        }
        buf
    };
    let ((), stdout, stderr) = tokio::join!(feed, read_out, read_err);
    for line in String::from_utf8_lossy(&stderr)
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        tracing::warn!(source = %source, stderr = %sanitize::line(line, 500), "command said");
    }
    let stdout = stdout?;
    let status = child
        .wait()
        .await
        .map_err(|e| Error::Connect(e.to_string()))?;
    // It exited by itself: its group is left alone.
    group.0 = None;
    if !status.success() {
        let how = status
            .code()
            .map_or("was killed by a signal".to_string(), |c| {
                format!("exited with status {c}")
            });
        return Err(Error::Connect(format!(
            "{} {how} (its stderr is in the log)",
            sanitize::line(program, 200)
        )));
    }
    Ok(stdout)
}
