//! Reading inputs: open files or stdin, read CSV records with exact line numbers, and hand
//! each row to the normaliser. This is the only module that reads input files.

mod columns;
mod customers;
pub(crate) mod fields;
mod infer;
mod lines;
mod normalize;
pub(crate) mod progress;
mod rows;
pub(crate) mod split;

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

pub use columns::{Columns, FIELDS, SHAPE_FIELDS, plan_columns};
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
    terms: &crate::Map<String, u32>,
    set_aside: Option<Option<u64>>,
    progress: bool,
) -> Result<Ledger, CliError> {
    refuse_repeats(sources)?;
    let mut collector = Collector::new(policy);
    if let Some(max) = set_aside {
        collector.set_rows_aside(max);
    }
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
                let size = file.metadata().map_or(0, |m| m.len());
                let mut tail = split::split_point(path, size, split::PARALLEL_MIN_BYTES);
                let file: Box<dyn Read> = if progress && size > 0 {
                    // A second part read at once counts its bytes into the same line.
                    let elsewhere = progress::Elsewhere::default();
                    if let Some(tail) = &mut tail {
                        tail.progress = Some(elsewhere.clone());
                    }
                    let line = progress::Progress::new(file, io::stderr(), name.clone(), size);
                    Box::new(line.with_elsewhere(elsewhere))
                } else {
                    Box::new(file)
                };
                read_source_in_parts(file, index, name, source.role, &mut collector, tail)?;
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

/// The delimiter chosen (or why none could be), and the input with its start put back.
type Sniffed<'r> = (Result<u8, String>, Box<dyn Read + 'r>);

/// How far down a header is looked for, past title lines.
const HEADER_SEARCH_LINES: u64 = 30;

/// Picks the delimiter from the start of the input: Excel's `sep=X` first line, else the one
/// of `,` `;` tab `|` seen most often outside quotes on the header line. A tie is an error
/// that asks for the setting. The bytes read are put back in front of the reader.
fn sniff_delimiter<'r>(
    mut reader: Box<dyn Read + 'r>,
    name: &str,
    skip_rows: u32,
) -> Result<Sniffed<'r>, CliError> {
    let mut head = Vec::new();
    (&mut reader)
        .take(64 * 1024)
        .read_to_end(&mut head)
        .map_err(|e| CliError::Io {
            message: format!("cannot read {name}: {}", io_reason(&e)),
        })?;
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.lines().map(|l| l.trim_start_matches('\u{feff}'));
    let first = lines.next().unwrap_or("");
    let choice = if let Some(sep) = first.strip_prefix("sep=") {
        crate::policy::parse_delimiter(sep.trim()).map_err(|m| format!("{name}:1: sep= line: {m}"))
    } else {
        let header_no = skip_rows as usize;
        let header = std::iter::once(first)
            .chain(lines)
            .nth(header_no)
            .unwrap_or("");
        let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0), (b'|', 0)];
        let mut quoted = false;
        for b in header.bytes() {
            if b == b'"' {
                quoted = !quoted;
            } else if let Some(c) = counts.iter_mut().find(|c| c.0 == b && !quoted) {
                c.1 += 1;
            }
        }
        counts.sort_by_key(|c| std::cmp::Reverse(c.1));
        let show = |b: u8| {
            if b == b'\t' {
                "tab".to_string()
            } else {
                (b as char).to_string()
            }
        };
        match counts {
            [(a, n), (b, m), ..] if n > 0 && n == m => Err(format!(
                "{name}:{}: cannot tell the delimiter: the header has as many \"{}\" as \"{}\" (hint: set [input] delimiter in the policy, or --delimiter)",
                header_no + 1,
                show(a),
                show(b)
            )),
            [(a, n), ..] if n > 0 => Ok(a),
            _ => Ok(b','),
        }
    };
    Ok((choice, Box::new(io::Cursor::new(head).chain(reader))))
}

/// Reads one CSV input into the collector. Only I/O failures are returned; data problems
/// are collected.
pub fn read_source<'r, R: Read + 'r>(
    reader: R,
    index: u32,
    name: String,
    role: Role,
    collector: &mut Collector,
) -> Result<(), CliError> {
    read_source_in_parts(reader, index, name, role, collector, None)
}

/// [`read_source`], reading the file from `tail` on in another thread when it can.
pub fn read_source_in_parts<'r, R: Read + 'r>(
    reader: R,
    index: u32,
    name: String,
    role: Role,
    collector: &mut Collector,
    tail: Option<split::Tail>,
) -> Result<(), CliError> {
    collector.add_source(name.clone());
    let input = collector.input.clone();
    // What the first bytes say: a workbook or a web page saved under a .csv name, or a
    // UTF-16 text (Excel's "Unicode text", PowerShell's `>`), read whatever the setting.
    let mut reader = reader;
    let mut head = Vec::with_capacity(4);
    (&mut reader)
        .take(4)
        .read_to_end(&mut head)
        .map_err(|e| CliError::Io {
            message: format!("cannot read {name}: {}", io_reason(&e)),
        })?;
    if let Some(what) = not_text(&head) {
        collector.error(format!("{name}: this is {what}, not a CSV file (hint: open it in Excel or LibreOffice and save it as \"CSV UTF-8\")"));
        return Ok(());
    }
    let utf16 = match head.get(..2) {
        Some([0xFF, 0xFE]) => Some(encoding_rs::UTF_16LE),
        Some([0xFE, 0xFF]) => Some(encoding_rs::UTF_16BE),
        _ => None,
    };
    let reader = io::Cursor::new(head).chain(reader);
    let reader: Box<dyn Read + 'r> = match utf16.or(input.encoding) {
        Some(encoding) => Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding))
                .build(reader),
        ),
        None => Box::new(reader),
    };
    let (delimiter, reader) = match input.delimiter {
        Some(d) => (Ok(d), reader),
        None => sniff_delimiter(reader, &name, input.skip_rows)?,
    };
    let delimiter = match delimiter {
        Ok(d) => d,
        Err(message) => {
            collector.error(message);
            return Ok(());
        }
    };
    let mut records = Records::new(reader, name.clone(), delimiter);
    let mut header_line = records.next_record()?;
    if header_line.is_some() && records.record.len() == 1 && records.record[0].starts_with(b"sep=")
    {
        collector.skipped_row();
        header_line = records.next_record()?; // Excel's delimiter hint, not data
    }
    for _ in 0..input.skip_rows {
        if header_line.is_some() {
            collector.skipped_row();
        }
        header_line = records.next_record()?;
    }
    let Some(header_line) = header_line else {
        collector.error(format!(
            "{name}: the file is empty (expected a header line naming the columns)"
        ));
        return Ok(());
    };
    // A report-shaped export has title lines before its header: the header is the first of
    // the first lines that names the required columns; the lines before it are skipped.
    let mut header_line = header_line;
    let mut first_problem: Option<(u64, String)> = None;
    let columns = loop {
        match plan_columns(&records.record, role, &input.columns) {
            Ok(c) => break c,
            Err(message) => {
                let not_the_header = message.starts_with("missing required")
                    || message.starts_with("[input.columns] maps");
                // A title line says little: the first line that could be the header but has
                // a problem of its own (an ambiguous name) says what to fix.
                let (line, message) = if not_the_header {
                    first_problem.get_or_insert((header_line, message)).clone()
                } else {
                    (header_line, message)
                };
                let retry = not_the_header && header_line < HEADER_SEARCH_LINES;
                match records.next_record()? {
                    Some(next) if retry => {
                        collector.skipped_row();
                        header_line = next;
                    }
                    _ => {
                        collector.error(format!("{name}:{line}: {message}"));
                        return Ok(());
                    }
                }
            }
        }
    };
    collector.add_header(columns.names.clone());
    // Dates and amounts not set by the policy are read as their column is written: rows
    // are held back until every column is decided, or the look-ahead is full.
    let mut readings = infer::Readings::new(&columns, &input);
    let mut held: Vec<(csv::ByteRecord, u64)> = Vec::new();
    while !readings.decided() && held.len() < collector.lookahead_rows {
        let Some(line) = records.next_record()? else {
            break;
        };
        if records.record.len() == columns.names.len() {
            readings.observe(&records.record, line); // a ragged row's fields are misplaced
        }
        held.push((records.record.clone(), line));
    }
    if let Some((line, message)) = readings.problem(&columns) {
        collector.error(format!("{name}:{line}: {message}"));
        return Ok(());
    }
    let held_to = held
        .last()
        .and_then(|(r, _)| r.position())
        .map_or(0, |p| p.byte());
    // Two parts only when the bytes are the text (no decoding), bad rows stop the run (a
    // set-aside row would need its line) and the rows held back all come before the split.
    // Columns still undecided (say, withholding empty in every row looked at) are fine:
    // the second part is taken only if it read them as one pass would.
    let plain = utf16.is_none() && input.encoding.is_none() && collector.stops_at_bad_rows();
    let tail = tail.filter(|t| plain && held_to + 1 < t.at);
    collector.readings = readings;
    let loc = |line| crate::model::Loc {
        source: index,
        line,
    };
    for (record, line) in held {
        collector.row(&record, &columns, role, loc(line));
    }
    let part = split::Part {
        name: &name,
        delimiter,
        columns: &columns,
        role,
        index,
    };
    let done = match &tail {
        Some(tail) => split::read_in_two(&mut records, tail, &part, collector)?,
        None => false,
    };
    while let Some(line) = if done { None } else { records.next_record()? } {
        collector.row(&records.record, &columns, role, loc(line));
    }
    for _ in 0..records.blank_lines {
        collector.skipped_row();
    }
    Ok(())
}

/// What a file that is not text is, from its first bytes.
fn not_text(head: &[u8]) -> Option<&'static str> {
    match head {
        [b'P', b'K', 3, 4, ..] => Some("an Excel workbook (.xlsx) or another zip archive"),
        [0xD0, 0xCF, 0x11, 0xE0, ..] => Some("an old Excel workbook (.xls)"),
        [b'<', ..] => Some("a web page (HTML or XML)"),
        _ => None,
    }
}

/// The records of one CSV input, one at a time into a reused buffer, each with the line a
/// text editor shows for its start.
pub struct Records<R: Read> {
    rdr: csv::Reader<LineTracker<R>>,
    name: String,
    pub record: csv::ByteRecord,
    /// The line the next record starts on when no blank line comes first.
    next_line: u64,
    /// Lines with nothing on them (csv passes over them): they count as rows skipped.
    pub blank_lines: u64,
}

impl<R: Read> Records<R> {
    pub fn new(reader: R, name: String, delimiter: u8) -> Self {
        let rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(LineTracker::new(reader));
        Records {
            rdr,
            name,
            record: csv::ByteRecord::new(),
            next_line: 1,
            blank_lines: 0,
        }
    }

    /// Reads the next record into `self.record`; its line, or `None` at the end.
    pub fn next_record(&mut self) -> Result<Option<u64>, CliError> {
        match self.rdr.read_byte_record(&mut self.record) {
            Ok(false) => {
                let lines = self.rdr.get_ref().lines_read();
                self.blank_lines += (lines + 1).saturating_sub(self.next_line);
                self.next_line = self.next_line.max(lines + 1);
                Ok(None)
            }
            Ok(true) => {
                let byte = self.record.position().map_or(0, |p| p.byte());
                let line = self.rdr.get_mut().line_of(byte);
                self.blank_lines += line.saturating_sub(self.next_line);
                self.next_line = line + 1 + lines::breaks_in(&self.record);
                Ok(Some(line))
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
