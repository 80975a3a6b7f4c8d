//! The pools paid credit by credit, for open items and risk: which invoices each credit
//! pays, what each leaves unapplied, and which payment closed each invoice.
//!
//! The aging needs only what each pool holds ([`super::age_rows`]); open items and the
//! payment history need the engine's own order. A pool takes its credits in (date, line)
//! and pays its open invoices in (due date, issue date, id, line): where invoices share
//! both dates and the pool's credit reaches them, their ids order them, each written again
//! from its fingerprint ([`Series`]) or else read again from the file. What a run lists
//! (the open invoices and the credits left) is made the same way (`reports`).

use std::fs::File;
use std::path::Path;
use std::sync::Mutex;

use super::book::History;
use super::records::{Fp, Invoice, Lump, Rec, Series};
use super::row::{self, Fields, Reader, Row};
use super::spill::{self, List, Spill};
use super::{Followed, conserved, on_both, open_key};
use crate::both;
use crate::error::CliError;
use crate::model::{DocKind, Text};
use crate::money::Currency;
use crate::policy::{Basis, Policy};

/// What is open in a pool once it has paid what it can.
#[derive(Clone, Debug, Default)]
pub(super) struct Figures {
    /// Hundredths per bucket of the aging policy (empty until an invoice is open).
    pub buckets: Vec<i128>,
    /// Open on invoices past their due date.
    pub overdue: i128,
    /// Days past due of the oldest open invoice (0 when none is overdue).
    pub max_days: i64,
    /// Credit left unapplied.
    pub unapplied: i128,
    pub history: History,
}

/// An open item: where its line is, its pool and what is open (credit left, for a credit);
/// for an invoice, its id's fingerprint and its issue and due days.
#[derive(Clone, Copy, Debug)]
pub(super) struct Item {
    pub at: u64,
    pub pool: u32,
    pub open: i64,
    pub invoice: Option<(Fp, u16, u16)>,
}

/// Every pool paid: its figures, and the open items (when listed).
pub(super) struct Settled {
    pub figures: Vec<Figures>,
    pub items: Vec<Item>,
}

/// Pays every pool of `f` credit by credit (as of day `as_of_day`, listing the open items
/// if `list`): the first pools on this core and the rest on the other, or, when the open
/// invoices were written out, a range of pools at a time on either; `None` when the file
/// cannot be read again as it was (it changed meanwhile).
pub(super) fn settle(
    f: &mut Followed,
    path: &Path,
    policy: &Policy,
    as_of_day: u16,
    list: bool,
) -> Result<Option<Settled>, CliError> {
    let Some(mut kept) = f.book.pools.kept.take() else {
        return Ok(None);
    };
    let n_pools = f.book.pools.of.len();
    let mut figures = vec![Figures::default(); n_pools];
    for (pool, h) in kept.history.iter().enumerate() {
        figures[pool].history.join(h);
    }
    let open_spill = f.open_spill.take();
    let [a, b] = &f.open;
    // Split at the pool of the middle open invoice: each side takes its pools' invoices
    // and credits (unless they were written out).
    let cut = (a.get(a.len() / 2).map(Rec::pool))
        .unwrap_or(0)
        .min(n_pools as u32);
    // The credits of the pools before the cut first (each side puts its own in order).
    let il = match open_spill {
        Some(_) => 0,
        None => partition(&mut kept.lumps, |l| l.pool < cut),
    };
    let common = Common {
        series: &f.book.series,
        touched: &kept.touched,
        since: kept.since,
        policy,
        as_of_day,
        list,
    };
    let lumps = &kept.lumps[..];
    let items = match &open_spill {
        Some((spills, pools)) => {
            // Written out with the open invoices, by the same count of pools.
            debug_assert!(lumps.is_empty(), "the credits went with the open invoices");
            if *pools != n_pools || !lumps.is_empty() {
                return Ok(None);
            }
            walk_spilled(spills, &mut figures, path, &common)
        }
        None => {
            let (first, second) = figures.split_at_mut(cut as usize);
            let at_pool = |pool: u32| {
                (
                    a.partition_point(|r| r.pool() < pool),
                    b.partition_point(|r| r.pool() < pool),
                )
            };
            let (ia, ib) = at_pool(cut);
            let walk = |open, lumps, pools, figures: &mut [Figures]| {
                // Ids are read here and there: a buffer of about a line.
                let mut lines = Lines::new(File::open(path).ok()?, policy, 256);
                let room = &mut Room::default();
                common.pay(open, lumps, pools, figures, &mut lines, room)
            };
            on_both(
                || walk([&a[..ia], &b[..ib]], &lumps[..il], 0..cut, first),
                || {
                    walk(
                        [&a[ia..], &b[ib..]],
                        &lumps[il..],
                        cut..n_pools as u32,
                        second,
                    )
                },
            )
        }
    };
    let Some(items) = items else {
        return Ok(None);
    };
    let mut out: crate::Map<Currency, i128> = crate::Map::default();
    for (pool, figures) in figures.iter().enumerate() {
        let balance = figures.buckets.iter().sum::<i128>() - figures.unapplied;
        *out.entry(f.book.pools.of[pool].1).or_default() += balance;
    }
    conserved(&f.book, &out)?;
    Ok(Some(Settled { figures, items }))
}

/// Puts the items for which `before` holds first (in no order), and tells how many there
/// are.
fn partition<T>(items: &mut [T], before: impl Fn(&T) -> bool) -> usize {
    let mut first = 0;
    for i in 0..items.len() {
        if before(&items[i]) {
            items.swap(first, i);
            first += 1;
        }
    }
    first
}

/// What every run of pools is paid with.
struct Common<'a> {
    series: &'a Series,
    touched: &'a crate::Map<(u32, u64), (i64, Option<u16>)>,
    since: Option<u16>,
    policy: &'a Policy,
    as_of_day: u16,
    /// Whether to list the open items (open items do, risk does not).
    list: bool,
}

impl Common<'_> {
    /// Pays the pools of range `pools` (their figures in `figures`), their open invoices
    /// taken from the two lists of `open` and their credits from `lumps`, each put in
    /// order by pool in `room` first; the open items.
    fn pay(
        &self,
        open: [&[Rec]; 2],
        lumps: &[Lump],
        pools: std::ops::Range<u32>,
        figures: &mut [Figures],
        lines: &mut Lines,
        room: &mut Room,
    ) -> Option<Vec<Item>> {
        let Room {
            open: invoices,
            credits,
            ends,
            keys,
        } = room;
        order_open(open, pools.clone(), keys, ends, invoices)?;
        let sort = |s: &mut [Lump]| s.sort_by_key(Lump::key);
        by_pool(
            &[lumps],
            pools.clone(),
            |l| l.pool,
            |l, _| *l,
            sort,
            credits,
            ends,
        )?;
        let run = Pools {
            open: invoices,
            lumps: credits,
            base: pools.start,
            common: self,
        };
        run.walk(figures, lines)
    }
}

/// What [`Common::pay`] puts in order, kept from one range of pools to the next.
#[derive(Default)]
struct Room {
    open: Vec<Rec>,
    credits: Vec<Lump>,
    ends: Vec<usize>,
    /// For [`order_open`].
    keys: Vec<u64>,
}

/// The pools paid a range at a time, the open invoices and credits of each read back from
/// `spills` (one per core that followed the references, written out by
/// [`spill::of_pool`]) and sorted, each range by whichever core takes it first (one slowed
/// down takes fewer: dealt even and odd, the first core finished 25-70 ms after the other
/// in a 10M risk). The open items, in the order of the pools.
fn walk_spilled(
    spills: &[Spill; 2],
    figures: &mut [Figures],
    path: &Path,
    common: &Common,
) -> Option<Vec<Item>> {
    let bits = spills[0].bits();
    let n = 1usize << bits;
    let pools = figures.len();
    let starts: Vec<u32> = (0..=n).map(|k| spill::first_pool(k, bits, pools)).collect();
    // Each range's figures, taken with the range.
    let mut ranges = Vec::with_capacity(n);
    let mut rest = figures;
    for k in 0..n {
        let (range, tail) = rest.split_at_mut((starts[k + 1] - starts[k]) as usize);
        rest = tail;
        ranges.push(Mutex::new(Some(range)));
    }
    let turns = super::Turns::new(n);
    let walk = || {
        let mut lines = Lines::new(File::open(path).ok()?, common.policy, 256);
        let (mut bytes, mut a, mut b, mut lumps) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut room = Room::default();
        let mut out = Vec::new();
        while let Some(k) = turns.take() {
            let figures = ranges[k].lock().ok()?.take()?;
            a.clear();
            b.clear();
            lumps.clear();
            spills[0].read(List::Invoices, k, &mut bytes, &mut a)?;
            spills[1].read(List::Invoices, k, &mut bytes, &mut b)?;
            spills[0].read(List::Lumps, k, &mut bytes, &mut lumps)?;
            spills[1].read(List::Lumps, k, &mut bytes, &mut lumps)?;
            spills.iter().for_each(|spill| spill.release(k));
            let range = starts[k]..starts[k + 1];
            let items = common.pay([&a, &b], &lumps, range, figures, &mut lines, &mut room)?;
            out.push((k, items));
        }
        Some(out)
    };
    // A core that gives up, wherever it does, stops the other taking more.
    let run = || {
        walk().or_else(|| {
            turns.stop();
            None
        })
    };
    let (mine, theirs) = both(run, run);
    let mut all = mine?;
    all.extend(theirs?);
    debug_assert!(spills.iter().all(Spill::released));
    all.sort_unstable_by_key(|(k, _)| *k);
    let mut items = Vec::with_capacity(all.iter().map(|(_, items)| items.len()).sum());
    for (_, mut range) in all {
        items.append(&mut range);
    }
    Some(items)
}

/// The open invoices of `open` (of the pools of range `pools`) in `out`, in the order the
/// pools pay them ([`open_key`], equal keys in the order of the lists): their keys within
/// their pools, (due, issue date), packed with their places in one number each, counted
/// into place by pool and each pool's few sorted ([`by_pool`]), then the invoices moved
/// once into that order. `keys` and `ends` are room; `None` past 2^32 invoices.
fn order_open(
    open: [&[Rec]; 2],
    pools: std::ops::Range<u32>,
    keys: &mut Vec<u64>,
    ends: &mut Vec<usize>,
    out: &mut Vec<Rec>,
) -> Option<()> {
    let [a, b] = open;
    u32::try_from(a.len() + b.len()).ok()?;
    // A pool's invoices share their pool: the rest of the key fits in 32 bits.
    let packed = |r: &Rec, place: usize| (u64::from(open_key(r) as u32) << 32) | place as u64;
    let sort = |s: &mut [u64]| s.sort_unstable();
    by_pool(&open, pools, Rec::pool, packed, sort, keys, ends)?;
    out.clear();
    out.extend(keys.iter().map(|&k| {
        let place = k as u32 as usize;
        a.get(place).copied().unwrap_or_else(|| b[place - a.len()])
    }));
    Some(())
}

/// What `item` makes of the items of `lists` (given each one and its place in the lists
/// one after the other), put in `out` by their pool, each pool's put in order by `sort`:
/// counted into place by pool (which must lie in `pools`), then each pool's few sorted.
/// `ends` is room for the count. Far fewer steps than sorting them all: a range of pools
/// holds tens of thousands of items, a pool tens.
fn by_pool<T, U: Copy>(
    lists: &[&[T]],
    pools: std::ops::Range<u32>,
    pool: impl Fn(&T) -> u32,
    item: impl Fn(&T, usize) -> U,
    mut sort: impl FnMut(&mut [U]),
    out: &mut Vec<U>,
    ends: &mut Vec<usize>,
) -> Option<()> {
    let Some(filler) = lists.iter().find_map(|list| list.first()) else {
        out.clear();
        return Some(());
    };
    let filler = item(filler, 0);
    let n = pools.len();
    ends.clear();
    ends.resize(n + 1, 0);
    // Where each pool's items start (in `ends[p + 1]` until they are put in place).
    for item in lists.iter().flat_map(|list| list.iter()) {
        let p = pool(item)
            .checked_sub(pools.start)
            .filter(|&p| (p as usize) < n)?;
        ends[p as usize + 1] += 1;
    }
    let mut start = 0;
    for end in &mut ends[1..] {
        (start, *end) = (start + *end, start);
    }
    // Every place is written below: what the room held before is only overwritten.
    out.truncate(start);
    out.resize(start, filler);
    for (place, t) in lists.iter().flat_map(|list| list.iter()).enumerate() {
        let at = &mut ends[(pool(t) - pools.start) as usize + 1];
        out[*at] = item(t, place);
        *at += 1;
    }
    // Now `ends[p + 1]` is where pool `p`'s items end.
    let mut from = 0;
    for &end in &ends[1..] {
        sort(&mut out[from..end]);
        from = end;
    }
    Some(())
}

/// A run of consecutive pools to pay: their open invoices (sorted by [`open_key`]) and
/// credits (sorted by [`Lump::key`]), from pool `base` on.
struct Pools<'a> {
    open: &'a [Rec],
    lumps: &'a [Lump],
    base: u32,
    common: &'a Common<'a>,
}

impl Pools<'_> {
    /// Pays each pool, its figures in `figures` (from pool `base`); the open items.
    fn walk(&self, figures: &mut [Figures], lines: &mut Lines) -> Option<Vec<Item>> {
        let mut items = Vec::new();
        let mut pay = Payer {
            lumps: self.lumps,
            next: 0,
            left: 0,
        };
        let mut rest = self.open;
        let mut by_id: Vec<(Text, Rec)> = Vec::new();
        for (pool, figures) in (self.base..).zip(figures.iter_mut()) {
            pay.start(pool);
            // The pool's open invoices, a group of equal (due, issue date) at a time.
            while let Some(first) = rest.first().filter(|r| r.pool() == pool) {
                let key = open_key(first);
                let n = rest.iter().position(|r| open_key(r) != key);
                let group;
                (group, rest) = rest.split_at(n.unwrap_or(rest.len()));
                let (plain, ordered): (&[Rec], &[(Text, Rec)]) =
                    if group.len() > 1 && pay.current(pool).is_some() {
                        // Paid in the order of their ids, written again from their
                        // fingerprints where they can be.
                        by_id.clear();
                        for rec in group {
                            let id = match self.common.series.id(rec.fp()) {
                                Some(text) => text,
                                None => lines
                                    .row(rec.at(), |row| row::text(row.id).map(Text::from))??,
                            };
                            by_id.push((id, *rec));
                        }
                        by_id.sort_unstable_by(|(x, a), (y, b)| (x, a.at()).cmp(&(y, b.at())));
                        (&[], &by_id)
                    } else {
                        (group, &[])
                    };
                for rec in plain.iter().chain(ordered.iter().map(|(_, rec)| rec)) {
                    let (open, paid) = pay.invoice(pool, rec.net());
                    if open == 0 {
                        let Some(since) = self.common.since else {
                            continue; // no payment history kept
                        };
                        // Its amount and last payment before the pool, if references paid
                        // some.
                        let touched = (rec.touched())
                            .then(|| self.common.touched.get(&(pool, rec.at())))
                            .flatten();
                        let (amount, earlier) = touched.copied().unzip();
                        let paid = paid.or(earlier.flatten());
                        let amount = amount.unwrap_or(rec.net());
                        figures.history.closed(since, amount, rec.due(), paid);
                        continue;
                    }
                    if self.common.list {
                        items.push(Item {
                            at: rec.at(),
                            pool,
                            open,
                            invoice: Some((rec.fp(), rec.date(), rec.due())),
                        });
                    }
                    figures.add(self.common.policy, self.common.as_of_day, rec, open);
                }
            }
            pay.rest(pool, |lump, left| {
                figures.unapplied += i128::from(left);
                if self.common.list {
                    items.push(Item {
                        at: lump.at().offset(),
                        pool,
                        open: left,
                        invoice: None,
                    });
                }
            });
        }
        Some(items)
    }
}

impl Figures {
    /// An invoice left open.
    fn add(&mut self, policy: &Policy, as_of_day: u16, rec: &Rec, open: i64) {
        let since = match policy.aging.basis {
            Basis::DueDate => rec.due(),
            Basis::IssueDate => rec.date(),
        };
        let days = i64::from(as_of_day) - i64::from(since);
        if self.buckets.is_empty() {
            self.buckets = vec![0; policy.aging.buckets.len()];
        }
        self.buckets[policy.aging.bucket_for(days)] += i128::from(open);
        let past_due = i64::from(as_of_day) - i64::from(rec.due());
        if past_due > 0 {
            self.overdue += i128::from(open);
            self.max_days = self.max_days.max(past_due);
        }
    }
}

/// A pool's credits, taken in order.
struct Payer<'a> {
    lumps: &'a [Lump],
    /// The credit being spent, and what is left of it.
    next: usize,
    left: i64,
}

impl Payer<'_> {
    /// Moves to pool `pool`'s first credit (pools are taken in order).
    fn start(&mut self, pool: u32) {
        while self.lumps.get(self.next).is_some_and(|l| l.pool < pool) {
            self.next += 1;
        }
        self.left = self.lumps.get(self.next).map_or(0, Lump::value);
    }

    fn current(&self, pool: u32) -> Option<&Lump> {
        self.lumps.get(self.next).filter(|l| l.pool == pool)
    }

    /// Pays an invoice open for `open` as the engine does: each credit in turn, as much as
    /// it has. What stays open, and the day of the last payment that paid some of it.
    fn invoice(&mut self, pool: u32, mut open: i64) -> (i64, Option<u16>) {
        let mut paid = None;
        while open > 0 {
            let Some(&lump) = self.current(pool) else {
                break;
            };
            let amount = open.min(self.left).max(0);
            if amount > 0 {
                open -= amount;
                self.left -= amount;
                if lump.at().kind() == DocKind::Payment {
                    paid = Some(lump.day());
                }
            }
            if open > 0 || self.left == 0 {
                self.next += 1;
                self.left = self.lumps.get(self.next).map_or(0, Lump::value);
            }
        }
        (open, paid)
    }

    /// `f` of each credit of pool `pool` with something left, and what.
    fn rest(&mut self, pool: u32, mut f: impl FnMut(Lump, i64)) {
        while let Some(&lump) = self.current(pool) {
            if self.left > 0 {
                f(lump, self.left);
            }
            self.next += 1;
            self.left = self.lumps.get(self.next).map_or(0, Lump::value);
        }
    }
}

/// Lines of the file read again by offset, in any order: from the buffer when it holds
/// the whole line, else by one positioned read there (no seek).
pub(super) struct Lines {
    file: File,
    buf: Vec<u8>,
    /// Where `buf` starts in the file, and how many of its bytes are the file's.
    start: u64,
    len: usize,
    fields: Fields,
    reader: Reader,
}

impl Lines {
    /// `buffer`: bytes read at once (lines in file order are read best with a big one,
    /// lines here and there with about a line's).
    pub(super) fn new(file: File, policy: &Policy, buffer: usize) -> Lines {
        Lines {
            file,
            buf: vec![0; buffer.max(1)],
            start: 0,
            len: 0,
            fields: Fields::default(),
            reader: Reader::new(super::default_currency(policy), policy.terms_days),
        }
    }

    /// `f` of the row at offset `at`; `None` when it no longer reads as a row.
    pub(super) fn row<T>(&mut self, at: u64, f: impl FnOnce(&Row) -> T) -> Option<T> {
        let (s, e) = self.line_at(at)?;
        let line = &self.buf[s..e];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !self.fields.split(line) {
            return None;
        }
        self.reader.row(&self.fields, line).map(|row| f(&row))
    }

    /// Where the line at offset `at` lies in the buffer (without its line break), read
    /// there if the buffer does not hold all of it; `None` past the end of the file, on an
    /// error, or for a line longer than any native row.
    fn line_at(&mut self, at: u64) -> Option<(usize, usize)> {
        let held = at.checked_sub(self.start).filter(|&o| o < self.len as u64);
        if let Some(from) = held.map(|o| o as usize)
            && let Some(k) = memchr::memchr(b'\n', &self.buf[from..self.len])
        {
            return Some((from, from + k));
        }
        (self.start, self.len) = (at, 0);
        loop {
            if self.len == self.buf.len() {
                if self.buf.len() >= super::MAX_LINE {
                    return None;
                }
                self.buf.resize(self.buf.len() * 2, 0);
            }
            let from = self.len;
            let n = read_at(&self.file, &mut self.buf[from..], at + from as u64).ok()?;
            if n == 0 {
                // The last line, without a line break.
                return (from > 0).then_some((0, from));
            }
            self.len += n;
            if let Some(k) = memchr::memchr(b'\n', &self.buf[from..self.len]) {
                return Some((0, from + k));
            }
        }
    }
}

/// Reads `file` from offset `at` into `buf` (retried when interrupted).
fn read_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
    loop {
        #[cfg(unix)]
        let read = std::os::unix::fs::FileExt::read_at(file, buf, at);
        #[cfg(windows)]
        let read = std::os::windows::fs::FileExt::seek_read(file, buf, at);
        #[cfg(not(any(unix, windows)))]
        let read = {
            use std::io::{Read, Seek, SeekFrom};
            let mut file = file;
            file.seek(SeekFrom::Start(at)).and_then(|_| file.read(buf))
        };
        match read {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            read => return read,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partition_puts_what_comes_before_first_and_keeps_every_item() {
        for n in 0..40u32 {
            let mut items: Vec<u32> = (0..n).map(|i| i.wrapping_mul(2_654_435_761) % 97).collect();
            let mut want = items.clone();
            let first = partition(&mut items, |&x| x < 50);
            assert!(items[..first].iter().all(|&x| x < 50));
            assert!(items[first..].iter().all(|&x| x >= 50));
            items.sort_unstable();
            want.sort_unstable();
            assert_eq!(items, want);
        }
    }

    /// Open invoices of two lists come out in the order the pools pay them, as a stable
    /// sort of the lists one after the other by [`open_key`] puts them: equal keys (many,
    /// when days are few) in their order, days up to `u16::MAX`, pools with none, one or
    /// many; an invoice outside the range of pools gives up.
    #[test]
    fn open_invoices_come_out_in_the_order_pools_pay_them() {
        use crate::stream::records::{Due, Fp, Invoice};
        let mut draw = crate::draws(11);
        let (mut keys, mut ends, mut out) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..300u64 {
            let base = draw(1000) as u32;
            let pools = 1 + draw(30) as u32;
            // Few days (many equal keys), or any; the place tells equal keys apart.
            let days = if round % 2 == 0 { 3 } else { 1 << 16 };
            let mut list = |from: u64| -> Vec<Rec> {
                let n = draw(if round % 10 == 0 { 3 } else { 150 });
                (0..n)
                    .map(|i| {
                        let pool = base + draw(pools.into()) as u32;
                        let (due, date) = (draw(days) as u16, draw(days) as u16);
                        let head = Due::new(Fp(from + i, 0), 100, due, pool, false);
                        Rec::new(head, date, from + i)
                    })
                    .collect()
            };
            let (a, mut b) = (list(0), list(1 << 20));
            if let Some(last) = b.last_mut() {
                *last = Rec::new(Due::new(Fp(9, 9), 1, u16::MAX, base, false), u16::MAX, 9);
            }
            let range = base..base + pools;
            order_open([&a, &b], range.clone(), &mut keys, &mut ends, &mut out).unwrap();
            let mut want = [&a[..], &b[..]].concat();
            want.sort_by_key(open_key);
            let at = |list: &[Rec]| list.iter().map(|r| r.at()).collect::<Vec<_>>();
            assert_eq!(at(&out), at(&want), "round {round}");
            let outside = [Rec::new(
                Due::new(Fp(1, 1), 1, 1, base + pools, false),
                1,
                1,
            )];
            let got = order_open([&a, &outside], range, &mut keys, &mut ends, &mut out);
            assert_eq!(got, None);
        }
    }

    /// Items of several lists counted into place by pool come out as one sort by key puts
    /// them, whatever the pools' sizes (none, one, many), and the room is reused; an item
    /// outside the range of pools gives up.
    #[test]
    fn items_counted_by_pool_come_out_sorted_by_their_key() {
        let mut draw = crate::draws(7);
        let (mut out, mut ends) = (Vec::new(), Vec::new());
        for round in 0..200 {
            let base = draw(1000) as u32;
            let pools = 1 + draw(40) as u32;
            // (pool, key, list and place): the last two tell items of equal key apart.
            let lists: Vec<Vec<(u32, u64, usize)>> = (0..1 + draw(3) as usize)
                .map(|list| {
                    let n = draw(if round % 10 == 0 { 3 } else { 300 }) as usize;
                    let spread = 1 + draw(pools.into()) as u32;
                    (0..n)
                        .map(|i| (base + draw(spread.into()) as u32, draw(20), list << 20 | i))
                        .collect()
                })
                .collect();
            let refs: Vec<&[(u32, u64, usize)]> = lists.iter().map(|l| &l[..]).collect();
            let key = |x: &(u32, u64, usize)| (x.0, x.1, x.2);
            let range = base..base + pools;
            let sort = |s: &mut [(u32, u64, usize)]| s.sort_by_key(key);
            let same = |x: &(u32, u64, usize), _| *x;
            by_pool(
                &refs,
                range.clone(),
                |x| x.0,
                same,
                sort,
                &mut out,
                &mut ends,
            )
            .unwrap();
            let mut want = lists.concat();
            want.sort_unstable_by_key(key);
            assert_eq!(out, want, "round {round}");
            let past = [(base + pools, 0, 0)];
            let before = [(base.wrapping_sub(1), 0, 0)];
            for outside in [&past[..], &before[..]] {
                let with = [&refs.concat()[..], outside];
                assert_eq!(
                    by_pool(
                        &with,
                        range.clone(),
                        |x| x.0,
                        same,
                        sort,
                        &mut out,
                        &mut ends
                    ),
                    None
                );
            }
        }
    }

    /// Lines read again by offset in any order, from a buffer smaller than a line, longer
    /// lines than it, and a last line without a line break; an offset past the end reads
    /// nothing.
    #[test]
    fn lines_are_read_again_by_offset_whatever_the_buffer_and_the_order() {
        let long = "N".repeat(700);
        let rows = [
            "invoice,FV-1,C1,Ana,2026-01-02,,10.00,COP,,,".to_string(),
            format!("invoice,FV-2,C2,{long},2026-01-03,,20.00,COP,,,"),
            "payment,P-3,C1,Ana,2026-01-04,,5.00,COP,FV-1,,\r".to_string(),
            "credit_note,NC-4,C2,,2026-01-05,,1.00,COP,,,".to_string(),
        ];
        let text = rows.join("\n");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.csv");
        std::fs::write(&path, &text).unwrap();
        let mut at = vec![0u64];
        for row in &rows[..rows.len() - 1] {
            at.push(at.last().unwrap() + row.len() as u64 + 1);
        }
        for buffer in [16, 256, 1 << 16] {
            let file = File::open(&path).unwrap();
            let mut lines = Lines::new(file, &Policy::default(), buffer);
            for i in [3, 1, 0, 2, 3, 2, 1, 0] {
                let id = lines.row(at[i], |row| row.id.to_vec());
                let want = ["FV-1", "FV-2", "P-3", "NC-4"][i].as_bytes().to_vec();
                assert_eq!(id, Some(want), "row {i}, buffer {buffer}");
            }
            assert_eq!(lines.row(text.len() as u64, |row| row.id.to_vec()), None);
        }
    }
}
