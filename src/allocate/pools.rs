//! The pools of credit of the engine: which credits and which open invoices each (customer,
//! currency) pool holds, and in what order; built on both cores for a big ledger.

use chrono::NaiveDate;

use super::Work;
use crate::model::{CustomerId, Ledger, Text};
use crate::money::Currency;

/// A pool: its credits (in date, input order) and the open invoices they may pay, in
/// (due date, issue date, id, input order).
pub(super) type Pool = (Vec<usize>, Vec<usize>);

/// The pools of credit per (customer, currency) of the credits with something left, in
/// (customer, currency) order (a fixed order for the applications list). Built from compact
/// keys sorted once, not per-pool lists sorted by looking up each invoice: on millions of
/// documents every look-up is a cache miss.
pub(super) fn pools(
    ledger: &Ledger,
    work: &Work,
    order: &[usize],
    parallel_from: usize,
) -> Vec<Pool> {
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
            if let (Some(&n), Ok(at)) = (n, u32::try_from(i)) {
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

/// Below this many invoices the engine stays on one core (a thread costs more than it saves).
pub(super) const PARALLEL_MIN_INVOICES: usize = 50_000;

/// `f` over `0..n`, in two halves at once (one on another core) when `n` is big enough to
/// be worth it; the results in order.
pub(super) fn on_halves<T: Send>(
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
