//! One part of a native ledger summed up as it is read, keeping per invoice only what the
//! aging needs (28 bytes): its fingerprint, open balance, due and issue dates, pool, and the
//! date of the last reference that paid it. Credits are not kept: each is applied as it
//! comes, to the invoice it names or to its pool of credit, and counted.
//!
//! Exactness, step by step, against the engine (`allocate`):
//! - references are followed per invoice in (date, input order): a file read in order
//!   gives that order unless a reference comes dated before one already followed on its
//!   invoice, which sends the run to the exact path; references read before their invoice
//!   wait for it and are then followed sorted;
//! - what an invoice's references leave open, and what each pool holds, do not depend on
//!   the order of anything else; the pool then pays the open invoices oldest first
//!   (`super::age_pools`);
//! - ids are compared by a 96-bit fingerprint. Two invoices with the same fingerprint (a
//!   duplicate id, or the same fingerprint by chance) and two credits of a kind with the
//!   same 64-bit fingerprint send the run to the exact path; a reference to an id that
//!   does not exist would match an invoice only if their 96 bits agreed (chance about
//!   references × invoices / 2^96: 10^-17 for ten million of each).

use std::hash::BuildHasher;

use chrono::NaiveDate;
use hashbrown::HashTable;

use super::row::{Row, day_number};
use crate::allocate::RefIssue;
use crate::model::{DocKind, Text};
use crate::money::Currency;

/// A 96-bit fingerprint of an id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Fp(u64, u32);

/// Two hashes with fixed seeds (a run gives the same result every time).
pub(super) fn fingerprint(id: &str) -> Fp {
    let a = foldhash::quality::FixedState::with_seed(0x243f_6a88_85a3_08d3).hash_one(id);
    let b = foldhash::quality::FixedState::with_seed(0x1319_8a2e_0370_7344).hash_one(id);
    Fp(a, b as u32)
}

/// An invoice, packed: 28 bytes.
#[derive(Clone, Copy)]
#[repr(C, packed(4))]
pub(super) struct Rec {
    fp_lo: u64,
    fp_hi: u32,
    /// Open balance in hundredths (48 bits) and due day (16).
    net_due: u64,
    /// Pool (24 bits) and whether it is dated after the as-of date (1).
    pool_future: u32,
    /// Issue day (16 bits) and the day of the last reference followed (16; 0 for none).
    date_last: u32,
}

impl Rec {
    fn fp(&self) -> Fp {
        Fp(self.fp_lo, self.fp_hi)
    }
    pub(super) fn net(&self) -> i64 {
        (self.net_due >> 16) as i64
    }
    fn set_net(&mut self, net: i64) {
        self.net_due = ((net as u64) << 16) | (self.net_due & 0xffff);
    }
    pub(super) fn due(&self) -> u16 {
        self.net_due as u16
    }
    pub(super) fn pool(&self) -> u32 {
        self.pool_future >> 8
    }
    pub(super) fn set_pool(&mut self, pool: u32) {
        self.pool_future = (pool << 8) | (self.pool_future & 0xff);
    }
    pub(super) fn future(&self) -> bool {
        self.pool_future & 1 == 1
    }
    pub(super) fn date(&self) -> u16 {
        (self.date_last >> 16) as u16
    }
    pub(super) fn last(&self) -> u16 {
        self.date_last as u16
    }
    fn set_last(&mut self, day: u16) {
        self.date_last = (self.date_last & 0xffff_0000) | u32::from(day);
    }
}

/// At most this many pools (24 bits).
const MAX_POOLS: usize = 1 << 24;
/// Invoices are held in chunks of this many (no copy of them all when they grow).
const CHUNK: usize = 1 << 16;
/// The index is in this many tables, each growing on its own (no moment with two copies).
const PARTS: usize = 256;

/// A reference waiting for its invoice (or for the end, where it is unknown).
#[derive(Clone, Copy, Debug)]
pub(super) struct Pending {
    pub pool: u32,
    pub day: u16,
    pub line: u64,
    pub value: i64,
}

/// What a part counted, for the report's footer and the line on stderr.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Counts {
    /// Rows read (every one a document).
    pub rows: u64,
    /// Documents dated after the as-of date.
    pub future: u64,
    /// Invoices due before they were issued, and the line of the first.
    pub due_before_issue: (u64, Option<u64>),
    /// References not followed in full: unknown, another customer, another currency,
    /// beyond the invoice's balance.
    pub refs: [u64; 4],
}

/// The index of a reference issue in `Counts::refs`.
fn slot(issue: RefIssue) -> usize {
    match issue {
        RefIssue::Unknown => 0,
        RefIssue::CustomerMismatch => 1,
        RefIssue::CurrencyMismatch => 2,
        RefIssue::Overpaid => 3,
    }
}

/// The pools of credit: each (customer, currency) and the hundredths of credit it holds.
#[derive(Default)]
pub(super) struct Pools {
    number: crate::Map<(u32, Currency), u32>,
    pub of: Vec<(u32, Currency)>,
    pub credit: Vec<i128>,
}

impl Pools {
    pub(super) fn get(&mut self, customer: u32, currency: Currency) -> Option<u32> {
        if let Some(&n) = self.number.get(&(customer, currency)) {
            return Some(n);
        }
        if self.of.len() >= MAX_POOLS {
            return None;
        }
        let n = self.of.len() as u32;
        self.number.insert((customer, currency), n);
        self.of.push((customer, currency));
        self.credit.push(0);
        Some(n)
    }

    /// Follows reference `p` to invoice `rec`, as the engine does; `None` when it comes
    /// dated before a reference already followed on the invoice.
    pub(super) fn follow(&mut self, rec: &mut Rec, p: Pending, counts: &mut Counts) -> Option<()> {
        let issue = if rec.future() {
            Some(RefIssue::Unknown)
        } else {
            let (invoice, credit) = (self.of[rec.pool() as usize], self.of[p.pool as usize]);
            if invoice.0 != credit.0 {
                Some(RefIssue::CustomerMismatch)
            } else if invoice.1 != credit.1 {
                Some(RefIssue::CurrencyMismatch)
            } else {
                None
            }
        };
        if let Some(issue) = issue {
            counts.refs[slot(issue)] += 1;
            self.credit[p.pool as usize] += i128::from(p.value);
            return Some(());
        }
        if p.day < rec.last() {
            return None;
        }
        rec.set_last(p.day);
        let open = rec.net();
        let applied = open.min(p.value);
        rec.set_net(open - applied);
        if p.value > applied {
            counts.refs[slot(RefIssue::Overpaid)] += 1;
            self.credit[p.pool as usize] += i128::from(p.value - applied);
        }
        Some(())
    }

    /// A reference whose invoice does not exist.
    pub(super) fn unknown(&mut self, p: Pending, counts: &mut Counts) {
        counts.refs[slot(RefIssue::Unknown)] += 1;
        self.credit[p.pool as usize] += i128::from(p.value);
    }
}

/// The invoices of a part and their index by fingerprint.
#[derive(Default)]
pub(super) struct Invoices {
    chunks: Vec<Vec<Rec>>,
    index: Vec<HashTable<u32>>,
}

impl Invoices {
    pub(super) fn find(&self, fp: Fp) -> Option<u32> {
        let table = self.index.get(part_of(fp))?;
        table.find(fp.0, |&at| self.at(at).fp() == fp).copied()
    }

    pub(super) fn at(&self, at: u32) -> &Rec {
        &self.chunks[at as usize / CHUNK][at as usize % CHUNK]
    }

    pub(super) fn at_mut(&mut self, at: u32) -> &mut Rec {
        &mut self.chunks[at as usize / CHUNK][at as usize % CHUNK]
    }

    /// Adds an invoice whose fingerprint is not in yet; `None` past 2^32 invoices.
    fn push(&mut self, rec: Rec) -> Option<u32> {
        if self.index.is_empty() {
            self.index = (0..PARTS).map(|_| HashTable::new()).collect();
        }
        if self.chunks.last().is_none_or(|c| c.len() == CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        let at = u32::try_from((self.chunks.len() - 1) * CHUNK + self.chunks.last()?.len()).ok()?;
        self.chunks.last_mut()?.push(rec);
        let chunks = &self.chunks;
        self.index[part_of(rec.fp())].insert_unique(rec.fp_lo, at, |&a| {
            chunks[a as usize / CHUNK][a as usize % CHUNK].fp_lo
        });
        Some(at)
    }

    /// Every invoice, in chunks.
    pub(super) fn chunks_mut(&mut self) -> impl Iterator<Item = &mut Vec<Rec>> {
        self.chunks.iter_mut()
    }

    pub(super) fn chunks(&self) -> impl Iterator<Item = &Vec<Rec>> {
        self.chunks.iter()
    }

    /// The fingerprints of the invoices in index table `part`.
    pub(super) fn fingerprints_in(&self, part: usize) -> impl Iterator<Item = Fp> + '_ {
        (self.index.get(part).into_iter())
            .flat_map(|t| t.iter())
            .map(|&at| self.at(at).fp())
    }

    /// The index is not needed once every reference is followed.
    pub(super) fn drop_index(&mut self) {
        self.index = Vec::new();
    }
}

/// Which index table holds a fingerprint: bits the tables do not use for their slots.
fn part_of(fp: Fp) -> usize {
    (fp.1 >> 24) as usize % PARTS
}

/// The index tables are split by this many (for the check of two parts on two cores).
pub(super) const INDEX_PARTS: usize = PARTS;

/// A part of a ledger, summed up.
pub(super) struct Book {
    as_of: NaiveDate,
    pub customers: crate::Map<Text, u32>,
    pub customer_ids: Vec<Text>,
    /// Per customer: the day and name of its latest document dated by the as-of date that
    /// has one (on a tie, the greater name).
    pub names: Vec<Option<(u16, Text)>>,
    pub pools: Pools,
    pub invoices: Invoices,
    /// References to ids not read yet in this part.
    pub pending: crate::Map<Fp, Vec<Pending>>,
    /// 64-bit fingerprints of (kind, id) of the credits dated by the as-of date.
    pub credit_ids: Vec<u64>,
    pub counts: Counts,
    /// Per currency, in hundredths: invoiced − credited, dated by the as-of date.
    pub net_in: crate::Map<Currency, i128>,
    /// Per currency, in hundredths: every amount + withholding + discount read.
    pub read_total: crate::Map<Currency, i128>,
    /// The second part's invoices, once joined (renumbered to this book's pools).
    pub second: Option<Invoices>,
}

impl Book {
    pub(super) fn new(as_of: NaiveDate) -> Book {
        Book {
            as_of,
            customers: crate::Map::default(),
            customer_ids: Vec::new(),
            names: Vec::new(),
            pools: Pools::default(),
            invoices: Invoices::default(),
            pending: crate::Map::default(),
            credit_ids: Vec::new(),
            counts: Counts::default(),
            net_in: crate::Map::default(),
            read_total: crate::Map::default(),
            second: None,
        }
    }

    pub(super) fn customer(&mut self, id: &str) -> u32 {
        if let Some(&c) = self.customers.get(id) {
            return c;
        }
        let c = self.customer_ids.len() as u32;
        self.customers.insert(Text::from(id), c);
        self.customer_ids.push(Text::from(id));
        self.names.push(None);
        c
    }

    /// Takes in one row read at `line`; `None` when the exact path must read the file.
    pub(super) fn add(&mut self, row: &Row, line: u64) -> Option<()> {
        let day = day_number(row.date)?;
        let future = row.date > self.as_of;
        let customer = self.customer(row.customer);
        self.counts.rows += 1;
        *self.read_total.entry(row.currency).or_default() += i128::from(row.value);
        if !future && !row.name.is_empty() {
            let best = &mut self.names[customer as usize];
            if best
                .as_ref()
                .is_none_or(|(d, n)| (day, row.name) > (*d, n.as_str()))
            {
                *best = Some((day, Text::from(row.name)));
            }
        }
        let pool = self.pools.get(customer, row.currency)?;
        if row.kind == DocKind::Invoice {
            return self.invoice(row, line, day, pool, future);
        }
        if future {
            self.counts.future += 1;
            return Some(());
        }
        let kind = u8::from(row.kind == DocKind::CreditNote);
        let seeded = foldhash::quality::FixedState::with_seed(0x0a40_9382_2299_f31d);
        self.credit_ids.push(seeded.hash_one((kind, row.id)));
        *self.net_in.entry(row.currency).or_default() -= i128::from(row.value);
        let p = Pending {
            pool,
            day,
            line,
            value: row.value,
        };
        if row.reference.is_empty() {
            self.pools.credit[pool as usize] += i128::from(row.value);
            return Some(());
        }
        let fp = fingerprint(row.reference);
        match self.invoices.find(fp) {
            Some(at) => {
                let rec = self.invoices.at_mut(at);
                self.pools.follow(rec, p, &mut self.counts)
            }
            None => {
                self.pending.entry(fp).or_default().push(p);
                Some(())
            }
        }
    }

    fn invoice(&mut self, row: &Row, line: u64, day: u16, pool: u32, future: bool) -> Option<()> {
        let due = day_number(row.due)?;
        if row.due < row.date {
            self.counts.due_before_issue.0 += 1;
            self.counts.due_before_issue.1.get_or_insert(line);
        }
        if future {
            self.counts.future += 1;
        } else {
            *self.net_in.entry(row.currency).or_default() += i128::from(row.amount);
        }
        let fp = fingerprint(row.id);
        if self.invoices.find(fp).is_some() {
            return None; // a duplicate id (or the same fingerprint): the exact path says which
        }
        let rec = Rec {
            fp_lo: fp.0,
            fp_hi: fp.1,
            net_due: ((row.amount as u64) << 16) | u64::from(due),
            pool_future: (pool << 8) | u32::from(future),
            date_last: u32::from(day) << 16,
        };
        let at = self.invoices.push(rec)?;
        if !self.pending.is_empty()
            && let Some(mut waiting) = self.pending.remove(&fp)
        {
            waiting.sort_unstable_by_key(|p| (p.day, p.line));
            for p in waiting {
                let rec = self.invoices.at_mut(at);
                self.pools.follow(rec, p, &mut self.counts)?;
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invoice_packs_into_28_bytes_and_reads_back() {
        assert_eq!(std::mem::size_of::<Rec>(), 28);
        let mut rec = Rec {
            fp_lo: 7,
            fp_hi: 9,
            net_due: (((1i64 << 47) - 1) as u64) << 16 | 65_535,
            pool_future: ((MAX_POOLS as u32 - 1) << 8) | 1,
            date_last: 65_535 << 16,
        };
        assert_eq!(rec.net(), (1 << 47) - 1);
        assert_eq!(
            (rec.due(), rec.pool(), rec.future(), rec.date()),
            (65_535, (1 << 24) - 1, true, 65_535)
        );
        rec.set_net(5);
        rec.set_last(3);
        rec.set_pool(2);
        assert_eq!(
            (
                rec.net(),
                rec.due(),
                rec.last(),
                rec.date(),
                rec.pool(),
                rec.future()
            ),
            (5, 65_535, 3, 65_535, 2, true)
        );
        assert_eq!(rec.fp(), Fp(7, 9));
    }
}
