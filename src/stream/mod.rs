//! The streamed path: the aging summary, reconcile's open items and the risk rows of one
//! native ledger file in one pass over its bytes, on both cores, keeping per invoice 24
//! bytes (the aging by due date) or 32 and per credit 8 or 37, and (open items and risk) 20
//! per credit a pool holds (issue 6). The aging by due date sums each pool's open invoices
//! by bucket as their references are followed (`book::Ages`) and pays the buckets from
//! the oldest; the rest lists the open invoices and sorts them. From 64 MiB of file, the
//! aging by due date, open items and risk write what they keep per document out to a
//! temporary file as they read (`spill`), so that their memory grows with the customers
//! and the open items listed, not with the file.
//!
//! It takes only what it reads exactly as the exact path (`input` → `allocate` → `aging`)
//! does: the native header, plain values, the default allocation order and no tolerance.
//! At anything else (a bad row, another layout, a duplicate id, a repeated credit id) it
//! gives up and the exact path reads the file, which reports or reads it as always; giving
//! up costs the time spent until then. Tests compare both paths on generated ledgers.
//!
//! The file is read on both cores at once, in pieces of about 8 MiB that each core takes
//! in turn ([`Pieces`]: a core slowed down takes fewer); what each core reads is summed up
//! in a [`Book`], a part, and the two are then joined (customers and pools renumbered).
//! Lines are numbered in the file once every piece is read, and nothing else depends on
//! which core read a row: the lists are ordered by what they hold and by where each row is
//! in the file. References are followed once both are read. The
//! aging needs only what each pool holds; open items and risk pay each pool credit by
//! credit (`settle`). An invoice id of a numbered series is written again from its
//! fingerprint and the texts of the series met (`records::Series`); what else open items
//! list is read again from the file (`reports`).

mod book;
mod records;
mod reports;
mod row;
mod settle;
mod spill;
#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::aging::{AgingRow, currency_totals};
use crate::both;
use crate::error::CliError;
use crate::input::{Role, Source, progress, split};
use crate::model::{CustomerId, DocKind, Loc, RowCounts};
use crate::money::Currency;
use crate::policy::{Basis, Policy, Step};
use crate::report::Tally;
use book::{Ages, Book, CustomerKey};
use records::{Invoice, Lump, Packed};
use row::{Fields, HEADER, Reader, Row};
use spill::List;

pub use reports::{open_items, risk};

/// The aging summary of a file, and what the run counted.
pub struct Streamed {
    pub rows: Vec<AgingRow>,
    pub totals: Vec<AgingRow>,
    pub tally: Tally,
}

/// Whether a run may take the streamed path: one ledger file, nothing set aside, no
/// customers file, the native reading of values, the default allocation.
pub fn applies(sources: &[Source], policy: &Policy, set_aside: bool, customers: bool) -> bool {
    let input = &policy.input;
    let utf8 = input.encoding.is_none_or(|e| e == encoding_rs::UTF_8);
    // A regular file only: a pipe read here could not be read again by the exact path.
    let file = |s: &Source| s.path.as_deref().is_some_and(Path::is_file);
    matches!(sources, [s @ Source { role: Role::Ledger, .. }] if file(s))
        && !set_aside
        && !customers
        && utf8
        && input.delimiter.is_none_or(|d| d == b',')
        && input.decimal_mark.is_none_or(|m| m == '.')
        && input.date_format.is_none()
        && input.skip_rows == 0
        && input.columns.is_empty()
        && policy.allocation.order == [Step::Reference, Step::OldestFirst]
        && policy.allocation.tolerance.is_empty()
}

/// The aging summary of `path` as of `as_of`, or `None` when the exact path must read it
/// (nothing was said or written). `progress`: a progress line on stderr.
pub fn age(
    path: &Path,
    name: &str,
    policy: &Policy,
    as_of: NaiveDate,
    progress: bool,
) -> Result<Option<Streamed>, CliError> {
    Job::new(path, name, policy, as_of, progress).run()
}

/// What a streamed run is asked.
#[derive(Clone, Copy)]
struct Job<'a> {
    path: &'a Path,
    name: &'a str,
    policy: &'a Policy,
    as_of: NaiveDate,
    progress: bool,
    /// Files from this many bytes are read on both cores (tests lower it)…
    parallel_from: u64,
    /// …in pieces of about this many bytes, taken by each core in turn (tests lower it).
    piece: u64,
    /// Whether to keep what open items and risk need beyond the aging's sums…
    keep: bool,
    /// …and the payment history (risk).
    history: bool,
    /// When the aging by due date, open items and risk write their lists out (tests lower
    /// it).
    spill: spill::Spilling,
}

/// The first day of the payment history as of `as_of` (0: every day of this path).
fn history_since(as_of: NaiveDate, history_days: u32) -> u16 {
    (as_of.checked_sub_days(chrono::Days::new(u64::from(history_days))))
        .and_then(row::day_number)
        .unwrap_or(0)
}

impl<'a> Job<'a> {
    fn new(
        path: &'a Path,
        name: &'a str,
        policy: &'a Policy,
        as_of: NaiveDate,
        progress: bool,
    ) -> Job<'a> {
        Job {
            path,
            name,
            policy,
            as_of,
            progress,
            parallel_from: split::PARALLEL_MIN_BYTES,
            piece: PIECE_BYTES,
            keep: false,
            history: false,
            spill: spill::SPILLING,
        }
    }

    /// The file read, its references followed and its pools paid credit by credit.
    /// `list`: whether to list the open items too.
    fn settled(&self, list: bool) -> Result<Option<(Followed, settle::Settled)>, CliError> {
        let job = Job {
            keep: true,
            history: !list,
            ..*self
        };
        let (Some(mut f), Some(day)) = (job.followed(), row::day_number(self.as_of)) else {
            return Ok(None);
        };
        let Some(settled) = settle::settle(&mut f, self.path, self.policy, day, list)? else {
            return Ok(None);
        };
        // The open invoices and the pools' credits are paid: what follows (the rows, the
        // lines read again) does not need them, and does not wait for their memory.
        let open = std::mem::take(&mut f.open);
        crate::drop_aside((open, f.book.pools.kept.take()));
        Ok(Some((f, settled)))
    }

    /// The aging summary: by due date, each invoice kept as a [`records::Due`] (24 bytes);
    /// by issue date, as a [`records::Rec`].
    fn run(&self) -> Result<Option<Streamed>, CliError> {
        match self.ages() {
            Some(ages) => self.aged(read::<records::Due>(self).and_then(|p| follow(p, Some(ages)))),
            None => self.aged(self.followed()),
        }
    }

    /// The aging summary of a file followed.
    fn aged<R: Invoice>(&self, f: Option<Followed<R>>) -> Result<Option<Streamed>, CliError> {
        let (Some(f), Some(as_of_day)) = (f, row::day_number(self.as_of)) else {
            return Ok(None);
        };
        let (rows, totals) = age_rows(&f, self.policy, as_of_day)?;
        let tally = tally(&f.book, self.name);
        crate::drop_aside(f); // 5 ms of freeing the report need not wait for
        Ok(Some(Streamed {
            rows,
            totals,
            tally,
        }))
    }

    /// The file read and its references followed, each invoice kept whole (a
    /// [`records::Rec`]) and its open invoices listed; `None` when the exact path must read
    /// it.
    fn followed(&self) -> Option<Followed> {
        follow(read(self)?, None)
    }

    /// For the aging by due date (not for open items and risk): the bucket of each due
    /// day, and how many buckets there are, to sum the open invoices into [`Ages`].
    fn ages(&self) -> Option<(Vec<u8>, usize)> {
        let aging = &self.policy.aging;
        let buckets = aging.buckets.len();
        let by_due = matches!(aging.basis, Basis::DueDate);
        if self.keep || !by_due || buckets > usize::from(u8::MAX) + 1 {
            return None;
        }
        let as_of = i64::from(row::day_number(self.as_of)?);
        let of_due = (0..=u16::MAX)
            .map(|due| aging.bucket_for(as_of - i64::from(due)) as u8)
            .collect();
        Some((of_due, buckets))
    }
}

/// The currency of a row whose currency is empty, when the policy chose one; else such a
/// row is left to the exact path, which warns of it.
fn default_currency(policy: &Policy) -> Option<Currency> {
    policy
        .default_currency_set
        .then_some(policy.default_currency)
}

/// Where the rows start: after the native header (and a BOM), or `None`.
fn header_end(file: &mut File) -> Option<u64> {
    let mut start = Vec::new();
    let longest = (HEADER.len() + 5) as u64; // a BOM, the header, CRLF
    file.take(longest).read_to_end(&mut start).ok()?;
    let bom = if start.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let rest = start[bom..].strip_prefix(HEADER)?;
    let eol = [&b"\r\n"[..], b"\n"]
        .into_iter()
        .find(|e| rest.starts_with(e))?;
    Some((bom + HEADER.len() + eol.len()) as u64)
}

/// A part summed up: its book (and, once joined, the second part's invoices, references
/// and credit fingerprints, or where they were written out and its pools' new numbers).
struct Part<R> {
    book: Book<R>,
    second: Option<(Vec<R>, Vec<records::Ref>, CreditIds)>,
    second_spill: Option<(spill::Spill, Vec<u32>)>,
}

/// The hashes of a part's credits' ids, by kind ([`Book::credit_ids`]).
type CreditIds = [Vec<u64>; 2];

/// Reads the file on one core or both; `None` when the exact path must.
fn read<R: Invoice>(job: &Job) -> Option<Part<R>> {
    let Job {
        path,
        name,
        policy,
        as_of,
        progress,
        parallel_from,
        piece,
        keep,
        history,
        spill,
    } = *job;
    let keep = keep.then(|| history.then(|| history_since(as_of, policy.risk.history_days)));
    let as_of = row::day_number(as_of)?;
    let mut file = File::open(path).ok()?;
    let size = file.metadata().ok()?.len();
    let start = header_end(&mut file)?;
    file.seek(SeekFrom::Start(start)).ok()?;
    let reader = || Reader::new(default_currency(policy), policy.terms_days);
    // The aging by due date, open items and risk spill their lists (not the aging by
    // issue date, which lists every open invoice in one order).
    let bits = if R::KEEPS && keep.is_none() {
        None
    } else {
        spill.bits(size)
    };
    let spills = || {
        let mut file = spill::Spill::new(bits?)?;
        file.by_pool = spill.by_pool;
        let flush = spill.flush(file.bits());
        Some((file, flush))
    };
    let body = size.checked_sub(start)?;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let parallel = cores >= 2 && size >= parallel_from.max(2);
    let pieces = Pieces::of(
        &mut file,
        (start, size),
        if parallel { piece } else { body },
    )?;
    let elsewhere = progress::Elsewhere::default();
    let first: Box<dyn Pieced> = if progress && size > 0 {
        let line = progress::Progress::new(file, io::stderr(), name.to_string(), size);
        Box::new(line.with_elsewhere(elsewhere.clone()))
    } else {
        Box::new(file)
    };
    if !parallel || pieces.count() < 2 {
        let taken = read_part(first, &pieces, reader(), (as_of, body), keep, spills())?;
        return pieces.numbered([taken]).map(|[part]| part);
    }
    // Each core's lists are reserved for half the rows (they grow if it reads more).
    let half = body.div_ceil(2);
    // Both parts spilled, or neither.
    let (spill_a, spill_b) = match (spills(), spills()) {
        (Some(a), Some(b)) => (Some(a), Some(b)),
        _ => (None, None),
    };
    let (a, b) = std::thread::scope(|s| {
        let second = s.spawn(|| {
            let Ok(inner) = File::open(path) else {
                pieces.turns.stop();
                return None;
            };
            let counted = progress::Counted {
                inner,
                count: elsewhere.clone(),
            };
            read_part(counted, &pieces, reader(), (as_of, half), keep, spill_b)
        });
        let first = read_part(first, &pieces, reader(), (as_of, half), keep, spill_a);
        let second = second
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (first, second)
    });
    let [a, b] = pieces.numbered([a?, b?])?;
    join(a, b)
}

/// Lines longer than this are left to the exact path.
const MAX_LINE: usize = 64 << 20;

/// A part read by one core: its book, and which pieces it took (their indexes in the
/// file's order), how many lines each held, and the first whose rows the book counted a
/// due date before the issue date in (its line is counted from that piece's start).
struct Taken<R> {
    book: Book<R>,
    pieces: Vec<(usize, u64)>,
    due_before_issue: Option<usize>,
}

/// Sums up the rows of the pieces this core takes ([`Pieces::next`]) from `input`, each
/// piece's lines numbered from 1 (see [`Pieces::numbered`]). `as_of` and `bytes`, `keep`,
/// `spill`: see [`Book::new`]. `None` when the exact path must read the file (and the
/// other core is told to stop).
fn read_part<R: Invoice>(
    mut input: impl Pieced,
    pieces: &Pieces,
    reader: Reader,
    (as_of, bytes): (u16, u64),
    keep: Option<Option<u16>>,
    spill: Option<(spill::Spill, usize)>,
) -> Option<Taken<R>> {
    let read = || {
        let mut book = Book::new(as_of, bytes, keep, spill)?;
        let mut scratch = Scratch {
            fields: std::array::from_fn(|_| Fields::default()),
            batch: [Line::default(); BATCH],
            buf: vec![0u8; 1 << 20],
            reader,
        };
        let (mut taken, mut due_before_issue) = (Vec::new(), None);
        while let Some((k, from, to)) = pieces.next() {
            input.go(from)?;
            let lines = read_piece(&mut input, (from, to - from), &mut scratch, &mut book)?;
            taken.push((k, lines));
            if due_before_issue.is_none() && book.counts.due_before_issue.1.is_some() {
                due_before_issue = Some(k);
            }
        }
        // The other core gave up: what was read goes unused.
        if pieces.turns.stopped() {
            return None;
        }
        book.finish()?;
        Some(Taken {
            book,
            pieces: taken,
            due_before_issue,
        })
    };
    let taken = read();
    if taken.is_none() {
        pieces.turns.stop();
    }
    taken
}

/// What a core reads its pieces with.
struct Scratch {
    fields: [Fields; BATCH],
    batch: [Line; BATCH],
    buf: Vec<u8>,
    reader: Reader,
}

/// Sums up the rows of a piece of the file (`bytes` bytes from `base`, where `input`
/// stands) into `book`, its lines numbered from 1; how many it held.
fn read_piece<R: Invoice>(
    input: &mut impl Read,
    (base, bytes): (u64, u64),
    scratch: &mut Scratch,
    book: &mut Book<R>,
) -> Option<u64> {
    let Scratch {
        fields,
        batch,
        buf,
        reader,
    } = scratch;
    let (mut filled, mut lines, mut left) = (0, 0u64, bytes);
    // Where `buf` starts in the file.
    let mut consumed = base;
    loop {
        // The piece is read to its last byte, not to a read of nothing: the progress line
        // is wiped at the end of the file, not of a piece.
        let n = if left == 0 {
            0
        } else {
            let room = (buf.len() - filled).min(usize::try_from(left).unwrap_or(usize::MAX));
            loop {
                match input.read(&mut buf[filled..filled + room]) {
                    Ok(0) => return None, // the file is shorter than it was
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => return None,
                }
            }
        };
        left -= n as u64;
        let end = filled + n;
        let mut start = 0;
        let mut newlines = Newlines::new(&buf[..end]);
        loop {
            let mut count = 0;
            while count < BATCH
                && let Some(k) = newlines.next()
            {
                lines += 1;
                batch[count] = Line {
                    span: (start, k),
                    n: lines,
                    at: consumed + start as u64,
                };
                count += 1;
                start = k + 1;
            }
            if count == 0 {
                break;
            }
            take_lines(buf, &batch[..count], fields, reader, book)?;
            book.spill_full()?;
        }
        if n == 0 {
            if start < end {
                lines += 1;
                let last = Line {
                    span: (start, end),
                    n: lines,
                    at: consumed + start as u64,
                };
                take_lines(buf, &[last], fields, reader, book)?;
            }
            return Some(lines);
        }
        buf.copy_within(start..end, 0);
        consumed += start as u64;
        filled = end - start;
        if filled == buf.len() {
            // No native row is this long: a file without line breaks is not one.
            if buf.len() >= MAX_LINE {
                return None;
            }
            buf.resize(buf.len() * 2, 0);
        }
    }
}

/// The rows of a file cut in pieces of about the same size, each starting just after a
/// line break, which the cores take in turn: a core that reads faster (or is not slowed
/// by another program) takes more of them, and both finish together.
struct Pieces {
    /// Where each piece starts, and where the last one ends.
    bounds: Vec<u64>,
    turns: Turns,
}

/// Work `0..count` that the cores take in turn, each the next not taken (one slowed down
/// takes less); once one gives up, neither takes more.
pub(super) struct Turns {
    next: AtomicUsize,
    count: usize,
    stop: AtomicBool,
}

impl Turns {
    pub(super) fn new(count: usize) -> Turns {
        Turns {
            next: AtomicUsize::new(0),
            count,
            stop: AtomicBool::new(false),
        }
    }

    /// The next not taken, unless all are or a core gave up.
    pub(super) fn take(&self) -> Option<usize> {
        if self.stopped() {
            return None;
        }
        let k = self.next.fetch_add(1, Ordering::Relaxed);
        (k < self.count).then_some(k)
    }

    /// A core gives up.
    pub(super) fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    pub(super) fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// Files read on both cores are read in pieces of about this many bytes.
const PIECE_BYTES: u64 = 8 << 20;

impl Pieces {
    /// The pieces of the rows of `file` from `start` to `end`, of about `piece` bytes
    /// each; `None` when a line from where a piece would start runs for [`MAX_LINE`].
    fn of(file: &mut File, (start, end): (u64, u64), piece: u64) -> Option<Pieces> {
        let mut bounds = vec![start];
        let mut at = start.saturating_add(piece.max(1));
        while at < end {
            let Some(line) = line_from(file, at)? else {
                break; // the last line, with no line break
            };
            if line >= end {
                break;
            }
            bounds.push(line);
            at = line.saturating_add(piece.max(1));
        }
        bounds.push(end);
        let turns = Turns::new(bounds.len() - 1);
        Some(Pieces { bounds, turns })
    }

    fn count(&self) -> usize {
        self.bounds.len() - 1
    }

    /// The next piece not taken yet: its index, start and end.
    fn next(&self) -> Option<(usize, u64, u64)> {
        let k = self.turns.take()?;
        Some((k, self.bounds[k], self.bounds[k + 1]))
    }

    /// The parts read, the line of the first due date before its issue date each saw
    /// numbered in the file (the first row is line 1); `None` when a piece was left
    /// unread.
    fn numbered<R, const N: usize>(&self, taken: [Taken<R>; N]) -> Option<[Part<R>; N]> {
        let mut lines = vec![None; self.count()];
        for (k, n) in taken.iter().flat_map(|t| &t.pieces) {
            *lines.get_mut(*k)? = Some(*n);
        }
        // How many lines come before each piece.
        let mut before = Vec::with_capacity(lines.len());
        let mut sum = 0u64;
        for n in lines {
            before.push(sum);
            sum += n?;
        }
        Some(taken.map(|mut t| {
            let due = &mut t.book.counts.due_before_issue.1;
            *due = (*due).zip(t.due_before_issue).map(|(l, k)| before[k] + l);
            Part {
                book: t.book,
                second: None,
                second_spill: None,
            }
        }))
    }
}

/// Where the first line that starts at byte `at` of `file` (or after it) starts; `None`
/// inside when none does (the file ends first), and `None` when a line from there runs for
/// [`MAX_LINE`].
fn line_from(file: &mut File, at: u64) -> Option<Option<u64>> {
    file.seek(SeekFrom::Start(at.checked_sub(1)?)).ok()?;
    let mut block = [0u8; 4096];
    let mut seen = 0;
    while seen < MAX_LINE {
        let n = match file.read(&mut block) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        };
        if n == 0 {
            return Some(None);
        }
        if let Some(k) = memchr::memchr(b'\n', &block[..n]) {
            return Some(Some(at + (seen + k) as u64));
        }
        seen += n;
    }
    None
}

/// A file read piece by piece.
trait Pieced: Read {
    /// Moves to byte `at`, where a piece starts.
    fn go(&mut self, at: u64) -> Option<()>;
}

impl Pieced for File {
    fn go(&mut self, at: u64) -> Option<()> {
        self.seek(SeekFrom::Start(at)).ok().map(drop)
    }
}

impl<W: io::Write> Pieced for progress::Progress<File, W> {
    fn go(&mut self, at: u64) -> Option<()> {
        self.get_mut().go(at)
    }
}

impl Pieced for progress::Counted<File> {
    fn go(&mut self, at: u64) -> Option<()> {
        self.inner.go(at)
    }
}

impl Pieced for Box<dyn Pieced + '_> {
    fn go(&mut self, at: u64) -> Option<()> {
        (**self).go(at)
    }
}

/// Lines are read this many at a time.
const BATCH: usize = 64;

/// Where the line breaks of a buffer are, in order: found 64 bytes at a time (SSE2
/// compares, through `wide`), a bit per byte, rather than one search per line (the lines
/// are short, and a search's set-up costs as much as a line's bytes).
struct Newlines<'a> {
    buf: &'a [u8],
    /// Where the block of `bits` starts.
    block: usize,
    /// The line breaks of the block not given yet.
    bits: u64,
}

impl<'a> Newlines<'a> {
    fn new(buf: &'a [u8]) -> Newlines<'a> {
        let mut n = Newlines {
            buf,
            block: 0,
            bits: 0,
        };
        n.bits = n.scan();
        n
    }

    /// The line breaks of the 64 bytes from `self.block` (those past the end: none).
    fn scan(&self) -> u64 {
        let rest = self.buf.get(self.block..).unwrap_or_default();
        let mut block = [0u8; 64];
        let bytes: &[u8; 64] = match rest.first_chunk::<64>() {
            Some(whole) => whole,
            None => {
                block[..rest.len()].copy_from_slice(rest);
                &block
            }
        };
        let (chunks, _) = bytes.as_chunks::<16>();
        (chunks.iter().enumerate()).fold(0, |bits, (k, chunk)| {
            let found = row::equal_bits(wide::u8x16::new(*chunk), b'\n');
            bits | (u64::from(found) << (16 * k))
        })
    }

    /// The offset of the next line break.
    fn next(&mut self) -> Option<usize> {
        while self.bits == 0 {
            self.block += 64;
            if self.block >= self.buf.len() {
                return None;
            }
            self.bits = self.scan();
        }
        let at = self.block + self.bits.trailing_zeros() as usize;
        self.bits &= self.bits - 1;
        Some(at)
    }
}

/// A line of a part: where it lies in the buffer (without its line break), its number in
/// the part and the offset of its start in the file.
#[derive(Clone, Copy, Default)]
struct Line {
    span: (usize, usize),
    n: u64,
    at: u64,
}

/// A batch of lines of `buf`: each one split and read, then the first slot of each row's
/// customer read, all together, and then, for a credit with no reference, the credit of
/// its first pool (their cache misses overlap: the customers and the pools are tables too
/// big for the caches), then each row taken in, in order.
fn take_lines(
    buf: &[u8],
    lines: &[Line],
    fields: &mut [Fields; BATCH],
    reader: &mut Reader,
    book: &mut Book<impl Invoice>,
) -> Option<()> {
    let mut rows: [Option<(Row, CustomerKey)>; BATCH] = [const { None }; BATCH];
    for ((line, fields), slot) in lines.iter().zip(fields.iter_mut()).zip(&mut rows) {
        let line = &buf[line.span.0..line.span.1];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // A blank line is not a native row; `split` refuses a lone carriage return.
        if line.is_empty() || !fields.split(line) {
            return None;
        }
        let fields: &Fields = fields;
        let row = reader.row(fields, line)?;
        let key = CustomerKey::of(row.customer);
        *slot = Some((row, key));
    }
    let mut seen = 0;
    for (_, key) in rows.iter().flatten() {
        seen ^= book.look_ahead(*key);
    }
    // Only a credit with no reference adds to its pool's credit while read.
    for (row, key) in rows.iter().flatten() {
        if row.kind != DocKind::Invoice && row.reference.is_empty() {
            seen ^= book.look_ahead_pool(*key);
        }
    }
    std::hint::black_box(seen);
    for (line, row) in lines.iter().zip(&rows) {
        let (row, key) = row.as_ref()?;
        book.add(row, *key, line.n, line.at)?;
    }
    Some(())
}

/// The second part taken into the first (customers and pools renumbered).
fn join<R: Invoice>(mut a: Part<R>, b: Part<R>) -> Option<Part<R>> {
    let Part {
        book: mut theirs, ..
    } = b;
    // Their customers borrowed, not copied: this is when the most memory is held.
    let customer = (theirs.customers_by_number())
        .map(|(id, (day, name), currency)| a.book.take_customer(id, currency, (day, name)))
        .collect::<Option<Vec<u32>>>()?;
    let mut pool = Vec::with_capacity(theirs.pools.of.len());
    let pools = &mut a.book.pools;
    for (p, &(c, currency)) in theirs.pools.of.iter().enumerate() {
        let n = pools.get(customer[c as usize], currency)?;
        pools.credit[n as usize] += theirs.pools.credit[p];
        pools.dated[n as usize] |= theirs.pools.dated[p];
        pool.push(n);
    }
    for rec in &mut theirs.invoices {
        rec.set_pool(pool[rec.pool() as usize]);
    }
    for r in &mut theirs.refs {
        r.set_pool(pool[r.pool() as usize]);
    }
    if let (Some(ours), Some(their)) = (&mut pools.kept, &mut theirs.pools.kept) {
        for lump in &mut their.lumps {
            lump.pool = pool[lump.pool as usize];
        }
        ours.lumps.append(&mut their.lumps);
    }
    let counts = &mut a.book.counts;
    let c = theirs.counts;
    counts.rows += c.rows;
    counts.future += c.future;
    counts.due_before_issue.0 += c.due_before_issue.0;
    // Lines are numbered in the file: the first is the least.
    let firsts = [counts.due_before_issue.1, c.due_before_issue.1];
    counts.due_before_issue.1 = firsts.into_iter().flatten().min();
    for (currency, sum) in theirs.net_in.iter() {
        a.book.net_in.add(currency, sum);
    }
    for (currency, sum) in theirs.read_total.iter() {
        a.book.read_total.add(currency, sum);
    }
    a.book.series.join(std::mem::take(&mut theirs.series))?;
    a.second = Some((theirs.invoices, theirs.refs, theirs.credit_ids));
    a.second_spill = theirs.spill.take().map(|s| (s, pool));
    Some(a)
}

/// `here` on this core and `there` on the other: their lists joined in that order, or
/// `None` when either gave up.
fn on_both<T: Send>(
    here: impl FnOnce() -> Option<Vec<T>>,
    there: impl FnOnce() -> Option<Vec<T>> + Send,
) -> Option<Vec<T>> {
    let (here, there) = both(here, there);
    let (mut all, mut more) = (here?, there?);
    all.append(&mut more);
    Some(all)
}

/// Whether two sorted lists share a value, or either repeats one.
fn sorted_overlap(a: &[u64], b: &[u64]) -> bool {
    let repeats = |s: &[u64]| s.windows(2).any(|w| w[0] == w[1]);
    if repeats(a) || repeats(b) {
        return true;
    }
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// Every amount of a currency read in one run stays below 10^22 (in hundredths, 10^24),
/// as the exact path requires.
const MAX_TOTAL_CENTS: i128 = 10_i128.pow(24);

/// A file read and its references followed: the book (its invoices dropped) and either
/// the sums of [`Ages`] or the open invoices in two lists, each sorted by [`open_key`], or
/// written out in two spills by the range of their pool ([`spill::of_pool`], of how many
/// pools there were), the pools' credits beside them.
struct Followed<R = records::Rec> {
    book: Book<R>,
    ages: Option<Ages>,
    open: [Vec<records::Rec>; 2],
    open_spill: Option<([spill::Spill; 2], usize)>,
}

/// Follows the references of a file read; `None` when the exact path must read it.
/// `ages`: the bucket of each due day and how many buckets there are, to sum the open
/// invoices into [`Ages`] instead of listing them.
fn follow<R: Invoice>(mut part: Part<R>, ages: Option<(Vec<u8>, usize)>) -> Option<Followed<R>> {
    let book = &mut part.book;
    if let Some(first) = book.spill.take() {
        // The lists were written out: they are followed partition by partition, which
        // checks repeated credits too.
        if book.read_total.iter().any(|(_, t)| t >= MAX_TOTAL_CENTS) {
            return None;
        }
        // The lists, emptied, let go before the partitions are read.
        (book.invoices, book.refs, book.credit_ids) = Default::default();
        part.second = None;
        let mut ages = match ages {
            Some((of_due, buckets)) => Some(Ages::new(of_due, buckets, book.pools.of.len())?),
            None => None,
        };
        let second = (part.second_spill.as_ref()).map(|(s, pool)| (s, &pool[..]));
        // The open invoices (none for the aging by due date) written out by pool.
        let bits = (ages.is_none() && first.by_pool).then_some(spill::by_pool_bits(first.bits()));
        let flush = book.flush.saturating_mul(spill::BY_POOL_FLUSH);
        let [mut a, mut b] = spill::Sink::pair(bits, flush, book.pools.of.len());
        // Open items and risk: the pools' credits written out while reading, read back
        // before their partition is released by the following. By pool range, beside the
        // open invoices, when those are written out: the first part's in the first core's
        // file, the second part's in the other's, each on its own core; else kept.
        let mut read_lumps = Vec::new();
        if ages.is_none() {
            let pools = book.pools.of.len();
            let by_pool = |l: &Lump| spill::of_pool(l.pool, pools);
            if let (Some(to), Some(other)) = (&mut a.spill, &mut b.spill) {
                let (here, there) = both(
                    || spilled_lumps(&first, None, |l| to.put(List::Lumps, l, by_pool)),
                    || match second {
                        Some((spill, pool)) => {
                            spilled_lumps(spill, Some(pool), |l| other.put(List::Lumps, l, by_pool))
                        }
                        None => Some(()),
                    },
                );
                here?;
                there?;
            } else {
                let parts = [
                    Some((&first, None)),
                    second.map(|(s, pool)| (s, Some(pool))),
                ];
                for (spill, pool) in parts.into_iter().flatten() {
                    spilled_lumps(spill, pool, |lumps| {
                        read_lumps.append(lumps);
                        Some(())
                    })?;
                }
            }
        }
        let (pools, counts) = (&mut book.pools, &mut book.counts);
        spill::follow::<R>(
            &first,
            second,
            pools,
            counts,
            ages.as_mut(),
            [&mut a, &mut b],
        )?;
        if ages.as_ref().is_some_and(Ages::overflowed) {
            return None;
        }
        let (mut open, mut open_spill) = ([Vec::new(), Vec::new()], None);
        if ages.is_none() {
            // Open items and risk: the pools' credits written out while reading join those
            // the references left (over what they paid, or naming no invoice of theirs).
            let kept = book.pools.kept.as_mut()?;
            match (a.spill.take(), b.spill.take()) {
                (Some(mut to), Some(mut other)) => {
                    // Those the references left go after the first part's.
                    let pools = book.pools.of.len();
                    to.put(List::Lumps, &mut kept.lumps, |l| {
                        spill::of_pool(l.pool, pools)
                    })?;
                    kept.lumps = Vec::new();
                    to.written();
                    other.written();
                    open_spill = Some(([to, other], pools));
                }
                _ => {
                    // Kept: the credits in memory, those the references left first, and
                    // each core's open invoices sorted by [`open_key`] on its own core.
                    kept.lumps.append(&mut read_lumps);
                    open = [R::listed(a.kept)?, R::listed(b.kept)?];
                    let [first, second] = &mut open;
                    both(
                        || first.sort_unstable_by_key(open_key),
                        || second.sort_unstable_by_key(open_key),
                    );
                }
            }
        }
        return Some(Followed {
            book: part.book,
            ages,
            open,
            open_spill,
        });
    }
    let (mut second, second_refs, second_ids) = part.second.take().unwrap_or_default();
    let ids = std::mem::take(&mut book.credit_ids);
    if ids
        .iter()
        .zip(&second_ids)
        .any(|(a, b)| sorted_overlap(a, b))
        || book.read_total.iter().any(|(_, t)| t >= MAX_TOTAL_CENTS)
    {
        return None;
    }
    drop((ids, second_ids));
    let pools = book.pools.of.len();
    let mut ages = match ages {
        Some((of_due, buckets)) => Some(Ages::new(of_due, buckets, pools)?),
        None => None,
    };
    book::follow_both(
        [&mut book.invoices, &mut second],
        [&book.refs, &second_refs],
        &mut book.pools,
        &mut book.counts,
        ages.as_mut(),
    )?;
    drop(second_refs);
    book.refs = Vec::new();
    if ages.as_ref().is_some_and(Ages::overflowed) {
        return None;
    }
    if ages.is_some() {
        crate::drop_aside((second, std::mem::take(&mut book.invoices)));
        return Some(Followed {
            book: part.book,
            ages,
            open: [Vec::new(), Vec::new()],
            open_spill: None,
        });
    }
    // The open invoices by (pool, due, issue date), each part's on its own core, sorted
    // where they are (no second list).
    let open_of = |invoices: &mut Vec<records::Rec>| {
        invoices.retain(is_open);
        invoices.sort_unstable_by_key(open_key);
    };
    let (mut first, mut second) = (
        R::listed(std::mem::take(&mut book.invoices))?,
        R::listed(second)?,
    );
    both(|| open_of(&mut first), || open_of(&mut second));
    Some(Followed {
        book: part.book,
        ages: None,
        open: [first, second],
        open_spill: None,
    })
}

/// The pools' credits a part wrote out to `spill` while it was read (with its pools' new
/// numbers `pool`, for the second part), a block at a time, to `f`, which takes them.
fn spilled_lumps(
    spill: &spill::Spill,
    pool: Option<&[u32]>,
    mut f: impl FnMut(&mut Vec<Lump>) -> Option<()>,
) -> Option<()> {
    let (mut bytes, mut lumps) = (Vec::new(), Vec::new());
    spill.read_blocks(List::Lumps, 0, &mut bytes, Lump::BYTES, |block| {
        lumps.extend(block.chunks_exact(Lump::BYTES).map(Lump::take));
        if let Some(pool) = pool {
            for lump in &mut lumps {
                lump.pool = *pool.get(lump.pool as usize)?;
            }
        }
        f(&mut lumps)?;
        lumps.clear();
        Some(())
    })
}

/// Whether an invoice is open once its references are followed: dated by the as-of date,
/// with a balance left.
fn is_open(r: &impl Invoice) -> bool {
    !r.future() && r.net() > 0
}

/// The aging rows of a book: each pool pays its open invoices by (due date, issue date);
/// the order within equal dates does not change any bucket, since such invoices fall in
/// the same one.
fn age_rows<R: Invoice>(
    f: &Followed<R>,
    policy: &Policy,
    as_of_day: u16,
) -> Result<(Vec<AgingRow>, Vec<AgingRow>), CliError> {
    let book = &f.book;
    let n_buckets = policy.aging.buckets.len();
    let n_pools = book.pools.of.len();
    // Per pool: what its open invoices hold in each bucket, and whether one is open.
    let mut buckets = vec![0i128; n_pools * n_buckets];
    let mut open_in = vec![false; n_pools];
    let mut left = book.pools.credit.clone();
    if let Some(ages) = &f.ages {
        // Due dates in the order of the buckets, the oldest last: the pool pays its
        // buckets from the last one back, as it would pay its invoices by due date.
        let rows = buckets.chunks_exact_mut(n_buckets.max(1));
        for (pool, (row, credit)) in rows.zip(left.iter_mut()).enumerate() {
            for (open, &sum) in row.iter_mut().zip(ages.of(pool)).rev() {
                let paid = i128::from(sum).min(*credit);
                (*open, *credit) = (i128::from(sum) - paid, *credit - paid);
            }
            open_in[pool] = row.iter().any(|&v| v != 0);
        }
    }
    for (key, net) in merged(&f.open[0], &f.open[1]).map(|r| (open_key(r), r.net())) {
        let pool = (key >> 32) as usize;
        let credit = &mut left[pool];
        let paid = i128::from(net).min(*credit);
        *credit -= paid;
        let open = i128::from(net) - paid;
        if open == 0 {
            continue;
        }
        let since = match policy.aging.basis {
            Basis::DueDate => (key >> 16) as u16,
            Basis::IssueDate => key as u16,
        };
        let days = i64::from(as_of_day) - i64::from(since);
        let b = policy.aging.bucket_for(days);
        buckets[pool * n_buckets + b] += open;
        open_in[pool] = true;
    }
    // Rows: every pool with an open invoice or credit left, in (currency, customer id)
    // order (the customers ranked by id once), made on both cores.
    let customers = book.customer_texts();
    let rank = book.customer_ranks();
    let mut order: Vec<((Currency, u32), u32)> = (book.pools.of.iter().enumerate())
        .filter(|&(pool, _)| open_in[pool] || left[pool] != 0)
        .map(|(pool, &(customer, currency))| ((currency, rank[customer as usize]), pool as u32))
        .collect();
    order.sort_unstable();
    let of = &book.pools.of;
    let make = |order: &[((Currency, u32), u32)]| {
        let mut out: crate::Map<Currency, i128> = crate::Map::default();
        let mut rows = Vec::with_capacity(order.len());
        for batch in order.chunks(16) {
            // What a batch's rows read, read together first: the pools come in customer
            // order, spread over tables too big for the caches.
            let mut seen = 0;
            for &(_, pool) in batch {
                let pool = pool as usize;
                seen ^= of[pool].0 ^ (left[pool] ^ buckets[pool * n_buckets]) as u32;
            }
            for &(_, pool) in batch {
                seen ^= customers[of[pool as usize].0 as usize].1.len() as u32;
            }
            std::hint::black_box(seen);
            rows.extend(batch.iter().map(|&((currency, _), pool)| {
                let pool = pool as usize;
                let row = &buckets[pool * n_buckets..(pool + 1) * n_buckets];
                let unapplied = left[pool];
                let balance = row.iter().sum::<i128>() - unapplied;
                *out.entry(currency).or_default() += balance;
                let money = |v: i128| money(v, currency);
                let (id, shown) = &customers[of[pool].0 as usize];
                AgingRow {
                    customer: CustomerId(id.clone()),
                    name: shown.as_str().to_owned(),
                    currency,
                    buckets: row.iter().map(|&v| money(v)).collect(),
                    unapplied: money(unapplied),
                    balance: money(balance),
                }
            }));
        }
        (rows, out)
    };
    let (first, second) = order.split_at(order.len() / 2);
    let ((mut rows, mut out), (more, more_out)) = both(|| make(first), || make(second));
    rows.extend(more);
    for (currency, balance) in more_out {
        *out.entry(currency).or_default() += balance;
    }
    conserved(book, &out)?;
    let totals = currency_totals(&rows, n_buckets);
    Ok((rows, totals))
}

/// Money in equals money out, per currency: `out` is the balance left open.
fn conserved<R>(book: &Book<R>, out: &crate::Map<Currency, i128>) -> Result<(), CliError> {
    for (currency, net) in book.net_in.iter() {
        let balance = out.get(&currency).copied().unwrap_or_default();
        if balance != net {
            return Err(CliError::Internal {
                message: format!(
                    "{currency}: invoiced less credited is {} but the aging holds {} (streamed path)",
                    money(net, currency),
                    money(balance, currency)
                ),
            });
        }
    }
    Ok(())
}

/// What the run counted, for the footer and the line on stderr.
fn tally<R>(book: &Book<R>, name: &str) -> Tally {
    let c = book.counts;
    Tally {
        sources: vec![name.to_string()],
        documents: c.rows,
        future: c.future,
        rows: RowCounts {
            read: c.rows,
            used: c.rows,
            rejected: 0,
            skipped: 0,
        },
        due_before_issue: (
            c.due_before_issue.0,
            c.due_before_issue.1.map(|l| Loc {
                source: 0,
                line: l + 1,
            }),
        ),
        refs: c.refs,
        repeated_credits: 0,
    }
}

/// Hundredths of `currency` as an amount with its own decimals (none for the currencies
/// that have none: every amount of theirs was read without).
fn money(hundredths: i128, currency: Currency) -> Decimal {
    let d = Decimal::from_i128_with_scale(hundredths, 2);
    if currency.minor_units() < 2 {
        d.round_dp(currency.minor_units())
    } else {
        d
    }
}

/// An open invoice's place in the order pools pay them: (pool, due day, issue day).
fn open_key(rec: &records::Rec) -> u64 {
    (u64::from(rec.pool()) << 32) | (u64::from(rec.due()) << 16) | u64::from(rec.date())
}

/// Two lists of open invoices sorted by [`open_key`], walked in that order.
fn merged<'a>(
    a: &'a [records::Rec],
    b: &'a [records::Rec],
) -> impl Iterator<Item = &'a records::Rec> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || match (a.get(i), b.get(j)) {
        (Some(x), Some(y)) if open_key(x) <= open_key(y) => {
            i += 1;
            Some(x)
        }
        (_, Some(y)) => {
            j += 1;
            Some(y)
        }
        (Some(x), None) => {
            i += 1;
            Some(x)
        }
        (None, None) => None,
    })
}
