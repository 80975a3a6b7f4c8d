//! The allocation engine: which credit (payment or credit note) pays which invoice, as of a
//! date. Pure: no clock, no I/O. Every report (aging, reconcile, risk) starts here.
//!
//! Contract (README, "Semantics"):
//! 1. documents dated after `as_of` do not exist yet;
//! 2. a credit with a `reference` pays that invoice (same customer and currency) up to its
//!    open balance, credits taken in (date, input order); the excess, and credits whose
//!    reference is unknown or belongs to another customer or currency, join the pool of
//!    their own (customer, currency);
//! 3. credits without a reference join that pool;
//! 4. each pool pays the open invoices of its (customer, currency) oldest first, by (due
//!    date, issue date, id); what is left is unapplied credit.
//!
//! Invariants (property-tested): for each invoice, amount = Σ applications + open, with
//! 0 ≤ open ≤ amount; for each credit, amount = Σ applications + unapplied.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::model::{CustomerId, Ledger};
use crate::money::Currency;

/// How an application was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    /// The credit named the invoice.
    Reference,
    /// The customer's pool of credit paid its oldest open invoice.
    OldestFirst,
}

/// One piece of a credit applied to one invoice. Indices are into the ledger's vectors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    pub credit: usize,
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

    /// Credits whose reference met `issue`.
    pub fn count_ref_issues(&self, issue: RefIssue) -> u64 {
        self.ref_issues.iter().filter(|(_, i)| *i == issue).count() as u64
    }
}

type PoolKey<'a> = (&'a CustomerId, Currency);

/// Applies every credit dated on or before `as_of` to the invoices that exist by then.
/// Invoice ids are expected to be unique (the input layer rejects duplicates); should two
/// share an id anyway, references go to the first.
pub fn allocate(ledger: &Ledger, as_of: NaiveDate) -> Allocation {
    let invoices = &ledger.invoices;
    let credits = &ledger.credits;
    let mut open: Vec<Option<Decimal>> = invoices
        .iter()
        .map(|i| (i.date <= as_of).then_some(i.amount))
        .collect();
    let mut left: Vec<Option<Decimal>> = credits
        .iter()
        .map(|c| (c.date <= as_of).then_some(c.value()))
        .collect();
    let mut by_id: HashMap<&str, usize> = HashMap::with_capacity(invoices.len());
    for (i, inv) in invoices.iter().enumerate() {
        if open[i].is_some() {
            by_id.entry(inv.id.0.as_str()).or_insert(i);
        }
    }
    let mut order: Vec<usize> = (0..credits.len()).filter(|&c| left[c].is_some()).collect();
    order.sort_by_key(|&c| (credits[c].date, credits[c].loc));

    let mut applications = Vec::new();
    let mut ref_issues = Vec::new();
    for &c in &order {
        let credit = &credits[c];
        let Some(reference) = &credit.reference else {
            continue;
        };
        let issue = match by_id.get(reference.0.as_str()) {
            None => Some(RefIssue::Unknown),
            Some(&i) if invoices[i].customer != credit.customer => Some(RefIssue::CustomerMismatch),
            Some(&i) if invoices[i].currency != credit.currency => Some(RefIssue::CurrencyMismatch),
            Some(&i) => {
                let applied = apply(&mut open[i], &mut left[c]);
                if !applied.is_zero() {
                    applications.push(Application {
                        credit: c,
                        invoice: i,
                        amount: applied,
                        rule: Rule::Reference,
                    });
                }
                left[c]
                    .is_some_and(|l| l > Decimal::ZERO)
                    .then_some(RefIssue::Overpaid)
            }
        };
        if let Some(issue) = issue {
            ref_issues.push((c, issue));
        }
    }

    // Pools, keyed and iterated in a fixed order so the applications list is deterministic.
    let mut pools: BTreeMap<PoolKey, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for &c in &order {
        if left[c].is_some_and(|l| l > Decimal::ZERO) {
            let key = (&credits[c].customer, credits[c].currency);
            pools.entry(key).or_default().0.push(c);
        }
    }
    for (i, inv) in invoices.iter().enumerate() {
        if open[i].is_some_and(|o| o > Decimal::ZERO)
            && let Some(pool) = pools.get_mut(&(&inv.customer, inv.currency))
        {
            pool.1.push(i);
        }
    }
    for (pool_credits, mut pool_invoices) in pools.into_values() {
        pool_invoices.sort_by(|&a, &b| {
            let (x, y) = (&invoices[a], &invoices[b]);
            (x.due, x.date, &x.id, x.loc).cmp(&(y.due, y.date, &y.id, y.loc))
        });
        let mut next = pool_invoices.into_iter().peekable();
        for c in pool_credits {
            while let Some(&i) = next.peek() {
                let applied = apply(&mut open[i], &mut left[c]);
                if !applied.is_zero() {
                    applications.push(Application {
                        credit: c,
                        invoice: i,
                        amount: applied,
                        rule: Rule::OldestFirst,
                    });
                }
                if open[i].is_some_and(|o| o > Decimal::ZERO) {
                    break; // this credit is spent; the invoice stays open for the next one
                }
                next.next();
            }
        }
    }
    Allocation {
        as_of,
        invoice_open: open,
        credit_unapplied: left,
        applications,
        ref_issues,
    }
}

/// Moves min(open, left) from both; returns it.
fn apply(open: &mut Option<Decimal>, left: &mut Option<Decimal>) -> Decimal {
    let (Some(o), Some(l)) = (open.as_mut(), left.as_mut()) else {
        return Decimal::ZERO;
    };
    let amount = (*o).min(*l).max(Decimal::ZERO);
    *o -= amount;
    *l -= amount;
    amount
}

/// Money in equals money out, per currency: Σ invoices issued by `as_of` = Σ applied + Σ
/// open, and Σ credits = Σ applied + Σ unapplied. A run that would break this is a bug and
/// must stop before printing anything.
pub fn check_conservation(ledger: &Ledger, alloc: &Allocation) -> Result<(), String> {
    let mut sums: BTreeMap<Currency, [Decimal; 5]> = BTreeMap::new();
    for (i, inv) in ledger.invoices.iter().enumerate() {
        if let Some(open) = alloc.invoice_open[i] {
            let s = sums.entry(inv.currency).or_default();
            s[0] += inv.amount;
            s[1] += open;
        }
    }
    for (c, credit) in ledger.credits.iter().enumerate() {
        if let Some(left) = alloc.credit_unapplied[c] {
            let s = sums.entry(credit.currency).or_default();
            s[2] += credit.value();
            s[3] += left;
        }
    }
    for a in &alloc.applications {
        sums.entry(ledger.invoices[a.invoice].currency).or_default()[4] += a.amount;
    }
    for (cur, [invoiced, open, credited, unapplied, applied]) in sums {
        if invoiced != applied + open || credited != applied + unapplied {
            return Err(format!(
                "{cur}: invoiced {invoiced} ≠ applied {applied} + open {open}, or credited {credited} ≠ applied {applied} + unapplied {unapplied}"
            ));
        }
    }
    Ok(())
}
