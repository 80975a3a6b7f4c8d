//! One part of a native ledger summed up as it is read: per invoice 24 bytes for the aging
//! by due date ([`Due`]: its id's fingerprint, open balance, due date, pool) and 32 for
//! everything else ([`Rec`]: the issue date and the offset of its line too), per
//! credit with a reference 29 bytes (the fingerprint it names, its pool, date, offset, kind
//! and value), per credit 8 more (a hash of its id, by kind); for open items and
//! risk, 20 bytes per credit a pool holds ([`Lump`]), and the payment history of invoices
//! their references close. Nothing is looked up while reading but the customer:
//! references are followed once the whole file is read, invoices and references sorted by
//! fingerprint and walked side by side ([`follow_all`]), which reads memory in order, the
//! lower and upper fingerprints on the two cores ([`follow_both`]); or, when the lists
//! were written out (`super::spill`), one partition of fingerprints at a time.
//!
//! Exactness, step by step, against the engine (`allocate`):
//! - an invoice's references are followed in (date, line), as the engine takes credits;
//! - what an invoice's references leave open, and what each pool holds, do not depend on
//!   the order of anything else; the pool then pays the open invoices oldest first
//!   (`super::age_rows`, or credit by credit in `super::settle`);
//! - credits are ordered by the offset of their line, which is the order of lines;
//! - ids are compared by a 96-bit fingerprint ([`fingerprint`]: for an id of a series,
//!   its number exactly and 61 bits of a hash of its series; for any other id, 95 bits of
//!   hashes). Two invoices with the same fingerprint (a duplicate id, or the same
//!   fingerprint by chance) and two credits of a kind with the same 64-bit hash send the run to
//!   the exact path; a reference to an id that does not exist would match an invoice only
//!   if their series' hashes agreed (chance about pairs of series / 2^61) or, for ids of
//!   no series, their hashes (references × invoices / 2^95: 10^-15 for ten million of
//!   each).

use std::hash::BuildHasher;

use super::records::{
    self as records, At, Due, Fp, Invoice, Lump, MAX_OFFSET, MAX_POOLS, Rec, Ref, fingerprint,
};
use super::row::{self, Row};
use super::spill::{self, List, Spill};
use crate::allocate::RefIssue;
use crate::model::{CustomerId, DocKind, Text};
use crate::money::Currency;

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

/// The pools of credit: each (customer, currency), the hundredths of credit it holds and
/// whether it has a document dated by the as-of date.
#[derive(Default)]
pub(super) struct Pools {
    number: crate::Map<(u32, Currency), u32>,
    /// By customer number: the pool of the currency other than its first that it met
    /// first, if any (a row in it looks it up here, not in `number`, a table too big for
    /// the caches, missed twice: 2 % of rows took 2.7 % of a 10M aging).
    second: Vec<Option<(Currency, u32)>>,
    pub of: Vec<(u32, Currency)>,
    pub credit: Vec<i128>,
    pub dated: Vec<bool>,
    /// Kept only when a run lists open items or grades risk.
    pub kept: Option<Kept>,
}

/// What a run that lists open items or grades risk keeps beyond the sums.
#[derive(Default)]
pub(super) struct Kept {
    /// The credit the pools hold, credit by credit.
    pub lumps: Vec<Lump>,
    /// The first day a payment counts in the payment history; none when no history is kept
    /// (open items need none: only risk grades by it).
    pub since: Option<u16>,
    /// Per pool: the payment history of the invoices their references closed.
    pub history: Vec<History>,
    /// Invoices their references paid in part and left open, by (pool, offset): their
    /// amount and the day of the last payment applied ([`Rec::touched`] tells which).
    pub touched: crate::Map<(u32, u64), (i64, Option<u16>)>,
    /// Closed invoices waiting to be added to `history`: pool, amount, due and paid days.
    pending: Vec<(u32, i64, u16, u16)>,
}

/// How late a pool's invoices were settled by payment (see `risk::history`), in hundredths.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct History {
    pub settled: u64,
    pub late: u64,
    /// Σ amount × days late, and Σ amount.
    pub weighted: i128,
    pub weight: i128,
}

impl History {
    /// An invoice of `amount` due on day `due`, closed by a payment of day `paid`.
    fn add(&mut self, amount: i64, due: u16, paid: u16) {
        let late = i128::from(paid.saturating_sub(due));
        self.settled += 1;
        self.late += u64::from(late > 0);
        self.weighted += i128::from(amount) * late;
        self.weight += i128::from(amount);
    }

    /// An invoice of `amount` due on day `due`, closed; it counts when a payment of day
    /// `paid`, on or after day `since`, closed it.
    pub(super) fn closed(&mut self, since: u16, amount: i64, due: u16, paid: Option<u16>) {
        if let Some(paid) = paid.filter(|&d| d >= since) {
            self.add(amount, due, paid);
        }
    }

    pub(super) fn join(&mut self, other: &History) {
        self.settled += other.settled;
        self.late += other.late;
        self.weighted += other.weighted;
        self.weight += other.weight;
    }
}

impl Kept {
    /// A closed invoice's history, when a payment in the window closed it: added with the
    /// next ones, [`PENDING`] at a time (see [`Kept::flush`]).
    fn closed(&mut self, pool: u32, amount: i64, due: u16, paid: Option<u16>) {
        let Some(since) = self.since else {
            return;
        };
        if let Some(paid) = paid.filter(|&d| d >= since) {
            self.pending.push((pool, amount, due, paid));
            if self.pending.len() == PENDING {
                self.flush();
            }
        }
    }

    /// Adds the closed invoices waiting to their pools' histories, their places read
    /// together first (the histories are a table too big for the caches, met in no order:
    /// their misses overlap instead of coming one by one).
    fn flush(&mut self) {
        let mut seen = 0;
        for &(pool, ..) in &self.pending {
            seen ^= self.history.get(pool as usize).map_or(0, |h| h.settled);
        }
        std::hint::black_box(seen);
        for (pool, amount, due, paid) in self.pending.drain(..) {
            let pool = pool as usize;
            if self.history.len() <= pool {
                self.history.resize(pool + 1, History::default());
            }
            self.history[pool].add(amount, due, paid);
        }
    }
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
        self.dated.push(false);
        Some(n)
    }

    /// [`Pools::get`] for a currency other than the customer's first.
    fn other(&mut self, customer: u32, currency: Currency) -> Option<u32> {
        let at = customer as usize;
        if let Some(Some((c, pool))) = self.second.get(at)
            && *c == currency
        {
            return Some(*pool);
        }
        let pool = self.get(customer, currency)?;
        if self.second.len() <= at {
            self.second.resize(at + 1, None);
        }
        self.second[at].get_or_insert((currency, pool));
        Some(pool)
    }

    /// `value` of credit joins pool `pool`.
    fn pay_in(&mut self, pool: u32, value: i64, lump: impl FnOnce() -> Lump) {
        self.credit[pool as usize] += i128::from(value);
        if let Some(kept) = &mut self.kept {
            kept.lumps.push(lump());
        }
    }

    /// Follows reference `r` to invoice `rec`, as the engine does; what it applied.
    fn follow(&mut self, rec: &mut impl Invoice, r: &Ref, counts: &mut Counts) -> i64 {
        let issue = if rec.future() {
            Some(RefIssue::Unknown)
        } else if rec.pool() == r.pool() {
            // A pool is one (customer, currency): nothing to look up (the table of pools
            // is too big for the caches, and nearly every reference names its own pool's
            // invoice).
            None
        } else {
            let (invoice, credit) = (self.of[rec.pool() as usize], self.of[r.pool() as usize]);
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
            self.pay_in(r.pool(), value, || r.lump(value));
            return 0;
        }
        let open = rec.net();
        let applied = open.min(value);
        rec.set_net(open - applied);
        if value > applied {
            counts.refs[slot(RefIssue::Overpaid)] += 1;
            self.pay_in(r.pool(), value - applied, || r.lump(value - applied));
        }
        applied
    }

    /// Pools of the same numbers and customers, holding nothing: for references followed
    /// on the other core.
    fn shell(&self) -> Pools {
        Pools {
            number: crate::Map::default(),
            second: Vec::new(),
            of: self.of.clone(),
            credit: vec![0; self.credit.len()],
            dated: Vec::new(),
            kept: (self.kept.as_ref()).map(|k| Kept {
                since: k.since,
                ..Kept::default()
            }),
        }
    }

    /// What `other` (a [`Pools::shell`] of these) took in, taken in.
    fn absorb(&mut self, other: Pools) {
        for (credit, more) in self.credit.iter_mut().zip(other.credit) {
            *credit += more;
        }
        if let (Some(kept), Some(more)) = (&mut self.kept, other.kept) {
            debug_assert!(
                kept.pending.is_empty() && more.pending.is_empty(),
                "flushed"
            );
            kept.lumps.extend(more.lumps);
            if kept.history.len() < more.history.len() {
                kept.history.resize(more.history.len(), History::default());
            }
            for (history, more) in kept.history.iter_mut().zip(&more.history) {
                history.join(more);
            }
            kept.touched.extend(more.touched);
        }
    }

    /// A reference whose invoice does not exist.
    fn unknown(&mut self, r: &Ref, counts: &mut Counts) {
        counts.refs[slot(RefIssue::Unknown)] += 1;
        self.pay_in(r.pool(), r.value(), || r.lump(r.value()));
    }
}

/// How many additions to tables too big for the caches wait to be made together
/// ([`Ages`], [`Kept`]): their places are read first, all of them, so that their cache
/// misses overlap.
const PENDING: usize = 64;

/// What each pool's open invoices hold in each aging bucket before the pool pays them, for
/// the aging by due date: the pool then pays them bucket by bucket, the oldest first
/// (`super::age_rows`), which is the order of due dates.
pub(super) struct Ages {
    /// The bucket of an invoice by its due day.
    of_due: Vec<u8>,
    buckets: usize,
    /// Per pool, `buckets` sums in hundredths (64 bits: half the memory to miss in).
    sums: Vec<i64>,
    /// Whether a sum went past 64 bits.
    overflow: bool,
    /// Sums to add to, and what: added [`PENDING`] at a time, their places read together
    /// first (the sums are a table too big for the caches, met in no order; 10M aging,
    /// the walk 0.30-0.48 s to 0.16 s).
    pending: Vec<(usize, i64)>,
}

impl Ages {
    /// `of_due`: the bucket of each due day (every day number, 0 to `u16::MAX`), of
    /// `buckets` buckets (at most 256); for `pools` pools.
    pub(super) fn new(of_due: Vec<u8>, buckets: usize, pools: usize) -> Option<Ages> {
        if of_due.len() != 1 << 16 {
            return None;
        }
        let mut sums = Vec::new();
        sums.try_reserve_exact(pools.checked_mul(buckets)?).ok()?;
        sums.resize(pools * buckets, 0);
        Some(Ages {
            of_due,
            buckets,
            sums,
            overflow: false,
            pending: Vec::with_capacity(PENDING),
        })
    }

    /// Ages of the same buckets and pools, holding nothing.
    fn empty(&self) -> Ages {
        Ages {
            of_due: self.of_due.clone(),
            buckets: self.buckets,
            sums: vec![0; self.sums.len()],
            overflow: false,
            pending: Vec::with_capacity(PENDING),
        }
    }

    /// An invoice whose references are followed: what it holds open, if it is dated by the
    /// as-of date.
    fn add(&mut self, rec: &impl Invoice) {
        if rec.future() || rec.net() == 0 {
            return;
        }
        let bucket = usize::from(self.of_due[usize::from(rec.due())]);
        self.pending
            .push((rec.pool() as usize * self.buckets + bucket, rec.net()));
        if self.pending.len() == PENDING {
            self.flush();
        }
    }

    /// Adds what waits to be added.
    fn flush(&mut self) {
        let mut seen = 0;
        for &(at, _) in &self.pending {
            seen ^= self.sums.get(at).copied().unwrap_or_default();
        }
        std::hint::black_box(seen);
        for (at, net) in self.pending.drain(..) {
            let sum = &mut self.sums[at];
            let (total, overflow) = sum.overflowing_add(net);
            *sum = total;
            self.overflow |= overflow;
        }
    }

    fn join(&mut self, other: &Ages) {
        debug_assert!(
            self.pending.is_empty() && other.pending.is_empty(),
            "flushed"
        );
        for (sum, more) in self.sums.iter_mut().zip(&other.sums) {
            let (total, overflow) = sum.overflowing_add(*more);
            *sum = total;
            self.overflow |= overflow;
        }
        self.overflow |= other.overflow;
    }

    /// Pool `pool`'s sums, by bucket.
    pub(super) fn of(&self, pool: usize) -> &[i64] {
        debug_assert!(self.pending.is_empty(), "flushed");
        &self.sums[pool * self.buckets..(pool + 1) * self.buckets]
    }

    /// Whether a sum went past 64 bits (the exact path then reads the file).
    pub(super) fn overflowed(&self) -> bool {
        self.overflow
    }
}

/// [`follow_all`] on both cores: the lists cut at the fingerprint of the first list's
/// middle invoice, each half followed on its own core (the second into pools of its own),
/// then joined. An invoice and the references to it fall in the same half; a pool's credit
/// and history are sums, and its credits are put in order later, so the result is the
/// same; so are the [`Ages`], when they are taken.
pub(super) fn follow_both<R: Invoice>(
    [a, b]: [&mut [R]; 2],
    refs: [&[Ref]; 2],
    pools: &mut Pools,
    counts: &mut Counts,
    ages: Option<&mut Ages>,
) -> Option<()> {
    let Some(pivot) = middle(a, b) else {
        return follow_all([a, b], refs, pools, counts, ages);
    };
    let (a_low, a_high) = a.split_at_mut(a.partition_point(|r| r.fp() < pivot));
    let (b_low, b_high) = b.split_at_mut(b.partition_point(|r| r.fp() < pivot));
    let [ra, rb] = refs.map(|r| r.split_at(r.partition_point(|x| x.key().0 < pivot)));
    let ((ra_low, ra_high), (rb_low, rb_high)) = (ra, rb);
    let follow = |invoices, refs| {
        move |pools: &mut Pools, counts: &mut Counts, ages: Option<&mut Ages>| {
            follow_all(invoices, refs, pools, counts, ages)
        }
    };
    on_both_cores(
        pools,
        counts,
        ages,
        follow([a_low, b_low], [ra_low, rb_low]),
        follow([a_high, b_high], [ra_high, rb_high]),
    )
}

/// `here` on this core into `pools`, `counts` and `ages`, and `there` on the other into
/// pools, counts and ages of its own (a [`Pools::shell`] of these, holding nothing), then
/// taken in; `None` when either gave up. Each must follow references to invoices the other
/// does not hold: what they add to a pool, the counts and the ages are sums, and a pool's
/// credits are put in order later.
pub(super) fn on_both_cores(
    pools: &mut Pools,
    counts: &mut Counts,
    mut ages: Option<&mut Ages>,
    here: impl FnOnce(&mut Pools, &mut Counts, Option<&mut Ages>) -> Option<()>,
    there: impl FnOnce(&mut Pools, &mut Counts, Option<&mut Ages>) -> Option<()> + Send,
) -> Option<()> {
    let mut other = pools.shell();
    let mut other_counts = Counts::default();
    let mut other_ages = ages.as_deref().map(Ages::empty);
    let (theirs, their_counts) = (&mut other, &mut other_counts);
    let their_ages = other_ages.as_mut();
    let ours = ages.as_deref_mut();
    let (here, there) = crate::both(
        || here(pools, counts, ours),
        move || there(theirs, their_counts, their_ages),
    );
    here.and(there)?;
    pools.absorb(other);
    for (count, more) in counts.refs.iter_mut().zip(other_counts.refs) {
        *count += more;
    }
    if let (Some(ages), Some(more)) = (ages, other_ages) {
        ages.join(&more);
    }
    Some(())
}

/// The fingerprint that cuts two sorted lists of invoices in halves (the middle one of
/// both, found by bisection): the parts' invoices may lie apart (each part's ids in
/// order), so the middle of one list may cut both far from their middle. `None` when both
/// are empty.
fn middle<R: Invoice>(a: &[R], b: &[R]) -> Option<Fp> {
    let k = (a.len() + b.len()) / 2;
    // The least `i` such that the first `i` of `a` and the first `k - i` of `b` are the
    // `k` least of both.
    let (mut low, mut high) = (k.saturating_sub(b.len()), k.min(a.len()));
    while low < high {
        let i = low + (high - low) / 2;
        if b[k - i - 1].fp() > a[i].fp() {
            low = i + 1;
        } else {
            high = i;
        }
    }
    let (i, j) = (low, k - low);
    let [x, y] = [a.get(i), b.get(j)].map(|r| r.map(R::fp));
    match (x, y) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

/// Follows every reference: `invoices` and `refs` are two lists each, sorted by
/// fingerprint (and references then by date and line), walked side by side in order (on a
/// tie, the first list first); with `ages`, each invoice left open, dated by the as-of
/// date, is added to them once its references are followed. `None` when two invoices have
/// the same fingerprint.
pub(super) fn follow_all<R: Invoice>(
    mut invoices: [&mut [R]; 2],
    refs: [&[Ref]; 2],
    pools: &mut Pools,
    counts: &mut Counts,
    mut ages: Option<&mut Ages>,
) -> Option<()> {
    let mut inv = [0usize; 2];
    let mut at = [0usize; 2];
    // The list holding the least invoice not passed yet.
    let least = |inv: &[usize; 2], invoices: &[&mut [R]; 2]| {
        let [a, b] = [0, 1].map(|l| invoices[l].get(inv[l]).map(R::fp));
        least_of(a, b)
    };
    let mut current = least(&inv, &invoices);
    let mut last: Option<Fp> = None;
    let mut touching: Option<Touched> = None;
    // Passes the current invoice; `None` when it has the fingerprint of the one before.
    let mut pass = |l: usize, inv: &mut [usize; 2], invoices: &[&mut [R]; 2]| {
        let rec = &invoices[l][inv[l]];
        let here = rec.fp();
        if last.replace(here) == Some(here) {
            return None;
        }
        if let Some(ages) = ages.as_deref_mut() {
            ages.add(rec);
        }
        inv[l] += 1;
        Some(least(inv, invoices))
    };
    loop {
        let [a, b] = [0, 1].map(|l| refs[l].get(at[l]).map(Ref::key));
        let Some(list) = least_of(a, b) else {
            break;
        };
        let r = &refs[list][at[list]];
        at[list] += 1;
        let fp = r.key().0;
        while let Some(l) = current.filter(|&l| invoices[l][inv[l]].fp() < fp) {
            current = pass(l, &mut inv, &invoices)?;
        }
        match current {
            Some(l) if invoices[l][inv[l]].fp() == fp => {
                if let Some(t) = touching.take_if(|t| (t.list, t.at) != (l, inv[l])) {
                    t.done(&mut invoices, pools);
                }
                let rec = &mut invoices[l][inv[l]];
                let t = touching.get_or_insert(Touched {
                    list: l,
                    at: inv[l],
                    amount: rec.net(),
                    paid: None,
                });
                let applied = pools.follow(rec, r, counts);
                if applied > 0 && r.key().2.kind() == DocKind::Payment {
                    t.paid = Some(r.day());
                }
            }
            _ => pools.unknown(r, counts),
        }
    }
    if let Some(t) = touching {
        t.done(&mut invoices, pools);
    }
    while let Some(l) = current {
        current = pass(l, &mut inv, &invoices)?;
    }
    if let Some(ages) = ages {
        ages.flush();
    }
    if let Some(kept) = &mut pools.kept {
        kept.flush();
    }
    Some(())
}

/// Which of two lists' next items comes first (the first list's on a tie), or `None` when
/// both are done.
fn least_of<K: Ord>(a: Option<K>, b: Option<K>) -> Option<usize> {
    match (a, b) {
        (Some(a), Some(b)) => Some(usize::from(b < a)),
        (Some(_), None) => Some(0),
        (None, Some(_)) => Some(1),
        (None, None) => None,
    }
}

/// An invoice references went to: where it is, its amount before them, and the day of the
/// last payment applied to it.
#[derive(Clone, Copy)]
struct Touched {
    list: usize,
    at: usize,
    amount: i64,
    paid: Option<u16>,
}

impl Touched {
    /// Its references followed: a closed invoice's history, or what a pool needs of an
    /// invoice left open (kept only for open items and risk).
    fn done<R: Invoice>(self, invoices: &mut [&mut [R]; 2], pools: &mut Pools) {
        let Some(kept) = &mut pools.kept else {
            return;
        };
        let rec = &mut invoices[self.list][self.at];
        if rec.net() == 0 {
            kept.closed(rec.pool(), self.amount, rec.due(), self.paid);
        } else if rec.net() != self.amount && kept.since.is_some() {
            let key = (rec.pool(), rec.at());
            kept.touched.insert(key, (self.amount, self.paid));
            rec.set_touched();
        }
    }
}

/// A customer, as a row finds it: a 96-bit fingerprint of its id (two customers are one
/// only if all 96 bits agree, as for invoice ids), its number, the pool of its first
/// currency, and the day, hash and length of the name of its latest document dated by the
/// as-of date that has one (on a tie, the greater name): a row with the same name, as
/// nearly every row is, reads nothing more. 32 bytes, aligned, two to a cache line; the
/// texts are kept apart by number.
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Customer {
    /// 0 for an empty slot (a hash of 0 is taken as 1).
    hash: u64,
    name_hash: u64,
    fp: u32,
    currency: Currency,
    /// The name's length (at most `u8::MAX`).
    name_len: u8,
    /// Number (24 bits), first pool (24) and name day (16).
    packed: u64,
}

impl Customer {
    const EMPTY: Customer = Customer {
        hash: 0,
        name_hash: 0,
        fp: 0,
        currency: Currency::XXX,
        name_len: 0,
        packed: 0,
    };

    fn number(&self) -> u32 {
        (self.packed >> 40) as u32
    }

    fn first_pool(&self) -> u32 {
        (self.packed >> 16) as u32 & 0xff_ffff
    }

    fn name_day(&self) -> u16 {
        self.packed as u16
    }

    fn set_name_day(&mut self, day: u16) {
        self.packed = (self.packed & !0xffff) | u64::from(day);
    }
}

/// The customers of a part by their id's hash: open addressing, at most half full. A
/// customer is then most often in the slot it is looked for in first, the one a batch of
/// rows reads ahead together ([`Book::look_ahead`]); four fifths full (8 MiB a part at
/// 200k customers instead of 16), it was often a slot or two further, in another cache
/// line, read from memory one row at a time (in a 10M aging, the look-up and the
/// look-ahead took 21-22 % of the CPU samples instead of 18-19 %).
struct Customers {
    slots: Vec<Customer>,
    len: usize,
}

impl Customers {
    fn new() -> Customers {
        Customers {
            slots: vec![Customer::EMPTY; 1024],
            len: 0,
        }
    }

    /// The slot of the customer with `hash` and `fp`, or the empty one where it goes.
    fn slot(&self, hash: u64, fp: u32) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = (hash >> 32) as usize & mask;
        loop {
            let c = &self.slots[i];
            if c.hash == 0 || (c.hash == hash && c.fp == fp) {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// Adds `c`, which is not there yet.
    fn insert(&mut self, c: Customer) -> usize {
        if (self.len + 1) * 2 > self.slots.len() {
            let bigger = vec![Customer::EMPTY; self.slots.len() * 2];
            let old = std::mem::replace(&mut self.slots, bigger);
            for c in old.into_iter().filter(|c| c.hash != 0) {
                let i = self.slot(c.hash, c.fp);
                self.slots[i] = c;
            }
        }
        let i = self.slot(c.hash, c.fp);
        self.slots[i] = c;
        self.len += 1;
        i
    }

    fn iter(&self) -> impl Iterator<Item = &Customer> {
        self.slots.iter().filter(|c| c.hash != 0)
    }
}

/// A customer id's hashes, seeded: the table's hash and 32 more bits.
#[derive(Clone, Copy, Default)]
pub(super) struct CustomerKey {
    hash: u64,
    fp: u32,
}

impl CustomerKey {
    pub(super) fn of(id: &[u8]) -> CustomerKey {
        let a = foldhash::quality::FixedState::with_seed(0x4528_21e6_38d0_1377).hash_one(id);
        let b = foldhash::quality::FixedState::with_seed(0xc0ac_29b7_c97c_50dd).hash_one(id);
        CustomerKey {
            hash: a.max(1),
            fp: b as u32,
        }
    }
}

/// Seeded for names; a name's length is compared too.
fn name_hash(name: &[u8]) -> u64 {
    foldhash::quality::FixedState::with_seed(0xbe54_66cf_34e9_0c6c).hash_one(name)
}

/// Sums per currency in a short list (a ledger has a few currencies), the one used last
/// looked at first: rows add to them one by one.
#[derive(Default)]
pub(super) struct Sums {
    list: Vec<(Currency, i128)>,
    last: usize,
}

impl Sums {
    pub(super) fn add(&mut self, currency: Currency, value: i128) {
        if let Some(sum) = self.list.get_mut(self.last)
            && sum.0 == currency
        {
            sum.1 += value;
            return;
        }
        match self.list.iter().position(|s| s.0 == currency) {
            Some(i) => {
                self.last = i;
                self.list[i].1 += value;
            }
            None => {
                self.last = self.list.len();
                self.list.push((currency, value));
            }
        }
    }

    /// Each currency's sum, in the order first met.
    pub(super) fn iter(&self) -> impl Iterator<Item = (Currency, i128)> + '_ {
        self.list.iter().copied()
    }
}

/// A part of a ledger, summed up, its invoices kept as `R`.
pub(super) struct Book<R = Rec> {
    /// The as-of date's day number.
    as_of: u16,
    customers: Customers,
    /// Each customer's id and name, by number.
    texts: Vec<(Text, Text)>,
    pub pools: Pools,
    pub invoices: Vec<R>,
    pub refs: Vec<Ref>,
    /// 64-bit hashes of the ids of the payments and of the credit notes dated by the as-of
    /// date ([`records::id_hash`]; not the fingerprint's ordered key, which keeps 29 bits of
    /// a series' name: with a series per customer, two would look alike).
    pub credit_ids: super::CreditIds,
    /// The series of the invoice ids (kept only for open items and risk).
    pub series: records::Series,
    /// Where the lists are written out, when they are (`super::spill`).
    pub spill: Option<Spill>,
    /// How many items a list holds before all are written out (when they are).
    pub flush: usize,
    pub counts: Counts,
    /// Per currency, in hundredths: invoiced − credited, dated by the as-of date.
    pub net_in: Sums,
    /// Per currency, in hundredths: every amount + withholding + discount read.
    pub read_total: Sums,
}

impl<R: Invoice> Book<R> {
    /// A book for a part of `bytes` bytes, as of day `as_of`: its lists are reserved for
    /// as many rows as the part could hold (pages never written take no memory), so that
    /// they never move; `None` when that much cannot be reserved.
    /// With `keep` (holding the first day of the payment history, for risk), it keeps what
    /// open items and risk need too. With `spill`, its lists are written out there once one
    /// holds `flush` items (checked after each batch of lines: they are reserved for a batch
    /// more).
    pub(super) fn new(
        as_of: u16,
        bytes: u64,
        keep: Option<Option<u16>>,
        spill: Option<(Spill, usize)>,
    ) -> Option<Book<R>> {
        if keep.is_some() && !R::KEEPS {
            return None;
        }
        let (spill, flush) = spill.unzip();
        let rows = match flush {
            Some(flush) => flush + super::BATCH,
            None => usize::try_from(bytes / 30 + 1).ok()?,
        };
        let kept = keep.map(|since| Kept {
            since,
            ..Kept::default()
        });
        let mut book = Book {
            as_of,
            customers: Customers::new(),
            texts: Vec::new(),
            pools: Pools {
                kept,
                ..Pools::default()
            },
            invoices: Vec::new(),
            refs: Vec::new(),
            credit_ids: [Vec::new(), Vec::new()],
            series: records::Series::default(),
            spill,
            flush: flush.unwrap_or(usize::MAX),
            counts: Counts::default(),
            net_in: Sums::default(),
            read_total: Sums::default(),
        };
        book.invoices.try_reserve_exact(rows).ok()?;
        book.refs.try_reserve_exact(rows).ok()?;
        for ids in &mut book.credit_ids {
            ids.try_reserve_exact(rows).ok()?;
        }
        Some(book)
    }

    /// The number and pool of customer `id` in `currency`, taking `name` (dated) as its
    /// name if it is the latest.
    fn customer(
        &mut self,
        id: &[u8],
        currency: Currency,
        name: Option<(u16, &[u8])>,
    ) -> Option<(u32, u32)> {
        self.customer_keyed(CustomerKey::of(id), id, currency, name)
    }

    /// The first slot customer `key` looks at, read: rows read in a batch read theirs
    /// first, together, so that their cache misses overlap instead of coming one by one.
    pub(super) fn look_ahead(&self, key: CustomerKey) -> u64 {
        let mask = self.customers.slots.len() - 1;
        self.customers.slots[(key.hash >> 32) as usize & mask].hash
    }

    /// The credit of customer `key`'s first pool, read (after [`Book::look_ahead`]: the
    /// pools' credits are another table too big for the caches).
    pub(super) fn look_ahead_pool(&self, key: CustomerKey) -> u64 {
        let c = &self.customers.slots[self.customers.slot(key.hash, key.fp)];
        let credit = self.pools.credit.get(c.first_pool() as usize);
        credit.map_or(0, |&v| v as u64)
    }

    /// [`Book::customer`] with the id's key already computed.
    fn customer_keyed(
        &mut self,
        CustomerKey { hash, fp }: CustomerKey,
        id: &[u8],
        currency: Currency,
        name: Option<(u16, &[u8])>,
    ) -> Option<(u32, u32)> {
        let mut at = self.customers.slot(hash, fp);
        if self.customers.slots[at].hash == 0 {
            let number = self.texts.len() as u32;
            let pool = self.pools.get(number, currency)?;
            self.texts
                .push((Text::from(row::text(id)?), Text::default()));
            at = self.customers.insert(Customer {
                hash,
                name_hash: name_hash(b""),
                fp,
                currency,
                name_len: 0,
                packed: (u64::from(number) << 40) | (u64::from(pool) << 16),
            });
        }
        let customer = &mut self.customers.slots[at];
        if let Some((day, name)) = name.filter(|(day, _)| *day >= customer.name_day()) {
            let (hash, len) = (name_hash(name), u8::try_from(name.len()).unwrap_or(u8::MAX));
            if hash == customer.name_hash && len == customer.name_len {
                customer.set_name_day(day);
            } else {
                let text = &mut self.texts[customer.number() as usize].1;
                if (day, name) > (customer.name_day(), text.as_bytes()) {
                    *text = Text::from(row::text(name)?);
                    (customer.name_hash, customer.name_len) = (hash, len);
                    customer.set_name_day(day);
                }
            }
        }
        let number = customer.number();
        if customer.currency == currency {
            return Some((number, customer.first_pool()));
        }
        Some((number, self.pools.other(number, currency)?))
    }

    /// Each customer's id and name (empty for none), by number, borrowed.
    pub(super) fn customer_texts(&self) -> &[(Text, Text)] {
        &self.texts
    }

    /// Each customer's id and name (empty for none), by number, taken.
    pub(super) fn take_customer_texts(&mut self) -> Vec<(Text, Text)> {
        std::mem::take(&mut self.texts)
    }

    /// Each customer's rank among the customers by id, by number.
    pub(super) fn customer_ranks(&self) -> Vec<u32> {
        let ids = self.texts.iter().enumerate();
        crate::aging::rank_customers(
            ids.map(|(n, (id, _))| (CustomerId(id.clone()), n))
                .collect(),
        )
    }

    /// Each customer's id, name (with its day; empty for none) and first currency, by
    /// number, borrowed.
    pub(super) fn customers_by_number(
        &self,
    ) -> impl Iterator<Item = (&Text, (u16, &Text), Currency)> {
        let mut facts = vec![None; self.texts.len()];
        for c in self.customers.iter() {
            facts[c.number() as usize] = Some((c.name_day(), c.currency));
        }
        (self.texts.iter().zip(facts)).filter_map(|((id, name), facts)| {
            let (day, currency) = facts?;
            Some((id, (day, name), currency))
        })
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
        let name = name.map(|(day, name)| (day, name.as_bytes()));
        self.customer(id.as_bytes(), currency, name).map(|(n, _)| n)
    }

    /// Takes in one row read at `line`, from offset `at` of the file; `None` when the exact
    /// path must read the file.
    /// `key`: the customer id's ([`CustomerKey::of`]).
    pub(super) fn add(&mut self, row: &Row, key: CustomerKey, line: u64, at: u64) -> Option<()> {
        if at > MAX_OFFSET >> 1 {
            return None;
        }
        let future = row.date > self.as_of;
        let name = (!future && !row.name.is_empty()).then_some((row.date, row.name));
        let (_, pool) = self.customer_keyed(key, row.customer, row.currency, name)?;
        self.counts.rows += 1;
        self.read_total.add(row.currency, i128::from(row.value));
        if !future {
            self.pools.dated[pool as usize] = true;
        }
        if row.kind == DocKind::Invoice {
            return self.invoice(row, line, at, pool, future);
        }
        if future {
            self.counts.future += 1;
            return Some(());
        }
        let kind = usize::from(row.kind == DocKind::CreditNote);
        self.credit_ids[kind].push(records::id_hash(row.id));
        self.net_in.add(row.currency, -i128::from(row.value));
        let value_day = ((row.value as u64) << 16) | u64::from(row.date);
        let at = At::new(at, row.kind);
        if row.reference.is_empty() {
            let lump = || Lump::new(value_day, at, pool);
            self.pools.pay_in(pool, row.value, lump);
            return Some(());
        }
        self.refs
            .push(Ref::new(fingerprint(row.reference), value_day, at, pool));
        Some(())
    }

    fn invoice(&mut self, row: &Row, line: u64, at: u64, pool: u32, future: bool) -> Option<()> {
        if row.due < row.date {
            self.counts.due_before_issue.0 += 1;
            self.counts.due_before_issue.1.get_or_insert(line);
        }
        if future {
            self.counts.future += 1;
        } else {
            self.net_in.add(row.currency, i128::from(row.amount));
        }
        let fp = fingerprint(row.id);
        if self.pools.kept.is_some() {
            self.series.note(row.id, fp)?;
        }
        let head = Due::new(fp, row.amount, row.due, pool, future);
        self.invoices.push(R::new(head, row.date, at));
        Some(())
    }

    /// Writes out the lists that hold `flush` items, when they are spilled.
    pub(super) fn spill_full(&mut self) -> Option<()> {
        let lumps = self.pools.kept.as_ref().map_or(0, |k| k.lumps.len());
        let full = self.invoices.len() >= self.flush
            || self.refs.len() >= self.flush
            || self.credit_ids.iter().any(|ids| ids.len() >= self.flush)
            || lumps >= self.flush;
        if full && self.spill.is_some() {
            self.spill_all()?;
        }
        Some(())
    }

    /// Writes out every list.
    fn spill_all(&mut self) -> Option<()> {
        let spill = self.spill.as_mut()?;
        spill.put(List::Invoices, &mut self.invoices, |r| spill::of_fp(r.fp()))?;
        spill.put(List::Refs, &mut self.refs, |r| spill::of_fp(r.key().0))?;
        let [payments, notes] = &mut self.credit_ids;
        spill.put(List::Payments, payments, spill::of_id)?;
        spill.put(List::CreditNotes, notes, spill::of_id)?;
        // The pools' credits in one partition: their pools are not numbered for good yet
        // (a second part's are renumbered when joined); they are put in their pools'
        // partitions once the references are followed.
        match &mut self.pools.kept {
            Some(kept) => spill.put(List::Lumps, &mut kept.lumps, |_| 0),
            None => Some(()),
        }
    }

    /// The part read: its lists written out, when they are spilled, or else sorted for
    /// [`follow_all`] and the check of repeated credits.
    pub(super) fn finish(&mut self) -> Option<()> {
        if self.spill.is_some() {
            self.spill_all()?;
            self.spill.as_mut()?.written();
            return Some(());
        }
        self.invoices.sort_unstable_by_key(R::fp);
        records::sort_refs(&mut self.refs);
        for ids in &mut self.credit_ids {
            ids.sort_unstable();
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_per_currency_add_up_whatever_the_order() {
        let [cop, usd, eur] = ["COP", "USD", "EUR"].map(|c| Currency::parse(c).unwrap());
        let mut sums = Sums::default();
        for (currency, value) in [(cop, 5), (usd, 7), (usd, -2), (eur, 1), (cop, 10), (eur, 1)] {
            sums.add(currency, value);
        }
        assert_eq!(
            sums.iter().collect::<Vec<_>>(),
            [(cop, 15), (usd, 5), (eur, 2)]
        );
    }

    #[test]
    fn customers_are_found_again_as_the_table_grows_and_keep_their_latest_name() {
        let (cop, usd) = (
            Currency::parse("COP").unwrap(),
            Currency::parse("USD").unwrap(),
        );
        let mut book: Book = Book::new(100, 1000, None, None).unwrap();
        let id = |n: u32| format!("C-{n}");
        for n in 0..5000 {
            let name = format!("Name {n}");
            let got = book.customer(id(n).as_bytes(), cop, Some((10, name.as_bytes())));
            assert_eq!(got, Some((n, n)));
        }
        for n in (0..5000).rev() {
            // An older name is not taken, a later one is; a second currency has a pool
            // of its own.
            assert_eq!(
                book.customer(id(n).as_bytes(), cop, Some((9, b"Old"))),
                Some((n, n))
            );
            let later = (n % 2 == 0).then_some((11, &b"Later"[..]));
            assert_eq!(
                book.customer(id(n).as_bytes(), usd, later),
                Some((n, 5000 + 4999 - n))
            );
        }
        let list: Vec<_> = book.customers_by_number().collect();
        assert_eq!(list.len(), 5000);
        assert_eq!(
            (list[7].0.as_str(), list[7].1.0, list[7].1.1.as_str()),
            ("C-7", 10, "Name 7")
        );
        assert_eq!(
            (list[8].1.0, list[8].1.1.as_str(), list[8].2),
            (11, "Later", cop)
        );
        // Ranked by id: "C-10" comes before "C-2".
        let rank = book.customer_ranks();
        assert!(rank[10] < rank[2] && rank[2] < rank[3]);
        assert_eq!(rank[0], 0);
    }

    #[test]
    fn the_middle_of_two_sorted_lists_cuts_both_in_halves() {
        let mut next = crate::draws(0x5851_f42d_4c95_7f2d_u64);
        let list = |keys: &mut dyn Iterator<Item = u64>| {
            let mut list: Vec<Due> = keys.map(|k| Due::new(Fp(k, 0), 1, 0, 0, false)).collect();
            list.sort_unstable_by_key(Due::fp);
            list
        };
        for round in 0..500 {
            let (n, m) = (next(40) as usize, next(40) as usize);
            // Apart (the parts of a series), or mixed; keys distinct.
            let (a, b) = if round % 2 == 0 {
                (list(&mut (0..n as u64)), list(&mut (1000..1000 + m as u64)))
            } else {
                let mut keys: Vec<u64> = (0..(n + m) as u64).map(|k| k * 7 + next(7)).collect();
                keys.sort_unstable();
                let (mut x, mut y) = (Vec::new(), Vec::new());
                for k in keys {
                    if next(2) == 0 { x.push(k) } else { y.push(k) }
                }
                (list(&mut x.into_iter()), list(&mut y.into_iter()))
            };
            let mut all: Vec<Fp> = a.iter().chain(&b).map(Due::fp).collect();
            all.sort_unstable();
            let k = all.len() / 2;
            assert_eq!(
                middle(&a, &b),
                all.get(k).copied(),
                "{a:?} {b:?}",
                a = a.len(),
                b = b.len()
            );
            if let Some(pivot) = middle(&a, &b) {
                let below = |l: &[Due]| l.partition_point(|r| r.fp() < pivot);
                assert_eq!(below(&a) + below(&b), k);
            }
        }
    }

    #[test]
    fn ages_sum_open_invoices_by_pool_and_due_day_and_tell_when_a_sum_overflows() {
        let rec = |pool: u32, due: u16, net: i64, future: bool| {
            Due::new(Fp(0, 0), net, due, pool, future)
        };
        // Two buckets: due on day 100 or later, and before.
        let of_due = (0..=u16::MAX).map(|d| u8::from(d < 100)).collect();
        let mut ages = Ages::new(of_due, 2, 3).unwrap();
        let mut other = ages.empty();
        ages.add(&rec(0, 100, 5, false));
        ages.add(&rec(0, 99, 7, false));
        ages.add(&rec(2, 50, 1, true)); // dated after the as-of date
        ages.add(&rec(2, 50, 0, false)); // closed
        other.add(&rec(0, 120, 10, false));
        other.add(&rec(1, 3, 4, false));
        // Added once flushed (at the end of a walk), sixty-four at a time before.
        ages.flush();
        other.flush();
        ages.join(&other);
        let all: Vec<&[i64]> = (0..3).map(|p| ages.of(p)).collect();
        assert_eq!(all, [&[15, 7][..], &[0, 4], &[0, 0]]);
        assert!(!ages.overflowed());
        let max = (1i64 << 47) - 1;
        for _ in 0..=(1 << 16) {
            other.add(&rec(1, 3, max, false));
        }
        other.flush();
        assert!(other.overflowed());
        ages.join(&other);
        assert!(ages.overflowed());
    }
}
