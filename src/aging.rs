//! The aging report: open balances per (customer, currency) in buckets of days past due,
//! computed from an [`Allocation`]. Pure.
//!
//! Invariants (property-tested): per row, Σ buckets − unapplied = balance; per currency,
//! the totals are the sums of the rows; amounts of different currencies are never added.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
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
    // Each customer numbered as first met, then ranked by id (sorting the customers once,
    // not the documents' copies of them).
    let mut number: crate::Map<&CustomerId, usize> = crate::Map::default();
    let met: Vec<usize> = (detail.iter())
        .map(|d| {
            let next = number.len();
            *number.entry(&d.customer).or_insert(next)
        })
        .collect();
    let ranks = rank_customers(number.into_iter().map(|(c, n)| (c.clone(), n)).collect());
    let rank: Vec<u32> = met.iter().map(|&n| ranks[n]).collect();
    sort_detail_ranked(detail, &rank);
}

/// The rank by id of each customer, by its number: `customers` holds each one's id and
/// number (0 to its length).
pub fn rank_customers(customers: Vec<(CustomerId, usize)>) -> Vec<u32> {
    // By the first eight bytes of the id as a number first (zeros after a shorter id):
    // only ids that share them are compared whole. Ids are distinct.
    let prefix = |id: &str| {
        let mut head = [0u8; 8];
        let n = id.len().min(8);
        head[..n].copy_from_slice(&id.as_bytes()[..n]);
        u64::from_be_bytes(head)
    };
    let mut keyed: Vec<(u64, usize)> = (customers.iter().enumerate())
        .map(|(i, (id, _))| (prefix(&id.0), i))
        .collect();
    keyed.sort_unstable_by(|(pa, a), (pb, b)| {
        pa.cmp(pb)
            .then_with(|| customers[*a].0.cmp(&customers[*b].0))
    });
    let mut rank = vec![0; customers.len()];
    for (r, &(_, i)) in keyed.iter().enumerate() {
        rank[customers[i].1] = r as u32;
    }
    rank
}

/// [`sort_detail`] where `rank[i]` is the rank of document `i`'s customer among the
/// customers by id (any numbers in that order). A long detail is sorted on both cores.
pub fn sort_detail_ranked(detail: &mut Vec<OpenDoc>, rank: &[u32]) {
    let keyed: Vec<(u128, usize)> = (detail.iter().enumerate())
        .map(|(i, d)| {
            let place = (d.currency, rank[i], d.kind, d.due, d.date);
            (detail_key(place), i)
        })
        .collect();
    let order = detail_order(keyed, |i| (&detail[i].id.0, detail[i].kind));
    *detail = in_order(std::mem::take(detail), &order);
}

/// A document's place in the detail's order, packed into one number: (currency, its
/// customer's rank by id, credit after invoice, due date (none first), date), so that only
/// documents equal on all of them compare their ids ([`detail_order`]).
pub fn detail_key(
    (currency, rank, kind, due, date): (Currency, u32, DocKind, Option<NaiveDate>, NaiveDate),
) -> u128 {
    let days = |d: NaiveDate| d.num_days_from_ce();
    detail_key_of_days((currency, rank, kind, due.map(days), days(date)))
}

/// [`detail_key`] of dates given as days of the era (`NaiveDate::num_days_from_ce`).
pub fn detail_key_of_days(
    (currency, rank, kind, due, date): (Currency, u32, DocKind, Option<i32>, i32),
) -> u128 {
    // Dates as days of the era, none first.
    let days = |d: Option<i32>| d.map_or(0, |d| (i64::from(d) + (1 << 31) + 1) as u128);
    let code = (currency.as_str().bytes()).fold(0u128, |k, b| (k << 8) | u128::from(b));
    (code << 100)
        | (u128::from(rank) << 68)
        | (u128::from(kind != DocKind::Invoice) << 66)
        | (days(due) << 33)
        | days(Some(date))
}

/// The order of items keyed by [`detail_key`] (each with its index): by key, then by the
/// item's (id, kind) from `tie`, then by index; on both cores when there are many.
pub fn detail_order<'a>(
    mut keyed: Vec<(u128, usize)>,
    tie: impl Fn(usize) -> (&'a Text, DocKind) + Sync,
) -> Vec<(u128, usize)> {
    sort_on_both(&mut keyed, |(ka, a), (kb, b)| {
        ka.cmp(kb).then_with(|| (tie(*a), a).cmp(&(tie(*b), b)))
    });
    keyed
}

/// `items` put in `order` (from [`detail_order`]: each index once).
pub fn in_order<T>(mut items: Vec<T>, order: &[(u128, usize)]) -> Vec<T> {
    debug_assert_eq!(items.len(), order.len(), "one place per item");
    permute(&mut items, |place| order[place].1);
    items
}

/// Puts in each place `i` of `items` the item that was at `from(i)` (`from` takes each
/// index once), in place: each cycle of the permutation is followed once, by swaps (no
/// second list, which for large items is as much memory again).
pub fn permute<T>(items: &mut [T], from: impl Fn(usize) -> usize) {
    let mut done = vec![false; items.len()];
    for start in 0..items.len() {
        let mut place = start;
        while !done[place] {
            done[place] = true;
            let next = from(place);
            if next == start {
                break;
            }
            items.swap(place, next);
            place = next;
        }
    }
}

/// Sorts `list` by `cmp` (a total order: no two items equal), each half on its own core
/// and then merged, when it is long.
pub(crate) fn sort_on_both<T: Copy + Send + Sync>(
    list: &mut Vec<T>,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering + Sync,
) {
    const MANY: usize = 1 << 16;
    if list.len() < MANY {
        list.sort_unstable_by(&cmp);
        return;
    }
    let half = list.len() / 2;
    let (a, b) = list.split_at_mut(half);
    crate::both(|| a.sort_unstable_by(&cmp), || b.sort_unstable_by(&cmp));
    let (a, b) = list.split_at(half);
    let mut merged = Vec::with_capacity(list.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if cmp(&b[j], &a[i]).is_lt() {
            merged.push(b[j]);
            j += 1;
        } else {
            merged.push(a[i]);
            i += 1;
        }
    }
    merged.extend_from_slice(&a[i..]);
    merged.extend_from_slice(&b[j..]);
    *list = merged;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The packed keys of `sort_detail` give the order of the plain tuple, stable, for a
    /// short detail and for one long enough to be sorted on both cores and merged.
    #[test]
    fn customers_are_ranked_by_id_as_text() {
        let ids = [
            "C-2",
            "C-10",
            "",
            "a",
            "ab",
            "ab\0",
            "ab\u{1}",
            "900000001",
            "900000001x",
            "90000000",
            "Ñandú",
            "zzzzzzzzz",
            "zzzzzzzz",
            "0",
        ];
        let customers: Vec<(CustomerId, usize)> = (ids.iter().enumerate())
            .map(|(n, id)| (CustomerId((*id).into()), n))
            .collect();
        let rank = rank_customers(customers.clone());
        let mut sorted = customers;
        sorted.sort_unstable();
        for (r, (_, n)) in sorted.iter().enumerate() {
            assert_eq!(rank[*n], r as u32, "{:?}", ids[*n]);
        }
    }

    #[test]
    fn a_permutation_puts_each_item_where_it_is_asked_in_place() {
        let mut next = crate::draws(7);
        for n in 0..60usize {
            // A random permutation of 0..n (Fisher-Yates).
            let mut from: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                from.swap(i, next(i as u64 + 1) as usize);
            }
            let items: Vec<String> = (0..n).map(|i| format!("item {i}")).collect();
            let mut permuted = items.clone();
            permute(&mut permuted, |place| from[place]);
            let want: Vec<String> = from.iter().map(|&i| items[i].clone()).collect();
            assert_eq!(permuted, want, "{from:?}");
        }
    }

    #[test]
    fn sort_detail_orders_as_the_plain_tuple_does() {
        for n in [3000, 150_000] {
            sorts_as_the_plain_tuple(n);
        }
    }

    fn sorts_as_the_plain_tuple(n: usize) {
        let mut next = crate::draws(7u64);
        let day = |n: u64| NaiveDate::from_ymd_opt(1, 1, 1).unwrap() + chrono::Days::new(n);
        let currencies = ["COP", "USD", "JPY"].map(|c| Currency::parse(c).unwrap());
        let kinds = [DocKind::Invoice, DocKind::Payment, DocKind::CreditNote];
        let mut docs: Vec<OpenDoc> = (0..n)
            .map(|k| OpenDoc {
                customer: CustomerId(
                    ["9001", "0042", "42", "B", "900100"][next(5) as usize].into(),
                ),
                name: format!("{k}"),
                currency: currencies[next(3) as usize],
                kind: kinds[next(3) as usize],
                id: DocId(["F-1", "F-10", "F-2", "a"][next(4) as usize].into()),
                date: day([0, 1, 739_000, 739_001, 3_000_000][next(5) as usize]),
                due: [
                    None,
                    Some(day(5)),
                    Some(day(739_002)),
                    Some(day(80_000_000)),
                ][next(4) as usize],
                days: None,
                bucket: None,
                open: Decimal::ONE,
            })
            .collect();
        let mut want = docs.clone();
        want.sort_by(|a, b| {
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
        sort_detail(&mut docs);
        assert_eq!(docs, want);
    }
}
