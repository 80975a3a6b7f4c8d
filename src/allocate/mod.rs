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
mod pools;
mod steps;
#[cfg(test)]
mod tests;

pub use check::check_conservation;

use pools::{PARALLEL_MIN_INVOICES, pools};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::index::IdIndex;
use crate::model::{CreditKind, Invoice, Ledger};
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
        // One index of positions per kind (8 bytes a credit, ids read in the credits).
        let mut first = [IdIndex::default(), IdIndex::default()];
        let mut repeated = Vec::new();
        for (c, credit) in credits.iter().enumerate() {
            if self.credit_unapplied[c].is_none() {
                continue;
            }
            let index = &mut first[usize::from(credit.kind == CreditKind::CreditNote)];
            if !index.insert_first(credits, c) {
                let earlier = index.get(&credit.id.0, credits).unwrap_or(c);
                repeated.push((c, credits[earlier].loc));
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

/// Applies every credit dated on or before `as_of` to the invoices that exist by then, by
/// the steps of `policy`. Invoice ids are expected to be unique (the input layer rejects
/// duplicates); should two share an id anyway, references go to the first.
pub fn allocate(ledger: &Ledger, as_of: NaiveDate, policy: &AllocationPolicy) -> Allocation {
    allocate_in(ledger, as_of, policy, PARALLEL_MIN_INVOICES)
}

/// [`allocate`], on both cores from `parallel_from` invoices (a test compares both ways).
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

/// Invoice index by id, for the invoices that exist as of the date (`open` is `Some`); the
/// first of two with the same id wins.
pub(crate) fn invoices_by_id<'a>(ledger: &'a Ledger, open: &[Option<Decimal>]) -> InvoicesById<'a> {
    let invoices = ledger.invoices.as_slice();
    let mut index = IdIndex::with_capacity(invoices.len());
    for i in (0..invoices.len()).filter(|&i| open[i].is_some()) {
        index.insert_first(invoices, i);
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
        self.index.get(id, self.invoices)
    }
}
