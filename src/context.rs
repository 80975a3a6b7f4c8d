//! The resolved context of a run: everything environmental is read here, once, and nowhere
//! else: today's date (when `--as-of` is absent), whether stdout is a terminal, the output
//! target and format.

use std::io::IsTerminal;

use chrono::NaiveDate;

use crate::cli::OutputArgs;
use crate::error::CliError;
use crate::output::Target;
use crate::render::{Format, Width};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    pub as_of: NaiveDate,
    pub format: Format,
    pub target: Target,
    pub width: Width,
}

impl Context {
    pub fn resolve(as_of: Option<NaiveDate>, output: &OutputArgs) -> Result<Context, CliError> {
        let as_of = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
        let target = match &output.output {
            Some(p) if p.as_os_str() != "-" => Target::File(p.clone()),
            _ => Target::Stdout,
        };
        let format = resolve_format(output.format, &target)?;
        let width = match target {
            // comfy-table reads the terminal's size (stdout only when it is a terminal).
            Target::Stdout if std::io::stdout().is_terminal() => comfy_table::Table::new()
                .width()
                .map_or(Width::Natural, Width::Columns),
            _ => Width::Natural,
        };
        Ok(Context {
            as_of,
            format,
            target,
            width,
        })
    }
}

/// `--format`, else the extension of `-o FILE`, else a table. Never the terminal.
pub fn resolve_format(explicit: Option<Format>, target: &Target) -> Result<Format, CliError> {
    if let Some(f) = explicit {
        return Ok(f);
    }
    let Target::File(path) = target else {
        return Ok(Format::Table);
    };
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    Format::from_extension(&ext).ok_or_else(|| CliError::Usage {
        message: format!(
            "cannot tell the output format from the name {} (hint: use an extension .csv, .json or .txt, or --format csv|json|table)",
            path.display()
        ),
    })
}

/// A progress line for big inputs goes to stderr when a person is watching it.
pub fn show_progress(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}
