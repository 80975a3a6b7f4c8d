//! The runtime check that money in equals money out, run before any report is printed.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::Allocation;
use crate::model::Ledger;
use crate::money::Currency;

/// Money in equals money out, per currency: Σ invoices issued by `as_of` = Σ applied
/// (write-offs included) + Σ open, and Σ credits (their value) = Σ applied from credits +
/// Σ unapplied. A run that would break this is a bug and must stop before printing.
pub fn check_conservation(ledger: &Ledger, alloc: &Allocation) -> Result<(), String> {
    #[derive(Default)]
    struct Sums {
        invoiced: Decimal,
        open: Decimal,
        to_invoices: Decimal,
        credited: Decimal,
        unapplied: Decimal,
        from_credits: Decimal,
    }
    let mut sums: BTreeMap<Currency, Sums> = BTreeMap::new();
    for (inv, open) in ledger.invoices.iter().zip(&alloc.invoice_open) {
        if let Some(open) = open {
            let s = sums.entry(inv.currency).or_default();
            s.invoiced += inv.amount;
            s.open += *open;
        }
    }
    for (credit, left) in ledger.credits.iter().zip(&alloc.credit_unapplied) {
        if let Some(left) = left {
            let s = sums.entry(credit.currency).or_default();
            s.credited += credit.value();
            s.unapplied += *left;
        }
    }
    // Applications come in no order of invoice: look currencies up in a small copy (3
    // bytes an invoice) rather than in the invoices themselves.
    let currency_of: Vec<Currency> = ledger.invoices.iter().map(|i| i.currency).collect();
    for a in &alloc.applications {
        let s = sums.entry(currency_of[a.invoice]).or_default();
        s.to_invoices += a.amount;
        if a.credit.is_some() {
            s.from_credits += a.amount;
        }
    }
    // And each document on its own: no invoice open below zero or above its amount, every
    // credit's value = what it applied + what is left of it, nothing left below zero.
    let mut from_credit = vec![Decimal::ZERO; ledger.credits.len()];
    for a in &alloc.applications {
        if let Some(c) = a.credit {
            from_credit[c] += a.amount;
        }
    }
    for (i, (inv, open)) in ledger.invoices.iter().zip(&alloc.invoice_open).enumerate() {
        if let Some(open) = open.filter(|o| *o < Decimal::ZERO || *o > inv.amount) {
            return Err(format!(
                "invoice {} (#{i}) is open by {open} of {}",
                inv.id.0, inv.amount
            ));
        }
    }
    for (c, (credit, left)) in ledger
        .credits
        .iter()
        .zip(&alloc.credit_unapplied)
        .enumerate()
    {
        if let Some(left) =
            left.filter(|l| *l < Decimal::ZERO || credit.value() != from_credit[c] + *l)
        {
            return Err(format!(
                "credit {} (#{c}) of {} applied {} and left {left}",
                credit.id.0,
                credit.value(),
                from_credit[c]
            ));
        }
    }
    for (cur, s) in sums {
        if s.invoiced != s.to_invoices + s.open || s.credited != s.from_credits + s.unapplied {
            return Err(format!(
                "{cur}: invoiced {} ≠ applied {} + open {}, or credited {} ≠ applied {} + unapplied {}",
                s.invoiced, s.to_invoices, s.open, s.credited, s.from_credits, s.unapplied
            ));
        }
    }
    Ok(())
}
