//! One part of a native ledger summed up as it is read: per invoice 26 bytes (its id's
//! fingerprint, open balance, due and issue dates, pool), per credit with a reference 28
//! bytes (the fingerprint it names, its pool, date, line and value), per credit 8 more (the
//! fingerprint of its kind and id). Nothing is looked up while reading but the customer:
//! references are followed once the whole file is read, invoices and references sorted by
//! fingerprint and walked side by side ([`follow_all`]), which reads memory in order.
//!
//! Exactness, step by step, against the engine (`allocate`):
//! - an invoice's references are followed in (date, line), as the engine takes credits;
//! - what an invoice's references leave open, and what each pool holds, do not depend on
//!   the order of anything else; the pool then pays the open invoices oldest first
//!   (`super::finish`);
//! - ids are compared by a 96-bit fingerprint. Two invoices with the same fingerprint (a
//!   duplicate id, or the same fingerprint by chance) and two credits of a kind with the
//!   same 64-bit fingerprint send the run to the exact path; a reference to an id that
//!   does not exist would match an invoice only if their 96 bits agreed (chance about
//!   references × invoices / 2^96: 10^-15 for ten million of each).

use std::hash::BuildHasher;

use hashbrown::HashTable;

use super::row::Row;
use crate::allocate::RefIssue;
use crate::model::{DocKind, Text};
use crate::money::Currency;

/// A 96-bit fingerprint of an id, ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Fp(u64, u32);

/// Two hashes with fixed seeds (a run gives the same result every time).
pub(super) fn fingerprint(id: &str) -> Fp {
    let a = foldhash::quality::FixedState::with_seed(0x243f_6a88_85a3_08d3).hash_one(id);
    let b = foldhash::quality::FixedState::with_seed(0x1319_8a2e_0370_7344).hash_one(id);
    Fp(a, b as u32)
}

/// An invoice, packed: 26 bytes.
#[derive(Clone, Copy)]
#[repr(C, packed(2))]
pub(super) struct Rec {
    fp_lo: u64,
    fp_hi: u32,
    /// Open balance in hundredths (48 bits) and due day (16).
    net_due: u64,
    /// Pool (24 bits) and whether it is dated after the as-of date (1).
    pool_future: u32,
    /// Issue day.
    date: u16,
}

impl Rec {
    pub(super) fn fp(&self) -> Fp {
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
        self.date
    }
}

/// A credit's reference, packed: 28 bytes.
#[derive(Clone, Copy)]
#[repr(C, packed(4))]
pub(super) struct Ref {
    fp_lo: u64,
    fp_hi: u32,
    /// Value in hundredths (48 bits) and day (16).
    value_day: u64,
    pub(super) line: u32,
    pub(super) pool: u32,
}

impl Ref {
    /// The order references are followed in: by invoice, then (date, line).
    pub(super) fn key(&self) -> (Fp, u16, u32) {
        (Fp(self.fp_lo, self.fp_hi), self.value_day as u16, self.line)
    }
    fn value(&self) -> i64 {
        (self.value_day >> 16) as i64
    }
}

/// At most this many pools (24 bits).
const MAX_POOLS: usize = 1 << 24;

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

    /// Follows reference `r` to invoice `rec`, as the engine does.
    fn follow(&mut self, rec: &mut Rec, r: &Ref, counts: &mut Counts) {
        let issue = if rec.future() {
            Some(RefIssue::Unknown)
        } else {
            let (invoice, credit) = (self.of[rec.pool() as usize], self.of[r.pool as usize]);
            if invoice.0 != credit.0 {
                Some(RefIssue::CustomerMismatch)
            } else if invoice.1 != credit.1 {
                Some(RefIssue::CurrencyMismatch)
            } else {
                None
            }
        };
        let value = r.value();
        if let Some(issue) = issue {
            counts.refs[slot(issue)] += 1;
            self.credit[r.pool as usize] += i128::from(value);
            return;
        }
        let open = rec.net();
        let applied = open.min(value);
        rec.set_net(open - applied);
        if value > applied {
            counts.refs[slot(RefIssue::Overpaid)] += 1;
            self.credit[r.pool as usize] += i128::from(value - applied);
        }
    }

    /// A reference whose invoice does not exist.
    fn unknown(&mut self, r: &Ref, counts: &mut Counts) {
        counts.refs[slot(RefIssue::Unknown)] += 1;
        self.credit[r.pool as usize] += i128::from(r.value());
    }
}

/// Follows every reference: `invoices` and `refs` are lists sorted by fingerprint (and
/// references then by date and line), walked side by side in order. `None` when two
/// invoices have the same fingerprint.
pub(super) fn follow_all(
    invoices: &mut [&mut [Rec]],
    refs: &[&[Ref]],
    pools: &mut Pools,
    counts: &mut Counts,
) -> Option<()> {
    let mut inv = vec![0usize; invoices.len()];
    let mut at = vec![0usize; refs.len()];
    // The list holding the least invoice not passed yet.
    let least = |inv: &[usize], invoices: &[&mut [Rec]]| {
        (0..invoices.len())
            .filter(|&l| inv[l] < invoices[l].len())
            .min_by_key(|&l| invoices[l][inv[l]].fp())
    };
    let mut current = least(&inv, invoices);
    let mut last: Option<Fp> = None;
    // Passes the current invoice; `None` when it has the fingerprint of the one before.
    let mut pass = |l: usize, inv: &mut Vec<usize>, invoices: &[&mut [Rec]]| {
        let here = invoices[l][inv[l]].fp();
        if last.replace(here) == Some(here) {
            return None;
        }
        inv[l] += 1;
        Some(least(inv, invoices))
    };
    loop {
        let next = (0..refs.len())
            .filter(|&l| at[l] < refs[l].len())
            .min_by_key(|&l| refs[l][at[l]].key());
        let Some(list) = next else {
            break;
        };
        let r = &refs[list][at[list]];
        at[list] += 1;
        let fp = r.key().0;
        while let Some(l) = current.filter(|&l| invoices[l][inv[l]].fp() < fp) {
            current = pass(l, &mut inv, invoices)?;
        }
        match current {
            Some(l) if invoices[l][inv[l]].fp() == fp => {
                pools.follow(&mut invoices[l][inv[l]], r, counts);
            }
            _ => pools.unknown(r, counts),
        }
    }
    while let Some(l) = current {
        current = pass(l, &mut inv, invoices)?;
    }
    Some(())
}

/// A customer, as a row finds it: a 96-bit fingerprint of its id (two customers are one
/// only if all 96 bits agree, as for invoice ids), its number, the pool of its first
/// currency, and the day, hash and length of the name of its latest document dated by the
/// as-of date that has one (on a tie, the greater name): a row with the same name, as
/// nearly every row is, reads nothing more. 40 bytes; the texts are kept apart by number.
struct Customer {
    hash: u64,
    fp: u32,
    number: u32,
    name_hash: u64,
    first_pool: u32,
    currency: Currency,
    name_day: u16,
    /// The name's length (at most `u16::MAX`).
    name_len: u16,
}

/// Seeded for customer ids: the table's hash and 32 more bits.
fn customer_hash(id: &str) -> (u64, u32) {
    let a = foldhash::quality::FixedState::with_seed(0x4528_21e6_38d0_1377).hash_one(id);
    let b = foldhash::quality::FixedState::with_seed(0xc0ac_29b7_c97c_50dd).hash_one(id);
    (a, b as u32)
}

/// Seeded for names; a name's length is compared too.
fn name_hash(name: &str) -> u64 {
    foldhash::quality::FixedState::with_seed(0xbe54_66cf_34e9_0c6c).hash_one(name)
}

/// A part of a ledger, summed up.
pub(super) struct Book {
    /// The as-of date's day number.
    as_of: u16,
    customers: HashTable<Customer>,
    /// Each customer's id and name, by number.
    texts: Vec<(Text, Text)>,
    pub pools: Pools,
    pub invoices: Vec<Rec>,
    pub refs: Vec<Ref>,
    /// 64-bit fingerprints of (kind, id) of the credits dated by the as-of date.
    pub credit_ids: Vec<u64>,
    pub counts: Counts,
    /// Per currency, in hundredths: invoiced − credited, dated by the as-of date.
    pub net_in: crate::Map<Currency, i128>,
    /// Per currency, in hundredths: every amount + withholding + discount read.
    pub read_total: crate::Map<Currency, i128>,
}

impl Book {
    /// A book for a part of `bytes` bytes, as of day `as_of`: its lists are reserved for
    /// as many rows as the part could hold (pages never written take no memory), so that
    /// they never move; `None` when that much cannot be reserved.
    pub(super) fn new(as_of: u16, bytes: u64) -> Option<Book> {
        let rows = usize::try_from(bytes / 30 + 1).ok()?;
        let mut book = Book {
            as_of,
            customers: HashTable::new(),
            texts: Vec::new(),
            pools: Pools::default(),
            invoices: Vec::new(),
            refs: Vec::new(),
            credit_ids: Vec::new(),
            counts: Counts::default(),
            net_in: crate::Map::default(),
            read_total: crate::Map::default(),
        };
        book.invoices.try_reserve_exact(rows).ok()?;
        book.refs.try_reserve_exact(rows).ok()?;
        book.credit_ids.try_reserve_exact(rows).ok()?;
        Some(book)
    }

    /// The number and pool of customer `id` in `currency`, taking `name` (dated) as its
    /// name if it is the latest.
    fn customer(
        &mut self,
        id: &str,
        currency: Currency,
        name: Option<(u16, &str)>,
    ) -> Option<(u32, u32)> {
        let (hash, fp) = customer_hash(id);
        let found = (self.customers).find_mut(hash, |c| c.hash == hash && c.fp == fp);
        let customer = match found {
            Some(c) => c,
            None => {
                let number = self.texts.len() as u32;
                let pool = self.pools.get(number, currency)?;
                self.texts.push((Text::from(id), Text::default()));
                let new = Customer {
                    hash,
                    fp,
                    number,
                    name_hash: name_hash(""),
                    first_pool: pool,
                    currency,
                    name_day: 0,
                    name_len: 0,
                };
                (self.customers)
                    .insert_unique(hash, new, |c| c.hash)
                    .into_mut()
            }
        };
        if let Some((day, name)) = name.filter(|(day, _)| *day >= customer.name_day) {
            let (hash, len) = (
                name_hash(name),
                u16::try_from(name.len()).unwrap_or(u16::MAX),
            );
            if hash == customer.name_hash && len == customer.name_len {
                customer.name_day = day;
            } else {
                let text = &mut self.texts[customer.number as usize].1;
                if (day, name) > (customer.name_day, text.as_str()) {
                    *text = Text::from(name);
                    (customer.name_hash, customer.name_len) = (hash, len);
                    customer.name_day = day;
                }
            }
        }
        let number = customer.number;
        if customer.currency == currency {
            return Some((number, customer.first_pool));
        }
        Some((number, self.pools.get(number, currency)?))
    }

    /// Each customer's id, name (with its day; empty for none) and first currency, by
    /// number.
    pub(super) fn customer_list(&self) -> Vec<(Text, (u16, Text), Currency)> {
        let mut all: Vec<_> = (self.texts.iter())
            .map(|(id, name)| (id.clone(), (0, name.clone()), None))
            .collect();
        for c in &self.customers {
            let entry = &mut all[c.number as usize];
            (entry.1.0, entry.2) = (c.name_day, Some(c.currency));
        }
        (all.into_iter())
            .filter_map(|(id, name, currency)| Some((id, name, currency?)))
            .collect()
    }

    /// The number of customer `id` (added, with a pool in `currency`, if new), taking
    /// `name` as its name if it is the latest: a customer of a second part joining.
    pub(super) fn take_customer(
        &mut self,
        id: &str,
        currency: Currency,
        name: (u16, &str),
    ) -> Option<u32> {
        let name = (!name.1.is_empty()).then_some(name);
        self.customer(id, currency, name).map(|(n, _)| n)
    }

    /// Takes in one row read at `line`; `None` when the exact path must read the file.
    pub(super) fn add(&mut self, row: &Row, line: u64) -> Option<()> {
        let future = row.date > self.as_of;
        let name = (!future && !row.name.is_empty()).then_some((row.date, row.name));
        let (_, pool) = self.customer(row.customer, row.currency, name)?;
        self.counts.rows += 1;
        *self.read_total.entry(row.currency).or_default() += i128::from(row.value);
        if row.kind == DocKind::Invoice {
            return self.invoice(row, line, pool, future);
        }
        if future {
            self.counts.future += 1;
            return Some(());
        }
        let kind = u8::from(row.kind == DocKind::CreditNote);
        let seeded = foldhash::quality::FixedState::with_seed(0x0a40_9382_2299_f31d);
        self.credit_ids.push(seeded.hash_one((kind, row.id)));
        *self.net_in.entry(row.currency).or_default() -= i128::from(row.value);
        if row.reference.is_empty() {
            self.pools.credit[pool as usize] += i128::from(row.value);
            return Some(());
        }
        let fp = fingerprint(row.reference);
        self.refs.push(Ref {
            fp_lo: fp.0,
            fp_hi: fp.1,
            value_day: ((row.value as u64) << 16) | u64::from(row.date),
            line: u32::try_from(line).ok()?,
            pool,
        });
        Some(())
    }

    fn invoice(&mut self, row: &Row, line: u64, pool: u32, future: bool) -> Option<()> {
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
        self.invoices.push(Rec {
            fp_lo: fp.0,
            fp_hi: fp.1,
            net_due: ((row.amount as u64) << 16) | u64::from(row.due),
            pool_future: (pool << 8) | u32::from(future),
            date: row.date,
        });
        Some(())
    }

    /// Sorts the lists for [`follow_all`] and the check of repeated credits.
    pub(super) fn sort(&mut self) {
        self.invoices.sort_unstable_by_key(Rec::fp);
        self.refs.sort_unstable_by_key(Ref::key);
        self.credit_ids.sort_unstable();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoices_and_references_pack_into_26_and_28_bytes_and_read_back() {
        assert_eq!(std::mem::size_of::<Rec>(), 26);
        assert_eq!(std::mem::size_of::<Ref>(), 28);
        let mut rec = Rec {
            fp_lo: 7,
            fp_hi: 9,
            net_due: (((1i64 << 47) - 1) as u64) << 16 | 65_535,
            pool_future: ((MAX_POOLS as u32 - 1) << 8) | 1,
            date: 65_535,
        };
        assert_eq!(rec.net(), (1 << 47) - 1);
        let read = (rec.due(), rec.pool(), rec.future(), rec.date());
        assert_eq!(read, (65_535, (1 << 24) - 1, true, 65_535));
        rec.set_net(5);
        rec.set_pool(2);
        let read = (rec.net(), rec.due(), rec.date(), rec.pool(), rec.future());
        assert_eq!(read, (5, 65_535, 65_535, 2, true));
        assert_eq!(rec.fp(), Fp(7, 9));
        let r = Ref {
            fp_lo: 1,
            fp_hi: 2,
            value_day: (((1u64 << 47) - 1) << 16) | 3,
            line: 4,
            pool: 5,
        };
        assert_eq!((r.key(), r.value()), ((Fp(1, 2), 3, 4), (1 << 47) - 1));
    }
}
