//! Editing text in the responder's own editor (`$VISUAL`, else `$EDITOR`, else `vi`): the
//! text goes to a private temporary file, the editor runs on the terminal (the dashboard
//! has lent it), and the file is read back. Blocking: run it off the async tasks.

use std::io::Write;
use std::process::Command;

/// Largest text read back.
const CAP: u64 = 1 << 20;

/// The editor command this process would run.
pub fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".into())
}

/// Edits `text` with `editor` (a shell command line, such as `code -w` or `vim`; the file
/// is appended as one argument). The text as saved, or why not (the editor failed or the
/// file could not be read back: the text is then unchanged).
pub fn edit(editor: &str, text: &str) -> Result<String, String> {
    let mut file = tempfile::Builder::new()
        .prefix("onduty-")
        .suffix(".md")
        .tempfile()
        .map_err(|e| format!("temporary file: {e}"))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| format!("temporary file: {e}"))?;
    // The command line is the responder's own setting; the path goes as "$1", never
    // spliced into it.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("onduty-editor")
        .arg(file.path())
        .status()
        .map_err(|e| format!("could not start the editor ({editor}): {e}"))?;
    if !status.success() {
        return Err(format!(
            "the editor ({editor}) exited with {status}: the text is unchanged"
        ));
    }
    let len = std::fs::metadata(file.path())
        .map_err(|e| e.to_string())?
        .len();
    if len > CAP {
        return Err(format!(
            "the edited text is over {} KiB: not taken",
            CAP / 1024
        ));
    }
    let edited = std::fs::read_to_string(file.path()).map_err(|e| e.to_string())?;
    Ok(crate::model::sanitize::text(&edited, CAP as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_editor_round_trips_the_text() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("ed.sh");
        std::fs::write(
            &script,
            "#!/bin/sh\nprintf 'Root cause: a full disk\\n\\033]52;c;eA==\\007' >> \"$1\"\n",
        )
        .unwrap();
        let editor = format!("sh {}", script.display());
        let out = edit(&editor, "# Post-mortem\n\n").unwrap();
        assert_eq!(
            out, "# Post-mortem\n\nRoot cause: a full disk\n",
            "sanitized"
        );
        let e = edit("false", "kept").unwrap_err();
        assert!(e.contains("unchanged"), "{e}");
    }
}
