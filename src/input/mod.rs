//! Reading inputs: open files or stdin, read CSV records with exact line numbers, and hand
//! each row to the normaliser. This is the only module that reads input files.

mod columns;
mod fields;
mod lines;
mod normalize;

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

pub use columns::{Columns, FIELDS, plan_columns};
pub use lines::LineTracker;
pub use normalize::Collector;

use crate::error::{CliError, io_reason};
use crate::model::Ledger;
use crate::policy::Policy;

/// What the rows of an input are when their `type` is empty or absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A ledger: every row says its type.
    Ledger,
    /// `--invoices`: rows are invoices unless their type says otherwise.
    Invoices,
    /// `--payments`: rows are payments unless their type says otherwise.
    Payments,
}

/// One input of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// `None` for stdin (`-`).
    pub path: Option<PathBuf>,
    pub role: Role,
}

impl Source {
    /// The name messages use: the path as given (control characters escaped), or `<stdin>`.
    pub fn display_name(&self) -> String {
        match &self.path {
            Some(p) => crate::error::show_path(p),
            None => "<stdin>".to_string(),
        }
    }
}

/// Reads every source, in order, into one ledger; all data problems of all files are
/// reported together.
pub fn load_ledger(sources: &[Source], policy: &Policy) -> Result<Ledger, CliError> {
    refuse_repeats(sources)?;
    let mut collector = Collector::new(policy);
    for (index, source) in sources.iter().enumerate() {
        let name = source.display_name();
        let index = u32::try_from(index).map_err(|_| CliError::Usage {
            message: "too many inputs".into(),
        })?;
        match &source.path {
            None => read_source(io::stdin().lock(), index, name, source.role, &mut collector)?,
            Some(path) => {
                let cannot = |e: io::Error| CliError::NoInput {
                    message: format!("cannot open {name}: {}", io_reason(&e)),
                };
                if path.is_dir() {
                    return Err(CliError::NoInput {
                        message: format!("cannot open {name}: it is a directory"),
                    });
                }
                let file = File::open(path).map_err(cannot)?;
                read_source(file, index, name, source.role, &mut collector)?;
            }
        }
    }
    collector.finish()
}

/// The same file named twice would double every amount in it (and then fail on its
/// invoice ids, naming each line as its own duplicate): say so plainly instead.
fn refuse_repeats(sources: &[Source]) -> Result<(), CliError> {
    let files: Vec<&Source> = sources
        .iter()
        .filter(|s| s.path.as_deref().is_some_and(Path::is_file))
        .collect();
    for (i, later) in files.iter().enumerate() {
        for earlier in &files[..i] {
            let (Some(a), Some(b)) = (&later.path, &earlier.path) else {
                continue;
            };
            if same_file::is_same_file(a, b).unwrap_or(false) {
                return Err(CliError::Usage {
                    message: format!(
                        "{} is given twice (the same file as {}); each input is read once",
                        later.display_name(),
                        earlier.display_name()
                    ),
                });
            }
        }
    }
    Ok(())
}

/// Reads one CSV input into the collector. Only I/O failures are returned; data problems
/// are collected.
pub fn read_source<R: Read>(
    reader: R,
    index: u32,
    name: String,
    role: Role,
    collector: &mut Collector,
) -> Result<(), CliError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(LineTracker::new(reader));
    let io_failed = |e: csv::Error, name: &str| {
        let why = match e.into_kind() {
            csv::ErrorKind::Io(e) => io_reason(&e),
            other => format!("{other:?}"), // unreachable: byte records, flexible widths
        };
        CliError::Io {
            message: format!("cannot read {name}: {why}"),
        }
    };
    collector.add_source(name.clone());
    let mut record = csv::ByteRecord::new();
    if !rdr
        .read_byte_record(&mut record)
        .map_err(|e| io_failed(e, &name))?
    {
        collector.error(format!(
            "{name}: the file is empty (expected a header line naming the columns)"
        ));
        return Ok(());
    }
    let header_line = line_of(&mut rdr, &record);
    let columns = match plan_columns(&record, role) {
        Ok(c) => c,
        Err(message) => {
            collector.error(format!("{name}:{header_line}: {message}"));
            return Ok(());
        }
    };
    while rdr
        .read_byte_record(&mut record)
        .map_err(|e| io_failed(e, &name))?
    {
        let line = line_of(&mut rdr, &record);
        collector.row(
            &record,
            &columns,
            role,
            crate::model::Loc {
                source: index,
                line,
            },
        );
    }
    Ok(())
}

fn line_of<R: Read>(rdr: &mut csv::Reader<LineTracker<R>>, record: &csv::ByteRecord) -> u64 {
    let byte = record.position().map_or(0, |p| p.byte());
    rdr.get_mut().line_of(byte)
}
