//! Reading inputs: open files or stdin, read CSV records with exact line numbers, and hand
//! each row to the normaliser. This is the only module that reads input files.

mod columns;
mod customers;
mod fields;
mod lines;
mod normalize;

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

pub use columns::{Columns, FIELDS, plan_columns};
pub use customers::{Customers, load_customers};
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
/// `terms` are payment terms per customer id (from a customers file), for invoices whose due
/// date is empty; the policy's default terms serve the others.
pub fn load_ledger(
    sources: &[Source],
    policy: &Policy,
    terms: &HashMap<String, u32>,
) -> Result<Ledger, CliError> {
    refuse_repeats(sources)?;
    let mut collector = Collector::new(policy);
    collector.customer_terms.clone_from(terms);
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
    collector.add_source(name.clone());
    let mut records = Records::new(reader, name.clone());
    let Some(header_line) = records.next_record()? else {
        collector.error(format!(
            "{name}: the file is empty (expected a header line naming the columns)"
        ));
        return Ok(());
    };
    let columns = match plan_columns(&records.record, role) {
        Ok(c) => c,
        Err(message) => {
            collector.error(format!("{name}:{header_line}: {message}"));
            return Ok(());
        }
    };
    while let Some(line) = records.next_record()? {
        collector.row(
            &records.record,
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

/// The records of one CSV input, one at a time into a reused buffer, each with the line a
/// text editor shows for its start.
pub struct Records<R: Read> {
    rdr: csv::Reader<LineTracker<R>>,
    name: String,
    pub record: csv::ByteRecord,
}

impl<R: Read> Records<R> {
    pub fn new(reader: R, name: String) -> Self {
        let rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(LineTracker::new(reader));
        Records {
            rdr,
            name,
            record: csv::ByteRecord::new(),
        }
    }

    /// Reads the next record into `self.record`; its line, or `None` at the end.
    pub fn next_record(&mut self) -> Result<Option<u64>, CliError> {
        match self.rdr.read_byte_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let byte = self.record.position().map_or(0, |p| p.byte());
                Ok(Some(self.rdr.get_mut().line_of(byte)))
            }
            Err(e) => {
                let why = match e.into_kind() {
                    csv::ErrorKind::Io(e) => io_reason(&e),
                    other => format!("{other:?}"), // unreachable: byte records, flexible widths
                };
                Err(CliError::Io {
                    message: format!("cannot read {}: {why}", self.name),
                })
            }
        }
    }
}
