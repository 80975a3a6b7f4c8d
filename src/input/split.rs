//! Reading one big file on both cores: the second half (from the first line break after
//! the middle) is read by another thread while this one reads the first, and taken in only
//! when that is exactly what reading on would have given. Exact because the csv parser
//! itself says where records start: the first thread reads on past the middle until a
//! record starts there; if none starts exactly at the split (the split fell inside a quoted
//! value), or the second half holds anything a message would have to name by its line (a
//! bad row, an invoice id seen before, a total past the limit), its work is dropped and the
//! first thread reads on alone, which reports all of it as a single pass does.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::{Collector, Columns, Records, Role};
use crate::error::{CliError, io_reason};
use crate::model::Loc;

/// Files smaller than this are read in one piece: a thread costs more than it saves.
pub const PARALLEL_MIN_BYTES: u64 = 32 << 20;

/// Where the second half of a file starts.
#[derive(Clone, Debug)]
pub struct Tail {
    pub path: PathBuf,
    /// Just after a line break.
    pub at: u64,
    /// Where the second part counts its bytes for the progress line, if one is shown.
    pub progress: Option<super::progress::Elsewhere>,
}

/// The start of the first line after the middle of the file, when the machine has a
/// second core and the file is big enough to be worth it.
pub fn split_point(path: &Path, size: u64, min_bytes: u64) -> Option<Tail> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if cores < 2 || size < min_bytes.max(2) {
        return None;
    }
    let mut file = File::open(path).ok()?;
    let middle = size / 2;
    file.seek(SeekFrom::Start(middle)).ok()?;
    let mut window = Vec::new();
    file.take(1 << 20).read_to_end(&mut window).ok()?;
    let at = middle + window.iter().position(|&b| b == b'\n')? as u64 + 1;
    (at < size).then(|| Tail {
        path: path.to_path_buf(),
        at,
        progress: None,
    })
}

/// What a part reader is told.
pub struct Part<'a> {
    pub name: &'a str,
    pub delimiter: u8,
    pub columns: &'a Columns,
    pub role: Role,
    pub index: u32,
}

/// Reads the rest of `records` (this thread, up to `tail.at`) and the file from `tail.at`
/// (another thread) at once. True when the file is done; false when the rest must be read
/// on in one piece from where `records` stands.
pub fn read_in_two<R: Read>(
    records: &mut Records<R>,
    tail: &Tail,
    part: &Part,
    collector: &mut Collector,
) -> Result<bool, CliError> {
    let other = collector.new_like();
    let loc = |line| Loc {
        source: part.index,
        line,
    };
    std::thread::scope(|s| {
        let second = s.spawn(|| read_tail(tail, part, other));
        let mut boundary = None;
        while boundary.is_none() {
            let (blank_before, next_line) = (records.blank_lines, records.next_line);
            let Some(line) = records.next_record()? else {
                break; // no record starts past the split: the second part has none
            };
            let at = records.record.position().map_or(0, |p| p.byte());
            if at + 1 >= tail.at {
                boundary = Some((line, at, blank_before, next_line));
            } else {
                collector.row(&records.record, part.columns, part.role, loc(line));
            }
        }
        let read = second.join().map_err(|_| CliError::Internal {
            message: "the thread reading the second half of the file stopped".into(),
        })?;
        let Some((line, at, blank_before, next_line)) = boundary else {
            return Ok(true);
        };
        // csv may report a record from the line break before it (the LF of a CRLF).
        if let (Ok((theirs, Some(first))), true) = (read, at <= tail.at) {
            let offset = line.saturating_sub(first);
            if line >= first && collector.absorb(theirs, offset) {
                // Blank lines between our last record and the split are ours; those after
                // it, theirs.
                records.blank_lines = blank_before + (offset + 1).saturating_sub(next_line);
                return Ok(true);
            }
        }
        // Read on in one piece: the second part's bytes will pass through this reader.
        if let Some(count) = &tail.progress {
            count.store(0, std::sync::atomic::Ordering::Relaxed);
        }
        collector.row(&records.record, part.columns, part.role, loc(line));
        Ok(false)
    })
}

/// The second part: every record from `tail.at` to the end, lines counted from there; and
/// the line of its first record.
fn read_tail(
    tail: &Tail,
    part: &Part,
    mut collector: Collector,
) -> Result<(Collector, Option<u64>), CliError> {
    let cannot = |e: std::io::Error| CliError::Io {
        message: format!("cannot read {}: {}", part.name, io_reason(&e)),
    };
    let mut file = File::open(&tail.path).map_err(cannot)?;
    file.seek(SeekFrom::Start(tail.at)).map_err(cannot)?;
    let file = super::progress::Counted {
        inner: file,
        count: tail.progress.clone().unwrap_or_default(),
    };
    let mut records = Records::new(file, part.name.to_string(), part.delimiter);
    let mut first = None;
    while let Some(line) = records.next_record()? {
        first.get_or_insert(line);
        let loc = Loc {
            source: part.index,
            line,
        };
        collector.row(&records.record, part.columns, part.role, loc);
    }
    for _ in 0..records.blank_lines {
        collector.skipped_row();
    }
    Ok((collector, first))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::read_source_in_parts;
    use crate::policy::Policy;

    /// The ledger (or the problems) read in one piece, and read in two at `at`.
    fn both_ways(text: &[u8], at: u64) -> (String, String) {
        both_ways_looking_ahead(text, at, crate::input::infer::LOOKAHEAD_ROWS)
    }

    /// The same, holding back at most `lookahead` rows while a column is undecided.
    fn both_ways_looking_ahead(text: &[u8], at: u64, lookahead: usize) -> (String, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.csv");
        std::fs::write(&path, text).unwrap();
        let read = |tail: Option<Tail>| {
            let mut c = Collector::new(&Policy::default());
            c.lookahead_rows = lookahead;
            let file = File::open(&path).unwrap();
            let result = read_source_in_parts(file, 0, "l.csv".into(), Role::Ledger, &mut c, tail);
            format!("{result:?} {:?}", c.finish())
        };
        let tail = Tail {
            path: path.clone(),
            at,
            progress: None,
        };
        (read(None), read(Some(tail)))
    }

    #[test]
    fn any_split_gives_what_one_pass_gives() {
        let texts: [&[u8]; 5] = [
            // LF and CRLF, blank lines, quoted line breaks (in a column not read) and commas.
            b"type,id,customer_id,customer_name,date,due_date,amount,currency,ref,notes\n\
              invoice,F1,C1,\"Uno, S.A.\",2026-01-05,2026-02-04,100.00,COP,,\n\
              \n\
              invoice,F2,C2,Dos,2026-01-06,2026-01-01,200.00,COP,,\"two\r\nlines\"\r\n\
              payment,P1,C1,,2026-02-01,,50.00,COP,F1,\r\n\
              \r\n\
              \n\
              invoice,F3,C1,,2026-03-01,,300.00,USD,,\"a\n\nb\"\n\
              credit_note,N1,C2,,2026-03-02,,20.00,COP,F2,\n\
              invoice,F4,C3,\"Tres \"\"3\"\"\",2026-03-03,,1.00,COP,,\n\n",
            // A duplicate id and a bad date after the middle: the messages name their lines.
            b"type,id,customer_id,date,amount\n\
              invoice,F1,C1,2026-01-05,100.00\n\
              invoice,F2,C1,2026-01-05,100\n\
              invoice,F3,C1,2026-01-05,100\n\
              invoice,F1,C1,2026-01-05,100\n\
              invoice,F5,C1,2026-13-05,100\n",
            // A quoted value with line breaks across the middle.
            b"type,id,customer_id,notes,date,amount\n\
              invoice,F1,C1,\"a\n\nb\n\nc\n\nd\n\ne\",2026-01-05,100.50\n\
              invoice,F2,C1,x,2026-01-05,100\n",
            // Only a duplicate id, far apart.
            b"type,id,customer_id,date,amount\n\
              invoice,F1,C1,2026-01-05,100.00\n\
              invoice,F2,C1,2026-01-05,100\n\
              invoice,F3,C1,2026-01-05,100\n\
              invoice,F1,C1,2026-01-05,100\n",
            // A value with a lone CR in it.
            b"type,id,customer_id,notes,date,amount\n\
              invoice,F1,C1,\"x\ry\",2026-01-05,1.5\n\
              invoice,F2,C1,\"\r\n\",2026-01-05,2\n",
        ];
        for text in texts {
            for at in 1..text.len() as u64 {
                if text[at as usize - 1] != b'\n' {
                    continue; // split_point splits after a line feed
                }
                let (one, two) = both_ways(text, at);
                assert_eq!(one, two, "split at byte {at}");
            }
        }
    }

    #[test]
    fn columns_undecided_when_the_file_is_split_read_as_in_one_piece() {
        // The look-ahead (two rows here) ends with withholding and due_date undecided: empty,
        // as in the first days of a big ledger. Later values decide them, in either part,
        // alike or not; a value the first part's reading cannot read, or reads otherwise.
        let head = "type,id,customer_id,date,due_date,amount,withholding\n\
                    invoice,F1,C1,2026-01-05,,100.00,\n\
                    invoice,F2,C1,2026-01-05,,100.00,\n\
                    invoice,F3,C1,2026-01-05,,100.00,\n";
        let pay = |n: u32, w: &str| format!("payment,P{n},C1,2026-02-01,,10.00,\"{w}\"\n");
        let due = |n: u32, d: &str| format!("invoice,G{n},C1,2026-01-05,{d},1.00,\n");
        let cases: [(&str, &str, &str); 8] = [
            ("1.234,56", "2,5", "agree: comma"),
            ("2,5", "1.234,56", "agree: comma, decided late"),
            (
                "1.234,56",
                "1,234.56",
                "the second cannot be read with a comma",
            ),
            ("", "250.000", "ambiguous, undecided in both parts"),
            ("1.234,56", "250.000", "read alike once decided"),
            ("", "2,5", "decided in the second part only"),
            ("25/03/2026", "03/25/2026", "dates: d/m/Y, then m/d/Y"),
            ("25/03/2026", "24/03/2026", "dates: agree"),
        ];
        for (first, second, what) in cases {
            let mut text = head.to_string();
            let row = |n, v: &str| {
                if v.contains('/') {
                    due(n, v)
                } else {
                    pay(n, v)
                }
            };
            for n in 0..6 {
                text += &row(n, if n == 1 { first } else { "" });
            }
            for n in 6..12 {
                text += &row(n, if n == 9 { second } else { "" });
            }
            let bytes = text.as_bytes();
            for at in 1..bytes.len() as u64 {
                if bytes[at as usize - 1] == b'\n' {
                    let (one, two) = both_ways_looking_ahead(bytes, at, 2);
                    assert_eq!(one, two, "{what}: split at byte {at}");
                }
            }
        }
    }

    #[test]
    fn a_generated_ledger_split_anywhere_reads_as_in_one_piece() {
        // A deterministic mix: invoices, payments by reference and not, quoted names,
        // CRLF rows, blank lines and a few multi-line notes.
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed >> 33
        };
        let mut text = String::from(
            "type,id,customer_id,customer_name,date,due_date,amount,currency,ref,notes\n",
        );
        for n in 0..600 {
            let customer = next() % 17;
            let end = if next() % 5 == 0 { "\r\n" } else { "\n" };
            let notes = if next() % 13 == 0 {
                "\"line\none\""
            } else {
                ""
            };
            let day = 1 + next() % 28;
            if n % 3 == 2 {
                let reference = if next() % 4 == 0 {
                    String::new()
                } else {
                    format!("F{}", n - 1 - (next() % 2) as i32)
                };
                text += &format!(
                    "payment,P{n},C{customer},\"Cliente {customer}, S.A.\",2026-02-{day:02},,{}.{:02},COP,{reference},{notes}{end}",
                    next() % 900,
                    next() % 100
                );
            } else {
                text += &format!(
                    "invoice,F{n},C{customer},\"Cliente {customer}, S.A.\",2026-01-{day:02},2026-03-{day:02},{}.{:02},COP,,{notes}{end}",
                    1 + next() % 900,
                    next() % 100
                );
            }
            if next() % 11 == 0 {
                text += "\n";
            }
        }
        let bytes = text.as_bytes();
        let breaks: Vec<u64> = (1..bytes.len())
            .filter(|&i| bytes[i - 1] == b'\n')
            .map(|i| i as u64)
            .collect();
        for at in breaks.iter().step_by(breaks.len() / 40) {
            let (one, two) = both_ways(bytes, *at);
            assert_eq!(one, two, "split at byte {at}");
        }
    }
}
