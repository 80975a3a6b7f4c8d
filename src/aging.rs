//! The aging report: open balances per (customer, currency) in buckets of days past due,
//! computed from an [`Allocation`]. Pure.
//!
//! Invariants (property-tested): per row, Σ buckets − unapplied = balance; per currency,
//! the totals are the sums of the rows; amounts of different currencies are never added.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::allocate::Allocation;
use crate::model::{CustomerId, DocId, DocKind, Ledger};
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
    /// Sorted by (currency, customer id, invoices by (due, date, id) then credits by (date, id)).
    pub detail: Vec<OpenDoc>,
    /// One per currency present in `rows`, with `customer` empty.
    pub totals: Vec<AgingRow>,
}

/// Ages the open documents of an allocation.
pub fn age(ledger: &Ledger, alloc: &Allocation, policy: &AgingPolicy) -> Aging {
    let names = customer_names(ledger, alloc.as_of);
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
    detail.sort_by(|a, b| {
        (
            a.currency,
            &a.customer,
            a.kind != DocKind::Invoice,
            a.due,
            a.date,
            &a.id,
            a.kind,
        )
            .cmp(&(
                b.currency,
                &b.customer,
                b.kind != DocKind::Invoice,
                b.due,
                b.date,
                &b.id,
                b.kind,
            ))
    });
    let rows = summarise(&detail, policy.buckets.len());
    let totals = currency_totals(&rows, policy.buckets.len());
    Aging {
        as_of: alloc.as_of,
        rows,
        detail,
        totals,
    }
}

fn summarise(detail: &[OpenDoc], n_buckets: usize) -> Vec<AgingRow> {
    let mut rows: BTreeMap<(Currency, &CustomerId), AgingRow> = BTreeMap::new();
    for doc in detail {
        let row = rows
            .entry((doc.currency, &doc.customer))
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
    rows.into_values().collect()
}

fn currency_totals(rows: &[AgingRow], n_buckets: usize) -> Vec<AgingRow> {
    let mut totals: BTreeMap<Currency, AgingRow> = BTreeMap::new();
    for row in rows {
        let t = totals.entry(row.currency).or_insert_with(|| {
            AgingRow::zero(
                CustomerId(String::new()),
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
pub(crate) fn customer_names(ledger: &Ledger, as_of: NaiveDate) -> HashMap<&CustomerId, &str> {
    let mut best: HashMap<&CustomerId, (NaiveDate, &str)> = HashMap::new();
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
        let slot = best.entry(customer).or_insert((date, name));
        if (date, name) > *slot {
            *slot = (date, name);
        }
    }
    best.into_iter().map(|(c, (_, n))| (c, n)).collect()
}
