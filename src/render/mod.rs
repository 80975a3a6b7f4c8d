//! Renderers: a [`Report`] → bytes on any `io::Write`. They never flush or choose where the
//! bytes go; the shell does (see `output`).

mod chunks;
pub(crate) mod csv;
pub use csv::starts_like_formula;
mod json;
mod table;

use std::io::{self, Write};

use crate::report::Report;

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned table for people.
    Table,
    /// Comma-separated values for programs and spreadsheets.
    Csv,
    /// One JSON document, amounts as strings.
    Json,
}

impl Format {
    /// The format an output file's extension implies, if any.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "txt" | "table" => Some(Format::Table),
            _ => None,
        }
    }
}

/// How the table may use the terminal (cosmetics only: never the content).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Width {
    /// Fit this many columns (only names wrap): the terminal's width, read by the context.
    Columns(u16),
    /// As wide as the content needs.
    Natural,
}

pub fn render(
    report: &Report,
    format: Format,
    width: Width,
    out: &mut dyn Write,
) -> io::Result<()> {
    render_all(&[report], format, width, out)
}

/// Several reports as one output: tables one after the other, JSON sections of one
/// document; CSV, which holds one table, writes the first.
pub fn render_all(
    reports: &[&Report],
    format: Format,
    width: Width,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Table => {
            for (i, report) in reports.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                table::render_table(report, width, out)?;
            }
            Ok(())
        }
        Format::Csv => reports.first().map_or(Ok(()), |r| csv::render_csv(r, out)),
        Format::Json => json::render_json(reports, out),
    }
}
