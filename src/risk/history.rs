//! Payment history: how late each customer settled its invoices.
//!
//! An invoice counts when it is closed as of the date and a payment settled it: the payment
//! that closed it is the last payment the engine applied to it (a credit note that takes
//! off the rest afterwards does not hide it), dated within the look-back window. Its days
//! late are that payment's date − the due date, at least 0. Invoices closed by credit notes
//! alone say nothing about paying habits and are left out.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use crate::allocate::Allocation;
use crate::model::{CreditKind, Ledger, Text};
use crate::money::Currency;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    /// Invoices settled by payment in the window.
    pub settled: u64,
    /// Of them, paid after their due date.
    pub late: u64,
    /// Σ amount × days late, and Σ amount.
    weighted_days: Decimal,
    weight: Decimal,
}

impl History {
    /// From its sums (Σ amount × days late, Σ amount).
    pub(crate) fn from_sums(
        settled: u64,
        late: u64,
        weighted_days: Decimal,
        weight: Decimal,
    ) -> History {
        History {
            settled,
            late,
            weighted_days,
            weight,
        }
    }

    /// Σ amount × days late / Σ amount.
    pub fn average_days_late(&self) -> Option<Decimal> {
        (self.weight > Decimal::ZERO)
            .then(|| self.weighted_days.checked_div(self.weight))
            .flatten()
    }
}

pub fn payment_history(
    ledger: &Ledger,
    alloc: &Allocation,
    history_days: u32,
) -> crate::Map<(Text, Currency), History> {
    let since = alloc
        .as_of
        .checked_sub_days(Days::new(u64::from(history_days)))
        .unwrap_or(NaiveDate::MIN);
    // The last payment the engine applied to each invoice (a slot per invoice: a map of
    // millions of them is slower and bigger).
    let mut last: Vec<Option<u32>> = vec![None; ledger.invoices.len()];
    for a in &alloc.applications {
        if let Some(c) = a
            .credit
            .filter(|&c| ledger.credits[c].kind == CreditKind::Payment)
        {
            last[a.invoice] = u32::try_from(c).ok();
        }
    }
    let mut out: crate::Map<(Text, Currency), History> = crate::Map::default();
    let paid = last.into_iter().enumerate();
    for (i, c) in paid.filter_map(|(i, c)| Some((i, c? as usize))) {
        let (invoice, credit) = (&ledger.invoices[i], &ledger.credits[c]);
        let closed = alloc.invoice_open[i].is_some_and(|o| o.is_zero());
        if !closed || credit.date < since {
            continue;
        }
        let days_late = (credit.date - invoice.due).num_days().max(0);
        let h = out
            .entry((invoice.customer.0.clone(), invoice.currency))
            .or_default();
        h.settled += 1;
        h.late += u64::from(days_late > 0);
        h.weighted_days += invoice.amount * Decimal::from(days_late);
        h.weight += invoice.amount;
    }
    out
}
