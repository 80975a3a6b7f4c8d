//! The errors a run can end with, each with its documented exit code. The core returns
//! these typed values; `app` prints them once, as `error: …` lines on stderr.

use std::io;

/// Exit codes. `--help` prints [`EXIT_CODES`]; a test holds the README's table to it.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const DATA: u8 = 65;
    pub const NO_INPUT: u8 = 66;
    pub const INTERNAL: u8 = 70;
    pub const CANT_CREATE: u8 = 73;
    pub const IO: u8 = 74;
    pub const POLICY: u8 = 78;
}

/// Every exit code with what it means: the one source of `--help` and the README's table.
pub const EXIT_CODES: [(u8, &str); 9] = [
    (
        exit::OK,
        "success (also when the reader of the output goes away, as with | head)",
    ),
    (
        exit::FINDINGS,
        "ran fine and found what needs a person (reconcile --fail-on-exceptions, risk --fail-on)",
    ),
    (exit::USAGE, "usage: the command line is not understood"),
    (
        exit::DATA,
        "bad input data: a value that cannot be read, a duplicate invoice, a missing column",
    ),
    (
        exit::NO_INPUT,
        "an input file (ledger or policy) is missing or unreadable",
    ),
    (
        exit::INTERNAL,
        "internal error: a bug in cartera (an invariant did not hold); nothing was written",
    ),
    (
        exit::CANT_CREATE,
        "the output cannot be created, or would overwrite an input",
    ),
    (exit::IO, "reading or writing failed midway"),
    (exit::POLICY, "the policy file is invalid"),
];

/// The `Exit status:` section of `--help`.
pub fn exit_status_help() -> String {
    let lines: Vec<String> = EXIT_CODES
        .iter()
        .map(|(code, meaning)| format!("  {code:<3} {meaning}"))
        .collect();
    format!("Exit status:\n{}", lines.join("\n"))
}

/// How many located input errors are listed before the rest are only counted.
pub const MAX_LISTED_ERRORS: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{message}")]
    Usage { message: String },
    #[error("{}", data_lines(errors, *total).join("\n"))]
    Data { errors: Vec<String>, total: usize },
    #[error("{message}")]
    NoInput { message: String },
    #[error("{message}")]
    CantCreate { message: String },
    #[error("{message}")]
    Io { message: String },
    #[error("{}", problems.join("\n"))]
    Policy { problems: Vec<String> },
    #[error("internal error: {message}; nothing was written (please report this)")]
    Internal { message: String },
    /// The run went fine and every output was written, but something needs a person.
    #[error("{message}")]
    Findings { message: String },
    /// The reader of stdout went away (`| head`): a quiet success.
    #[error("broken pipe")]
    BrokenPipe,
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage { .. } => exit::USAGE,
            CliError::Data { .. } => exit::DATA,
            CliError::NoInput { .. } => exit::NO_INPUT,
            CliError::CantCreate { .. } => exit::CANT_CREATE,
            CliError::Io { .. } => exit::IO,
            CliError::Policy { .. } => exit::POLICY,
            CliError::Internal { .. } => exit::INTERNAL,
            CliError::BrokenPipe => exit::OK,
            CliError::Findings { .. } => exit::FINDINGS,
        }
    }
}

fn data_lines(errors: &[String], total: usize) -> Vec<String> {
    let mut lines = errors.to_vec();
    if total > errors.len() {
        lines.push(format!("… and {} more", total - errors.len()));
    }
    let noun = if total == 1 { "problem" } else { "problems" };
    lines.push(format!(
        "{total} {noun} in the input; no report was written"
    ));
    lines
}

/// A short, stable wording of an I/O failure (without the OS error number).
pub fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::IsADirectory => "it is a directory".to_string(),
        io::ErrorKind::NotADirectory => "a part of the path is not a directory".to_string(),
        _ => {
            let s = e.to_string();
            let s = s.find(" (os error").map_or(s.as_str(), |i| &s[..i]);
            let mut chars = s.chars();
            chars
                .next()
                .map_or(String::new(), |c| c.to_lowercase().chain(chars).collect())
        }
    }
}

/// A path as messages show it (control characters escaped).
pub fn show_path(path: &std::path::Path) -> String {
    sanitize(&path.display().to_string())
}

/// Replaces control and bidirectional-override characters with visible escapes, so text
/// from an input file can neither drive the terminal nor reorder what is shown next to it.
pub fn sanitize(text: &str) -> String {
    let needs =
        |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(needs) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if needs(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_escapes_terminal_controls_only() {
        assert_eq!(sanitize("Peña & Cía, S.A."), "Peña & Cía, S.A.");
        assert_eq!(sanitize("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(sanitize("x\u{202E}y"), "x\\u{202e}y");
    }
}
