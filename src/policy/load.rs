//! The only part of the policy that touches the file system: which file a run uses, and
//! reading it (parsing and validation stay pure, in `parse_policy`).

use std::path::{Path, PathBuf};

use super::{Policy, PolicyProblem, line_column, parse_policy};
use crate::error::CliError;

/// The policy file a run uses: `--policy FILE`, else `cartera.toml` in the working
/// directory when it exists (unless `--no-config`), else none (the built-in defaults).
pub fn policy_path(explicit: Option<&Path>, no_config: bool) -> Option<PathBuf> {
    let default_path = Path::new("cartera.toml");
    match explicit {
        Some(p) => Some(p.to_path_buf()),
        None if !no_config && default_path.exists() => Some(default_path.to_path_buf()),
        None => None,
    }
}

/// Reads and validates the policy at `path`, or returns the built-in defaults.
pub fn load_policy(path: Option<&Path>) -> Result<Policy, CliError> {
    let Some(path) = path else {
        return Ok(Policy::default());
    };
    let shown = crate::error::show_path(path);
    let unreadable = |why: String| CliError::NoInput {
        message: format!("cannot read the policy {shown}: {why}"),
    };
    if path.is_dir() {
        return Err(unreadable("it is a directory".into()));
    }
    let bytes = std::fs::read(path).map_err(|e| unreadable(crate::error::io_reason(&e)))?;
    let located = |p: PolicyProblem| format!("{shown}:{}:{}: {}", p.line, p.column, p.message);
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid =
            std::str::from_utf8(&e.as_bytes()[..e.utf8_error().valid_up_to()]).unwrap_or_default();
        let (line, column) = line_column(valid, valid.len());
        let message = "the policy is not valid UTF-8 (hint: save it as UTF-8)".to_string();
        CliError::Policy {
            problems: vec![located(PolicyProblem {
                line,
                column,
                message,
            })],
        }
    })?;
    parse_policy(&text, &shown).map_err(|problems| CliError::Policy {
        problems: problems.into_iter().map(located).collect(),
    })
}
