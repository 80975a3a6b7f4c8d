//! Risk: per (customer, currency), the figures a credit manager decides on (balance,
//! overdue, credit use, payment history, provision) and the level of the credit policy
//! they place the customer in, with the condition that did. Pure.

mod history;

pub(crate) use history::History;

use crate::model::Text;
use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::aging::Aging;
use crate::allocate::Allocation;
use crate::model::{CustomerId, DocKind, Ledger};
use crate::money::Currency;
use crate::policy::{Condition, Policy};

/// What a customers file says of a customer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerInfo {
    pub name: Option<String>,
    pub segment: String,
    /// Credit limit per currency; wins over the policy's.
    pub limits: BTreeMap<Currency, Decimal>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiskRow {
    pub customer: CustomerId,
    pub name: String,
    pub segment: String,
    pub currency: Currency,
    pub balance: Decimal,
    /// Open on invoices past their due date.
    pub overdue: Decimal,
    /// overdue / balance, exact (none when the balance is not positive); shown to 4 places.
    pub overdue_share: Option<Decimal>,
    /// Days past due of the oldest open invoice (0 when none is overdue).
    pub max_days_past_due: i64,
    pub credit_limit: Option<Decimal>,
    /// balance / credit limit, exact; shown to 4 places.
    pub credit_use: Option<Decimal>,
    pub available_credit: Option<Decimal>,
    /// Amount-weighted average days late of the invoices settled in the window, exact;
    /// shown to 2 places.
    pub avg_days_late: Option<Decimal>,
    /// Share of those invoices paid late, exact; shown to 4 places.
    pub late_share: Option<Decimal>,
    /// Σ bucket × provision rate, rounded half away from zero to the currency's minor unit.
    pub provision: Decimal,
    /// Index into the policy's levels; none when no level matched.
    pub level: Option<usize>,
    /// The condition that placed the customer (`max_days_past_due 144 > 90`).
    pub reason: String,
}

impl RiskRow {
    /// A row with nothing summed yet.
    pub(crate) fn new(
        customer: CustomerId,
        name: String,
        segment: String,
        currency: Currency,
    ) -> RiskRow {
        RiskRow {
            customer,
            name,
            segment,
            currency,
            balance: Decimal::ZERO,
            overdue: Decimal::ZERO,
            overdue_share: None,
            max_days_past_due: 0,
            credit_limit: None,
            credit_use: None,
            available_credit: None,
            avg_days_late: None,
            late_share: None,
            provision: Decimal::ZERO,
            level: None,
            reason: String::new(),
        }
    }
}

/// Half away from zero, as an accountant rounds (figures are decided on exactly and rounded
/// only to be shown).
pub fn round(d: Decimal, places: u32) -> Decimal {
    d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

fn share(part: Decimal, whole: Decimal) -> Option<Decimal> {
    (whole > Decimal::ZERO)
        .then(|| part.checked_div(whole))
        .flatten()
}

/// One row per (customer, currency) with a document dated by the as-of date, sorted by
/// level (in policy order, unmatched last), currency, balance (largest first), customer.
pub fn assess(
    ledger: &Ledger,
    alloc: &Allocation,
    aging: &Aging,
    policy: &Policy,
    customers: &crate::Map<CustomerId, CustomerInfo>,
    names: &crate::aging::Names,
) -> Vec<RiskRow> {
    // Keyed by the customer's own text, held in the table: finding a row reads no document.
    let mut rows: crate::Map<(Text, Currency), RiskRow> = crate::Map::default();
    let existing = ledger
        .invoices
        .iter()
        .zip(&alloc.invoice_open)
        .filter(|(_, o)| o.is_some())
        .map(|(i, _)| (&i.customer, i.currency));
    let existing = existing.chain(
        ledger
            .credits
            .iter()
            .zip(&alloc.credit_unapplied)
            .filter(|(_, u)| u.is_some())
            .map(|(c, _)| (&c.customer, c.currency)),
    );
    for (customer, currency) in existing {
        rows.entry((customer.0.clone(), currency))
            .or_insert_with(|| {
                let info = customers.get(customer);
                let name = info
                    .and_then(|i| i.name.clone())
                    .or_else(|| names.get(customer).map(|n| n.to_string()));
                let segment = info.map_or(String::new(), |i| i.segment.clone());
                RiskRow::new(
                    customer.clone(),
                    name.unwrap_or_default(),
                    segment,
                    currency,
                )
            });
    }
    for doc in &aging.detail {
        let Some(row) = rows.get_mut(&(doc.customer.0.clone(), doc.currency)) else {
            continue;
        };
        row.balance += doc.open;
        if let (DocKind::Invoice, Some(due), Some(bucket)) = (doc.kind, doc.due, doc.bucket) {
            let days = (aging.as_of - due).num_days();
            if days > 0 {
                row.overdue += doc.open;
                row.max_days_past_due = row.max_days_past_due.max(days);
            }
            row.provision += doc.open * policy.aging.buckets[bucket].provision_rate;
        }
    }
    let history = history::payment_history(ledger, alloc, policy.risk.history_days);
    for (key, row) in rows.iter_mut() {
        complete(row, history.get(key), policy, customers);
    }
    Ranked::new(rows.into_values().collect()).into_sorted()
}

/// A row's figures summed (balance, overdue, unrounded provision): the rest of them from
/// the limits and the payment history, then its level.
pub(crate) fn complete(
    row: &mut RiskRow,
    history: Option<&History>,
    policy: &Policy,
    customers: &crate::Map<CustomerId, CustomerInfo>,
) {
    let (customer, currency) = (&row.customer, &row.currency);
    row.provision = round(row.provision, currency.minor_units());
    row.overdue_share = share(row.overdue, row.balance);
    row.credit_limit = customers
        .get(customer)
        .and_then(|i| i.limits.get(currency))
        .or_else(|| {
            policy
                .credit
                .limits
                .get(customer)
                .and_then(|l| l.get(currency))
        })
        .or_else(|| policy.credit.default_limit.get(currency))
        .copied();
    if let Some(limit) = row.credit_limit {
        row.credit_use = share(row.balance, limit);
        row.available_credit = Some(limit - row.balance);
    }
    if let Some(h) = history {
        row.avg_days_late = h.average_days_late();
        row.late_share = share(Decimal::from(h.late), Decimal::from(h.settled));
    }
    (row.level, row.reason) = grade(row, policy);
}

/// Risk rows and the order the report lists them in ([`report_order`]): kept apart, so
/// that a CSV is written through the order and the rows (large) are not moved.
pub struct Ranked {
    rows: Vec<RiskRow>,
    /// Where each place's row is; `None` when the rows are in order.
    order: Option<Vec<usize>>,
}

impl Ranked {
    /// Rows in any order, ranked.
    pub(crate) fn new(rows: Vec<RiskRow>) -> Ranked {
        let order = report_order(&rows);
        Ranked {
            rows,
            order: Some(order),
        }
    }

    /// Rows in the report's order already ([`assess`]'s).
    pub fn sorted(rows: Vec<RiskRow>) -> Ranked {
        Ranked { rows, order: None }
    }

    /// The row at place `i` of the report.
    pub fn get(&self, i: usize) -> &RiskRow {
        &self.rows[self.order.as_ref().map_or(i, |order| order[i])]
    }

    /// The rows, in no set order.
    pub fn rows(&self) -> &[RiskRow] {
        &self.rows
    }

    /// The rows in the report's order, put there in place.
    pub fn into_sorted(self) -> Vec<RiskRow> {
        let mut rows = self.rows;
        if let Some(order) = self.order {
            crate::aging::permute(&mut rows, |place| order[place]);
        }
        rows
    }
}

/// The report's order of `rows`: by level (in policy order, unmatched last), currency,
/// balance (largest first), customer; the index of the row at each place. The keys are
/// sorted, not the rows (large).
fn report_order(rows: &[RiskRow]) -> Vec<usize> {
    let mut keyed: Vec<_> = (rows.iter().enumerate())
        .map(|(i, r)| {
            let key = (r.level.is_none(), r.level, r.currency);
            let customer = id_prefix(r.customer.0.as_bytes());
            ((key, std::cmp::Reverse(r.balance), customer), i)
        })
        .collect();
    // A customer has one row per currency: no two rows are equal. Rows equal on the key
    // (many: a level's customers with nothing open) are told apart by the customer's id,
    // its first bytes in the key, the rest only when those are the same.
    crate::aging::sort_on_both(&mut keyed, |(ka, a), (kb, b)| {
        ka.cmp(kb)
            .then_with(|| rows[*a].customer.cmp(&rows[*b].customer))
    });
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// The first 8 bytes of an id, zeros after a shorter one, as a number that orders as
/// the ids do wherever two differ: where two are the same, the whole ids decide.
fn id_prefix(id: &[u8]) -> u64 {
    let mut first = [0u8; 8];
    for (to, from) in first.iter_mut().zip(id) {
        *to = *from;
    }
    u64::from_be_bytes(first)
}

/// The first level any of whose conditions holds, and why.
fn grade(row: &RiskRow, policy: &Policy) -> (Option<usize>, String) {
    if policy.risk.levels.is_empty() {
        return (None, String::new()); // a policy without levels grades no one
    }
    for (i, level) in policy.risk.levels.iter().enumerate() {
        if level.conditions.is_empty() {
            return (Some(i), "no condition above held".to_string());
        }
        if let Some(reason) = level.conditions.iter().find_map(|c| holds(c, row)) {
            return (Some(i), reason);
        }
    }
    (None, "no level matched".to_string())
}

/// `Some(reason)` when the condition holds (strictly over its threshold).
fn holds(condition: &Condition, row: &RiskRow) -> Option<String> {
    let minor = row.currency.minor_units();
    let money = |d: Decimal| crate::money::format_plain(d, minor);
    let over = |value: Option<Decimal>, limit: Decimal, places: u32| {
        // The value as decided on: exact, shown to at most 6 places (and at least `places`).
        let shown = |d: Decimal| crate::money::format_plain(round(d, 6), places);
        value
            .filter(|v| *v > limit)
            .map(|v| format!("{} {} > {}", condition.key(), shown(v), limit))
    };

    match condition {
        Condition::MaxDaysPastDueOver(days) => (row.max_days_past_due > *days)
            .then(|| format!("max_days_past_due {} > {days}", row.max_days_past_due)),
        Condition::OverdueShareOver(s) => over(row.overdue_share, *s, 4),
        // Any balance is over a limit of zero (a cash-only or blocked customer).
        Condition::CreditUseOver(_)
            if row.credit_limit.is_some_and(|l| l.is_zero()) && row.balance > Decimal::ZERO =>
        {
            Some(format!(
                "credit_use: balance {} > credit limit 0",
                money(row.balance)
            ))
        }
        Condition::CreditUseOver(s) => over(row.credit_use, *s, 4),
        Condition::LateShareOver(s) => over(row.late_share, *s, 4),
        Condition::AvgDaysLateOver(days) => over(row.avg_days_late, Decimal::from(*days), 2),
        Condition::OverdueOver(map) => {
            let limit = map.get(&row.currency)?;
            (row.overdue > *limit).then(|| {
                format!(
                    "overdue {} > {} {}",
                    money(row.overdue),
                    money(*limit),
                    row.currency
                )
            })
        }
        Condition::BalanceOver(map) => {
            let limit = map.get(&row.currency)?;
            (row.balance > *limit).then(|| {
                format!(
                    "balance {} > {} {}",
                    money(row.balance),
                    money(*limit),
                    row.currency
                )
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wherever the prefixes of two ids differ, they order the ids as the ids order
    /// themselves (shorter ids, ids alike for their first 8 bytes, NUL and non-ASCII bytes
    /// among them); the rows ranked through them come out as ranked by the whole ids.
    #[test]
    fn id_prefixes_order_ids_as_the_ids_do() {
        let mut draw = crate::draws(5);
        let bytes = [b'0', b'9', b'A', b'-', 0, 0xC3, 0xB1];
        let mut ids: Vec<String> = Vec::new();
        for _ in 0..400 {
            let len = draw(13) as usize;
            let id: Vec<u8> = (0..len).map(|_| bytes[draw(7) as usize]).collect();
            ids.push(String::from_utf8_lossy(&id).into_owned());
        }
        ids.extend(
            [
                "",
                "C",
                "C-1",
                "C-10",
                "C-2",
                "CLIENTE-0001",
                "CLIENTE-0002",
            ]
            .map(String::from),
        );
        for a in &ids {
            for b in &ids {
                let (pa, pb) = (id_prefix(a.as_bytes()), id_prefix(b.as_bytes()));
                if pa != pb {
                    assert_eq!(pa.cmp(&pb), a.cmp(b), "{a:?} {b:?}");
                }
            }
        }
        ids.sort();
        ids.dedup();
        let row = |id: &String| {
            let customer = CustomerId(id.as_str().into());
            RiskRow::new(customer, String::new(), String::new(), Currency::XXX)
        };
        let mut shuffled: Vec<&String> = ids.iter().collect();
        shuffled.sort_by_key(|id| id.bytes().rev().collect::<Vec<u8>>());
        let rows: Vec<RiskRow> = shuffled.into_iter().map(row).collect();
        let ranked = Ranked::new(rows).into_sorted();
        let got: Vec<&str> = ranked.iter().map(|r| r.customer.0.as_str()).collect();
        assert_eq!(got, ids);
    }
}
