//! The allocation engine: which credit (payment or credit note) pays which invoice, as of a
//! date. Pure: no clock, no I/O. Every report (aging, reconcile, risk) starts here.
//!
//! Contract (README, "Semantics"):
//! 1. documents dated after `as_of` do not exist yet;
//! 2. a credit with a `reference` pays that invoice (same customer and currency) up to its
//!    open balance, credits taken in (date, input order); the excess, and credits whose
//!    reference is unknown or belongs to another customer or currency, join the pool of
//!    their own (customer, currency); an invoice then left open by no more than the
//!    policy's tolerance is written off;
//! 3. credits without a reference join that pool;
//! 4. each pool pays the open invoices of its (customer, currency): with `exact_amount`, a
//!    credit equal to exactly one open invoice pays it; `oldest_first` pays them by (due
//!    date, issue date, id); what is left is unapplied credit.
//!
//! A credit's value is amount + withholding + discount. Invariants (property-tested): for
//! each invoice, amount = Σ applications (write-offs included) + open, with 0 ≤ open ≤
//! amount; for each credit, value = Σ its applications + unapplied.

mod check;
mod steps;

pub use check::check_conservation;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::index::IdIndex;
use crate::model::{CreditKind, CustomerId, Invoice, Ledger, Text};
use crate::money::Currency;
use crate::policy::{AllocationPolicy, Step};

/// How an application was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    /// The credit named the invoice.
    Reference,
    /// The credit equalled exactly one open invoice of its customer.
    ExactAmount,
    /// The customer's pool of credit paid its oldest open invoice.
    OldestFirst,
    /// What the referenced credits left open was within the tolerance: written off.
    Tolerance,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Reference => "reference",
            Rule::ExactAmount => "exact_amount",
            Rule::OldestFirst => "oldest_first",
            Rule::Tolerance => "tolerance",
        }
    }
}

/// One piece of a credit applied to one invoice (a write-off has no credit). Indices are
/// into the ledger's vectors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    pub credit: Option<usize>,
    pub invoice: usize,
    pub amount: Decimal,
    pub rule: Rule,
}

/// Why a credit with a reference did not (entirely) go to the invoice it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefIssue {
    /// No invoice with that id exists as of the date.
    Unknown,
    /// The invoice belongs to another customer.
    CustomerMismatch,
    /// The invoice is in another currency.
    CurrencyMismatch,
    /// The credit exceeds what was open on the invoice.
    Overpaid,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    pub as_of: NaiveDate,
    /// Open balance per invoice; `None` for invoices dated after `as_of`.
    pub invoice_open: Vec<Option<Decimal>>,
    /// Unapplied remainder per credit; `None` for credits dated after `as_of`.
    pub credit_unapplied: Vec<Option<Decimal>>,
    /// In the order they were made.
    pub applications: Vec<Application>,
    /// Credits whose reference could not be honoured in full, with the reason.
    pub ref_issues: Vec<(usize, RefIssue)>,
}

impl Allocation {
    /// Documents dated after `as_of`, which do not exist yet.
    pub fn not_yet_dated(&self) -> u64 {
        let invoices = self.invoice_open.iter().filter(|o| o.is_none()).count();
        let credits = self.credit_unapplied.iter().filter(|u| u.is_none()).count();
        (invoices + credits) as u64
    }

    /// Credits (dated by `as_of`) whose kind and id an earlier credit already had, each
    /// with where that earlier one was read: a payment exported or merged twice.
    pub fn repeated_credits(&self, ledger: &Ledger) -> Vec<(usize, crate::model::Loc)> {
        let credits = ledger.credits.as_slice();
        let id_of = |at: u32| credits[at as usize].id.0.as_str();
        // One index of positions per kind (4 bytes a credit, ids read in the credits).
        let mut first = [IdIndex::default(), IdIndex::default()];
        let mut repeated = Vec::new();
        for (c, credit) in credits.iter().enumerate() {
            let (Some(_), Some(at)) = (self.credit_unapplied[c], crate::index::position(c)) else {
                continue;
            };
            let index = &mut first[usize::from(credit.kind == CreditKind::CreditNote)];
            if !index.insert_first(&credit.id.0, at, id_of) {
                let earlier = index.get(&credit.id.0, id_of).unwrap_or(at);
                repeated.push((c, credits[earlier as usize].loc));
            }
        }
        repeated
    }

    /// Credits whose reference met `issue`.
    pub fn count_ref_issues(&self, issue: RefIssue) -> u64 {
        self.ref_issues.iter().filter(|(_, i)| *i == issue).count() as u64
    }
}

/// The engine's working state: balances and the record of what was decided.
pub(crate) struct Work<'a> {
    ledger: &'a Ledger,
    open: Vec<Option<Decimal>>,
    left: Vec<Option<Decimal>>,
    applications: Vec<Application>,
    ref_issues: Vec<(usize, RefIssue)>,
}

impl Work<'_> {
    /// Moves min(open, left) from credit `c` to invoice `i`; returns it.
    fn apply(&mut self, c: usize, i: usize, rule: Rule) -> Decimal {
        let (Some(o), Some(l)) = (self.open[i], self.left[c]) else {
            return Decimal::ZERO;
        };
        let amount = o.min(l).max(Decimal::ZERO);
        if !amount.is_zero() {
            self.open[i] = Some(o - amount);
            self.left[c] = Some(l - amount);
            self.applications.push(Application {
                credit: Some(c),
                invoice: i,
                amount,
                rule,
            });
        }
        amount
    }

    fn has_left(&self, c: usize) -> bool {
        self.left[c].is_some_and(|l| l > Decimal::ZERO)
    }

    fn is_open(&self, i: usize) -> bool {
        self.open[i].is_some_and(|o| o > Decimal::ZERO)
    }
}

/// A pool: its credits (in date, input order) and the open invoices they may pay, in
/// (due date, issue date, id, input order).
type Pool = (Vec<usize>, Vec<usize>);

/// The pools of credit per (customer, currency) of the credits with something left, in
/// (customer, currency) order (a fixed order for the applications list). Built from compact
/// keys sorted once, not per-pool lists sorted by looking up each invoice: on millions of
/// documents every look-up is a cache miss.
fn pools(ledger: &Ledger, work: &Work, order: &[usize], parallel_from: usize) -> Vec<Pool> {
    let (credits, invoices) = (&ledger.credits, &ledger.invoices);
    // Pool numbers by currency and customer, written as one text (held in the table, so
    // that finding one reads no document), with the (customer, currency) of each.
    let key = |customer: &CustomerId, currency: Currency| {
        let mut key = Text::with_capacity(3 + customer.0.len());
        key.push_str(currency.as_str());
        key.push_str(&customer.0);
        key
    };
    let mut number: crate::Map<Text, u32> = crate::Map::default();
    let mut named: Vec<(&CustomerId, Currency)> = Vec::new();
    let mut of_credit: Vec<(u32, usize)> = Vec::new();
    for &c in order.iter().filter(|&&c| work.has_left(c)) {
        let credit = &credits[c];
        let n = *(number.entry(key(&credit.customer, credit.currency))).or_insert_with(|| {
            named.push((&credit.customer, credit.currency));
            named.len() as u32 - 1
        });
        of_credit.push((n, c));
    }
    let mut of_invoice = on_halves(invoices.len(), parallel_from, |range| {
        let mut keys: Vec<(u32, NaiveDate, NaiveDate, u32)> = Vec::new();
        for i in range.filter(|&i| work.is_open(i)) {
            let inv = &invoices[i];
            let n = number.get(&key(&inv.customer, inv.currency));
            if let (Some(&n), Some(at)) = (n, crate::index::position(i)) {
                keys.push((n, inv.due, inv.date, at));
            }
        }
        keys
    });
    // Rank the pools by (customer, currency).
    let mut by_name: Vec<u32> = (0..named.len() as u32).collect();
    by_name.sort_unstable_by_key(|&n| named[n as usize]);
    let mut rank = vec![0u32; named.len()];
    for (r, n) in by_name.into_iter().enumerate() {
        rank[n as usize] = r as u32;
    }
    // Credits keep their (date, input order) within a pool: a stable sort.
    of_credit.sort_by_key(|&(n, _)| rank[n as usize]);
    of_invoice.sort_unstable_by(|a, b| {
        let (x, y) = (&invoices[a.3 as usize], &invoices[b.3 as usize]);
        (rank[a.0 as usize], a.1, a.2)
            .cmp(&(rank[b.0 as usize], b.1, b.2))
            .then_with(|| (&x.id, x.loc, a.3).cmp(&(&y.id, y.loc, b.3)))
    });
    let mut pools: Vec<Pool> = vec![Default::default(); named.len()];
    for (n, c) in of_credit {
        pools[rank[n as usize] as usize].0.push(c);
    }
    for (n, _, _, i) in of_invoice {
        pools[rank[n as usize] as usize].1.push(i as usize);
    }
    pools
}

/// Applies every credit dated on or before `as_of` to the invoices that exist by then, by
/// the steps of `policy`. Invoice ids are expected to be unique (the input layer rejects
/// duplicates); should two share an id anyway, references go to the first.
pub fn allocate(ledger: &Ledger, as_of: NaiveDate, policy: &AllocationPolicy) -> Allocation {
    allocate_in(ledger, as_of, policy, PARALLEL_MIN_DOCUMENTS)
}

/// [`allocate`], on both cores from `parallel_from` documents (a test compares both ways).
fn allocate_in(
    ledger: &Ledger,
    as_of: NaiveDate,
    policy: &AllocationPolicy,
    parallel_from: usize,
) -> Allocation {
    let mut work = Work {
        ledger,
        open: ledger
            .invoices
            .iter()
            .map(|i| (i.date <= as_of).then_some(i.amount))
            .collect(),
        left: ledger
            .credits
            .iter()
            .map(|c| (c.date <= as_of).then_some(c.value()))
            .collect(),
        applications: Vec::new(),
        ref_issues: Vec::new(),
    };
    let credits = &ledger.credits;
    let follow = policy.order.first() == Some(&Step::Reference);
    // The credits in (date, input order), while the other core (on a big ledger) indexes
    // the invoices.
    let (order, by_id) = std::thread::scope(|s| {
        let index = || invoices_by_id(ledger, &work.open);
        let by_id = (follow && ledger.invoices.len() >= parallel_from).then(|| s.spawn(index));
        // Sorted by compact keys (reading each credit once), input order breaking ties.
        let mut keyed: Vec<_> = (0..credits.len())
            .filter(|&c| work.left[c].is_some())
            .map(|c| (credits[c].date, credits[c].loc, c))
            .collect();
        keyed.sort_unstable();
        let order: Vec<usize> = keyed.into_iter().map(|(_, _, c)| c).collect();
        let by_id = match by_id {
            Some(thread) => Some(
                thread
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            ),
            None => follow.then(index),
        };
        (order, by_id)
    });
    if let Some(by_id) = by_id {
        steps::follow_references(&mut work, &order, &by_id);
        steps::write_off_within_tolerance(&mut work, &policy.tolerance);
    }
    for (pool_credits, pool_invoices) in pools(ledger, &work, &order, parallel_from) {
        for step in &policy.order {
            match step {
                Step::Reference => {}
                Step::ExactAmount => steps::exact_amounts(&mut work, &pool_credits, &pool_invoices),
                Step::OldestFirst => steps::oldest_first(&mut work, &pool_credits, &pool_invoices),
            }
        }
    }
    Allocation {
        as_of,
        invoice_open: work.open,
        credit_unapplied: work.left,
        applications: work.applications,
        ref_issues: work.ref_issues,
    }
}

/// Below this many documents the engine stays on one core (a thread costs more than it saves).
const PARALLEL_MIN_DOCUMENTS: usize = 50_000;

/// `f` over `0..n`, in two halves at once (one on another core) when `n` is big enough to
/// be worth it; the results in order.
fn on_halves<T: Send>(
    n: usize,
    parallel_from: usize,
    f: impl Fn(std::ops::Range<usize>) -> Vec<T> + Sync,
) -> Vec<T> {
    if n < parallel_from.max(2) {
        return f(0..n);
    }
    let middle = n / 2;
    std::thread::scope(|s| {
        let first = s.spawn(|| f(0..middle));
        let mut second = f(middle..n);
        let mut all = first
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        all.append(&mut second);
        all
    })
}

/// Invoice index by id, for the invoices that exist as of the date (`open` is `Some`); the
/// first of two with the same id wins.
pub(crate) fn invoices_by_id<'a>(ledger: &'a Ledger, open: &[Option<Decimal>]) -> InvoicesById<'a> {
    let invoices = ledger.invoices.as_slice();
    let id_of = |at: u32| invoices[at as usize].id.0.as_str();
    let mut index = IdIndex::with_capacity(invoices.len());
    for (i, inv) in invoices.iter().enumerate() {
        if let (Some(_), Some(at)) = (open[i], crate::index::position(i)) {
            index.insert_first(&inv.id.0, at, id_of);
        }
    }
    InvoicesById { invoices, index }
}

/// See [`invoices_by_id`].
pub(crate) struct InvoicesById<'a> {
    invoices: &'a [Invoice],
    index: IdIndex,
}

impl InvoicesById<'_> {
    /// The position of the invoice with `id`.
    pub(crate) fn get(&self, id: &str) -> Option<usize> {
        let id_of = |at: u32| self.invoices[at as usize].id.0.as_str();
        self.index.get(id, id_of).map(|at| at as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Credit, CreditKind, DocId, Invoice, Loc};
    use crate::policy::AllocationPolicy;

    /// A deterministic mixed ledger: several currencies, references that pay, overpay,
    /// name unknown invoices or another customer's, unreferenced credits, repeated due dates.
    fn ledger(invoices: usize, seed: u64) -> Ledger {
        let mut state = seed;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let day = |d: u64| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(d);
        let currencies = ["COP", "USD"].map(|c| Currency::parse(c).unwrap());
        let mut l = Ledger::default();
        for k in 0..invoices {
            let date = day(next(120));
            l.invoices.push(Invoice {
                id: DocId(format!("F{k}").into()),
                customer: CustomerId(format!("C{}", next(40)).into()),
                name: Default::default(),
                currency: currencies[next(2) as usize],
                date,
                due: date + chrono::Days::new(next(3) * 30),
                amount: Decimal::new(100 + next(100_000) as i64, 2),
                loc: Loc {
                    source: 0,
                    line: k as u64 + 2,
                },
            });
        }
        for k in 0..invoices {
            let reference = match next(5) {
                0 => None,
                1 => Some(DocId(format!("X{k}").into())),
                _ => Some(DocId(format!("F{}", next(invoices as u64)).into())),
            };
            l.credits.push(Credit {
                kind: if next(4) == 0 {
                    CreditKind::CreditNote
                } else {
                    CreditKind::Payment
                },
                id: DocId(format!("P{}", next(invoices as u64)).into()),
                customer: CustomerId(format!("C{}", next(40)).into()),
                name: Default::default(),
                currency: currencies[next(2) as usize],
                date: day(next(200)),
                amount: Decimal::new(100 + next(80_000) as i64, 2),
                withholding: Decimal::ZERO,
                discount: Decimal::ZERO,
                reference,
                loc: Loc {
                    source: 0,
                    line: (invoices + k) as u64 + 2,
                },
            });
        }
        l
    }

    #[test]
    fn both_cores_allocate_as_one_does() {
        let exact = AllocationPolicy {
            order: vec![Step::Reference, Step::ExactAmount, Step::OldestFirst],
            ..AllocationPolicy::default()
        };
        for (seed, policy) in [(1, AllocationPolicy::default()), (2, exact)] {
            let l = ledger(3_000, seed);
            let as_of = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
            let one = allocate_in(&l, as_of, &policy, usize::MAX);
            let two = allocate_in(&l, as_of, &policy, 0);
            assert!(one.applications.len() > 1_000 && !one.ref_issues.is_empty());
            assert_eq!(one, two, "seed {seed}");
        }
    }
}
