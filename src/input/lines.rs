//! Line numbers as a text editor shows them, for LF, CRLF and CR files alike.
//!
//! The csv crate's own line count is wrong on CRLF input (rust-csv#395), so this reader sits
//! under it, notes where every line break starts, and answers "which line is byte N on?"
//! for the start offsets of records, which only move forward. Memory holds the breaks of
//! the bytes read ahead, not of the file.

use std::collections::VecDeque;
use std::io::{self, Read};

pub struct LineTracker<R> {
    inner: R,
    /// Offset of the next byte to be read from `inner`.
    offset: u64,
    /// Start offsets of line breaks not yet passed by a query (CRLF counts once, at CR).
    breaks: VecDeque<u64>,
    /// Breaks already passed.
    passed: u64,
    /// The last byte read was CR (a following LF belongs to the same break).
    after_cr: bool,
}

impl<R: Read> LineTracker<R> {
    pub fn new(inner: R) -> Self {
        LineTracker {
            inner,
            offset: 0,
            breaks: VecDeque::new(),
            passed: 0,
            after_cr: false,
        }
    }

    /// The 1-based line of the byte at `offset`. Offsets must not decrease between calls.
    /// A record start that csv reports one byte early (inside a CRLF) still maps to the
    /// line after the break, because breaks are counted by where they start.
    pub fn line_of(&mut self, offset: u64) -> u64 {
        while self.breaks.front().is_some_and(|&b| b < offset) {
            self.breaks.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

impl<R: Read> Read for LineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, &b) in buf[..n].iter().enumerate() {
            match b {
                b'\r' => self.breaks.push_back(self.offset + i as u64),
                b'\n' if !self.after_cr => self.breaks.push_back(self.offset + i as u64),
                _ => {}
            }
            self.after_cr = b == b'\r';
        }
        self.offset += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line of each record as csv reports its start.
    fn record_lines(text: &[u8]) -> Vec<u64> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(4)
            .from_reader(LineTracker::new(text));
        let mut rec = csv::ByteRecord::new();
        let mut lines = Vec::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            let byte = rec.position().unwrap().byte();
            lines.push(rdr.get_mut().line_of(byte));
        }
        lines
    }

    #[test]
    fn lf_crlf_and_cr_files_count_lines_alike() {
        assert_eq!(record_lines(b"h\na\nb\n"), [1, 2, 3]);
        assert_eq!(record_lines(b"h\r\na\r\nb\r\n"), [1, 2, 3]);
        assert_eq!(record_lines(b"h\ra\rb"), [1, 2, 3]);
    }

    #[test]
    fn blank_lines_and_quoted_breaks_are_counted() {
        assert_eq!(record_lines(b"h\n\n\na\r\n\r\nb\n"), [1, 4, 6]);
        assert_eq!(record_lines(b"h\n\"two\r\nlines\",x\nc\n"), [1, 2, 4]);
    }
}
