//! Longer text for a post or an invite: from the command line, an editor, or standard input,
//! never left behind on disk.

use anyhow::{Result, anyhow};

/// A post's text: `given`, else written in `$VISUAL` / `$EDITOR` when a person is at a
/// terminal, else what is typed or piped on standard input.
pub(super) fn long_text(given: Option<String>, what: &str) -> Result<String> {
    use std::io::IsTerminal;
    if given.as_deref().is_none_or(|t| t == "-") && std::io::stdin().is_terminal() {
        let editor = std::env::var("VISUAL").or_else(|_| std::env::var("EDITOR"));
        if let Some(editor) = editor.ok().filter(|e| !e.trim().is_empty()) {
            return text_from_editor(&editor, what);
        }
    }
    text_or_stdin(given, what)
}

/// `given`, or what the user types (or pipes) on standard input: long text and secrets stay out
/// of shell history and `/proc`.
pub(super) fn text_or_stdin(given: Option<String>, what: &str) -> Result<String> {
    use std::io::{IsTerminal, Read};
    if let Some(text) = given.filter(|t| t != "-") {
        return Ok(text);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("Type the {what}, then press Ctrl-D on a new line:");
    }
    let mut text = String::new();
    stdin
        .lock()
        .read_to_string(&mut text)
        .map_err(|_| anyhow!("could not read the {what} from standard input"))?;
    Ok(text.trim_end_matches(['\n', '\r']).to_string())
}

/// The text written in `editor` (`$VISUAL` or `$EDITOR`), in a private file in memory where the
/// system has one (`/dev/shm`), wiped and removed afterwards: a post's words are not left on
/// the disk of a laptop that may be taken.
fn text_from_editor(editor: &str, what: &str) -> Result<String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let folder = Some(std::path::PathBuf::from("/dev/shm"))
        .filter(|p| p.is_dir())
        .unwrap_or_else(std::env::temp_dir);
    let name = format!(
        "sangam-{}.txt",
        hex::encode(sangam_node::vault::random::<8>().map_err(|e| anyhow!("{e}"))?)
    );
    let path = folder.join(name);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| anyhow!("could not make a private file for the editor: {e}"))?;
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or("vi");
    let status = std::process::Command::new(program)
        .args(words)
        .arg(&path)
        .status();
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    // Wipe the words before the file goes, whatever the editor did.
    if let Ok(mut file) = std::fs::OpenOptions::new().write(true).open(&path) {
        let _ = file.write_all(&vec![0u8; text.len()]);
        let _ = file.sync_all();
    }
    let _ = std::fs::remove_file(&path);
    match status {
        Ok(done) if done.success() => {}
        _ => {
            return Err(anyhow!(
                "the editor `{program}` did not finish; nothing was posted"
            ));
        }
    }
    let text = text.trim_end_matches(['\n', '\r']).to_string();
    if text.trim().is_empty() {
        eprintln!("The {what} is empty.");
    }
    Ok(text)
}
