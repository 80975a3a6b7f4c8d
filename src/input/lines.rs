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
    /// Line breaks not yet passed by a query, as (start offset, length): CRLF is one break
    /// of length 2.
    breaks: VecDeque<(u64, u64)>,
    /// Breaks already passed.
    passed: u64,
    /// The last byte read was CR (a following LF belongs to the same break).
    after_cr: bool,
    /// The last byte read was CR or LF.
    after_break: bool,
}

impl<R: Read> LineTracker<R> {
    pub fn new(inner: R) -> Self {
        LineTracker {
            inner,
            offset: 0,
            breaks: VecDeque::new(),
            passed: 0,
            after_cr: false,
            after_break: false,
        }
    }

    /// The 1-based line of the record csv reports at `offset`. Offsets must not decrease
    /// between calls. csv reports where it started reading, which may be inside the CRLF
    /// that ended the previous record (rust-csv#395) or before blank lines it skipped
    /// (rust-csv#208); a record never starts with a line break, so every break that starts
    /// at or before the position (moved past each break it reaches) is before the record.
    pub fn line_of(&mut self, offset: u64) -> u64 {
        let mut pos = offset;
        while let Some(&(start, len)) = self.breaks.front().filter(|&&(start, _)| start <= pos) {
            pos = pos.max(start + len);
            self.breaks.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

impl<R> LineTracker<R> {
    /// The lines of what was read: every break ends one, and a last line may have none.
    pub fn lines_read(&self) -> u64 {
        let breaks = self.passed + self.breaks.len() as u64;
        breaks + u64::from(self.offset > 0 && !self.after_break)
    }
}

/// The line breaks inside a record (in quoted values): CRLF is one.
pub fn breaks_in(record: &csv::ByteRecord) -> u64 {
    if !record.as_slice().iter().any(|&b| b == b'\r' || b == b'\n') {
        return 0;
    }
    let in_field = |f: &[u8]| {
        let lf_after_cr = f.windows(2).filter(|w| w == b"\r\n").count();
        f.iter().filter(|&&b| b == b'\r' || b == b'\n').count() - lf_after_cr
    };
    record.iter().map(in_field).sum::<usize>() as u64
}

impl<R: Read> Read for LineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, &b) in buf[..n].iter().enumerate() {
            let at = self.offset + i as u64;
            match b {
                b'\r' => self.breaks.push_back((at, 1)),
                b'\n' if self.after_cr => {
                    if let Some(back) = self.breaks.back_mut().filter(|b| b.0 + 1 == at) {
                        back.1 = 2;
                    }
                }
                b'\n' => self.breaks.push_back((at, 1)),
                _ => {}
            }
            self.after_cr = b == b'\r';
        }
        self.offset += n as u64;
        if n > 0 {
            self.after_break = matches!(buf[n - 1], b'\r' | b'\n');
        }
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
        assert_eq!(record_lines(b"h\r\n\r\n\r\na\r\n\r\nb"), [1, 4, 6]);
        assert_eq!(record_lines(b"h\r\r\ra\n\r\nb"), [1, 4, 6]);
        assert_eq!(record_lines(b"h\n\"\nx\",y\n\n\"\r\n\",z\n"), [1, 2, 5]);
    }

    /// Lines of a text as an editor counts them: CRLF, LF and CR each end one line.
    fn breaks_before(text: &[u8], end: usize) -> u64 {
        let t = &text[..end];
        (0..t.len())
            .filter(|&i| t[i] == b'\r' || (t[i] == b'\n' && (i == 0 || t[i - 1] != b'\r')))
            .count() as u64
    }

    proptest::proptest! {
        #[test]
        fn record_lines_match_an_editor(
            records in proptest::collection::vec((0usize..3, proptest::bool::ANY, 0usize..3, 0usize..3), 1..12),
        ) {
            let ends: [&[u8]; 3] = [b"\n", b"\r\n", b"\r"];
            let mut text = Vec::new();
            let mut starts = Vec::new();
            for (end, quoted, blanks, blank_end) in records {
                starts.push(text.len());
                text.extend_from_slice(if quoted { b"\"x\r\ny\",z" } else { b"a,b" });
                text.extend_from_slice(ends[end]);
                for _ in 0..blanks {
                    // A blank line after a lone CR would turn it into CRLF: use LF there.
                    let e = if ends[end] == b"\r" && ends[blank_end] == b"\n" { b"\r" as &[u8] } else { ends[blank_end] };
                    text.extend_from_slice(e);
                }
            }
            let expected: Vec<u64> = starts.iter().map(|&s| breaks_before(&text, s) + 1).collect();
            proptest::prop_assert_eq!(record_lines(&text), expected);
        }
    }
}
