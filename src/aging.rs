//! The aging report: open balances per (customer, currency) in buckets of days past due,
//! computed from an [`Allocation`]. Pure.
//!
//! Invariants (property-tested): per row, Σ buckets − unapplied = balance; per currency,
//! the totals are the sums of the rows; amounts of different currencies are never added.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::allocate::Allocation;
use crate::model::{CustomerId, DocId, DocKind, Ledger, Text};
use crate::money::Currency;
use crate::policy::{AgingPolicy, Basis};

/// One line of the summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgingRow {
    pub customer: CustomerId,
    pub name: String,
    pub currency: Currency,
    /// Open invoice amounts per bucket, in the policy's bucket order.
    pub buckets: Vec<Decimal>,
    /// Credit of the customer not applied to any invoice (positive).
    pub unapplied: Decimal,
    /// Σ buckets − unapplied.
    pub balance: Decimal,
}

impl AgingRow {
    fn zero(customer: CustomerId, name: String, currency: Currency, n_buckets: usize) -> AgingRow {
        let zero = Decimal::ZERO;
        AgingRow {
            customer,
            name,
            currency,
            buckets: vec![zero; n_buckets],
            unapplied: zero,
            balance: zero,
        }
    }
}

/// One open document: an invoice with a balance, or a credit with an unapplied remainder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenDoc {
    pub customer: CustomerId,
    pub name: String,
    pub currency: Currency,
    pub kind: DocKind,
    pub id: DocId,
    pub date: NaiveDate,
    /// Invoices only.
    pub due: Option<NaiveDate>,
    /// Days past the basis date (invoices only; negative when not yet due).
    pub days: Option<i64>,
    /// Index into the policy's buckets (invoices only).
    pub bucket: Option<usize>,
    /// Open amount; negative for an unapplied credit, so the lines of a customer sum to
    /// its balance.
    pub open: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aging {
    pub as_of: NaiveDate,
    /// Sorted by (currency, customer id); rows with nothing open are left out.
    pub rows: Vec<AgingRow>,
    /// In no particular order; [`sort_detail`] puts it in report order.
    pub detail: Vec<OpenDoc>,
    /// One per currency present in `rows`, with `customer` empty.
    pub totals: Vec<AgingRow>,
}

/// Ages the open documents of an allocation.
pub fn age(ledger: &Ledger, alloc: &Allocation, policy: &AgingPolicy) -> Aging {
    age_named(ledger, alloc, policy, &customer_names(ledger, alloc.as_of))
}

/// The display name of each customer, as [`customer_names`] gives them.
pub(crate) type Names<'a> = crate::Map<&'a CustomerId, &'a str>;

/// [`age`], with the customers' names already found (a report that needs them too finds
/// them once: a pass over every document).
pub(crate) fn age_named(
    ledger: &Ledger,
    alloc: &Allocation,
    policy: &AgingPolicy,
    names: &Names,
) -> Aging {
    let name_of = |c: &CustomerId| names.get(c).map_or(String::new(), |n| n.to_string());
    let mut detail = Vec::new();
    for (i, inv) in ledger.invoices.iter().enumerate() {
        let Some(open) = alloc.invoice_open[i].filter(|o| *o > Decimal::ZERO) else {
            continue;
        };
        let since = match policy.basis {
            Basis::DueDate => inv.due,
            Basis::IssueDate => inv.date,
        };
        let days = (alloc.as_of - since).num_days();
        detail.push(OpenDoc {
            customer: inv.customer.clone(),
            name: name_of(&inv.customer),
            currency: inv.currency,
            kind: DocKind::Invoice,
            id: inv.id.clone(),
            date: inv.date,
            due: Some(inv.due),
            days: Some(days),
            bucket: Some(policy.bucket_for(days)),
            open,
        });
    }
    for (c, credit) in ledger.credits.iter().enumerate() {
        let Some(left) = alloc.credit_unapplied[c].filter(|l| *l > Decimal::ZERO) else {
            continue;
        };
        detail.push(OpenDoc {
            customer: credit.customer.clone(),
            name: name_of(&credit.customer),
            currency: credit.currency,
            kind: credit.kind.into(),
            id: credit.id.clone(),
            date: credit.date,
            due: None,
            days: None,
            bucket: None,
            open: -left,
        });
    }
    let rows = summarise(&detail, policy.buckets.len());
    let totals = currency_totals(&rows, policy.buckets.len());
    Aging {
        as_of: alloc.as_of,
        rows,
        detail,
        totals,
    }
}

/// Puts the detail in report order: (currency, customer id, invoices by (due, date, id) then
/// credits by (date, id)). Customers are ranked once, so that the sort compares numbers.
pub fn sort_detail(detail: &mut Vec<OpenDoc>) {
    let mut customers: Vec<&CustomerId> = detail.iter().map(|d| &d.customer).collect();
    customers.sort_unstable();
    customers.dedup();
    let rank: crate::Map<&CustomerId, usize> =
        customers.iter().enumerate().map(|(r, c)| (*c, r)).collect();
    let mut keyed: Vec<(usize, usize)> = (detail.iter().enumerate())
        .map(|(i, d)| (rank.get(&d.customer).copied().unwrap_or(0), i))
        .collect();
    let key = |d: &OpenDoc| (d.currency, d.kind != DocKind::Invoice, d.due, d.date);
    keyed.sort_by(|(ra, a), (rb, b)| {
        let (a, b) = (&detail[*a], &detail[*b]);
        let (ka, kb) = (key(a), key(b));
        (ka.0, ra, ka.1, ka.2, ka.3, &a.id, a.kind)
            .cmp(&(kb.0, rb, kb.1, kb.2, kb.3, &b.id, b.kind))
    });
    let mut slots: Vec<Option<OpenDoc>> = std::mem::take(detail).into_iter().map(Some).collect();
    *detail = (keyed.into_iter())
        .filter_map(|(_, i)| slots[i].take())
        .collect();
}

fn summarise(detail: &[OpenDoc], n_buckets: usize) -> Vec<AgingRow> {
    // Summed in a hash map, then sorted once (a sorted map compares ids on every document).
    let mut rows: crate::Map<(Currency, Text), AgingRow> = crate::Map::default();
    for doc in detail {
        let row = rows
            .entry((doc.currency, doc.customer.0.clone()))
            .or_insert_with(|| {
                AgingRow::zero(
                    doc.customer.clone(),
                    doc.name.clone(),
                    doc.currency,
                    n_buckets,
                )
            });
        match doc.bucket {
            Some(b) => row.buckets[b] += doc.open,
            None => row.unapplied -= doc.open,
        }
        row.balance += doc.open;
    }
    let mut rows: Vec<_> = rows.into_iter().collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    rows.into_iter().map(|(_, r)| r).collect()
}

pub(crate) fn currency_totals(rows: &[AgingRow], n_buckets: usize) -> Vec<AgingRow> {
    let mut totals: BTreeMap<Currency, AgingRow> = BTreeMap::new();
    for row in rows {
        let t = totals.entry(row.currency).or_insert_with(|| {
            AgingRow::zero(
                CustomerId::default(),
                String::new(),
                row.currency,
                n_buckets,
            )
        });
        for (t, r) in t.buckets.iter_mut().zip(&row.buckets) {
            *t += *r;
        }
        t.unapplied += row.unapplied;
        t.balance += row.balance;
    }
    totals.into_values().collect()
}

/// The display name of each customer: the non-empty name on its most recent document dated
/// by `as_of` (ties broken by the name itself, so the choice never depends on row order).
pub(crate) fn customer_names(ledger: &Ledger, as_of: NaiveDate) -> Names<'_> {
    // Keyed by the id's text held in the table, so that finding a customer reads no other
    // document (on millions of rows, each such read is a cache miss).
    let mut best: crate::Map<Text, (&CustomerId, NaiveDate, &str)> = crate::Map::default();
    let docs = ledger
        .invoices
        .iter()
        .map(|i| (&i.customer, i.date, i.name.as_str()));
    let docs = docs.chain(
        ledger
            .credits
            .iter()
            .map(|c| (&c.customer, c.date, c.name.as_str())),
    );
    for (customer, date, name) in docs.filter(|d| !d.2.is_empty() && d.1 <= as_of) {
        match best.get_mut(customer.0.as_str()) {
            Some(slot) => {
                if (date, name) > (slot.1, slot.2) {
                    *slot = (customer, date, name);
                }
            }
            None => drop(best.insert(customer.0.clone(), (customer, date, name))),
        }
    }
    best.into_values().map(|(c, _, n)| (c, n)).collect()
}
