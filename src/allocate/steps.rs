//! The steps of the allocation engine, each applying credits to invoices through `Work`.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{Application, InvoicesById, RefIssue, Rule, Work};
use crate::money::Currency;

/// Each credit with a reference pays that invoice, in (date, input order), up to its open
/// balance; every reference not followed in full is recorded with its reason.
pub(super) fn follow_references(work: &mut Work, order: &[usize], by_id: &InvoicesById) {
    let ledger = work.ledger;
    for &c in order {
        let credit = &ledger.credits[c];
        let Some(reference) = &credit.reference else {
            continue;
        };
        let issue = match by_id.get(reference.0.as_str()) {
            None => Some(RefIssue::Unknown),
            Some(i) if ledger.invoices[i].customer != credit.customer => {
                Some(RefIssue::CustomerMismatch)
            }
            Some(i) if ledger.invoices[i].currency != credit.currency => {
                Some(RefIssue::CurrencyMismatch)
            }
            Some(i) => {
                work.apply(c, i, Rule::Reference);
                work.has_left(c).then_some(RefIssue::Overpaid)
            }
        };
        if let Some(issue) = issue {
            work.ref_issues.push((c, issue));
        }
    }
}

/// An invoice that referenced credits paid down to no more than its currency's tolerance
/// is closed by an explicit write-off (never silently).
pub(super) fn write_off_within_tolerance(work: &mut Work, tolerance: &BTreeMap<Currency, Decimal>) {
    if tolerance.is_empty() {
        return;
    }
    let mut referenced = vec![false; work.ledger.invoices.len()];
    for a in &work.applications {
        referenced[a.invoice] = true;
    }
    for (i, inv) in work.ledger.invoices.iter().enumerate() {
        let (Some(open), Some(limit)) = (work.open[i], tolerance.get(&inv.currency)) else {
            continue;
        };
        if referenced[i] && open > Decimal::ZERO && open <= *limit {
            work.open[i] = Some(Decimal::ZERO);
            work.applications.push(Application {
                credit: None,
                invoice: i,
                amount: open,
                rule: Rule::Tolerance,
            });
        }
    }
}

/// Each unreferenced credit of the pool with nothing applied yet, equal to the open balance
/// of exactly one open invoice of the pool, pays that invoice.
pub(super) fn exact_amounts(work: &mut Work, credits: &[usize], invoices: &[usize]) {
    let mut by_open: crate::Map<Decimal, Vec<usize>> = crate::Map::default();
    for &i in invoices.iter().filter(|&&i| work.is_open(i)) {
        let open = work.open[i].unwrap_or_default().normalize();
        by_open.entry(open).or_default().push(i);
    }
    for &c in credits {
        let Some(left) = work.left[c].filter(|l| *l > Decimal::ZERO) else {
            continue;
        };
        let credit = &work.ledger.credits[c];
        if credit.reference.is_some() || left != credit.value() {
            continue; // it names an invoice, or part of it went somewhere already
        }
        let Some(candidates) = by_open.get(&left.normalize()) else {
            continue;
        };
        let mut still_open = candidates.iter().filter(|&&i| work.open[i] == Some(left));
        if let (Some(&i), None) = (still_open.next(), still_open.next()) {
            work.apply(c, i, Rule::ExactAmount);
        }
    }
}

/// The pool's credits, in (date, input order), pay its open invoices in (due date, issue
/// date, id) order.
pub(super) fn oldest_first(work: &mut Work, credits: &[usize], invoices: &[usize]) {
    let mut next = invoices
        .iter()
        .copied()
        .filter(|&i| work.is_open(i))
        .collect::<Vec<_>>()
        .into_iter()
        .peekable();
    for &c in credits {
        while let Some(&i) = next.peek() {
            work.apply(c, i, Rule::OldestFirst);
            if work.is_open(i) {
                break; // this credit is spent; the invoice stays open for the next one
            }
            next.next();
        }
    }
}
