//! The exceptions of a reconciliation: each thing a person should look at, with a stable
//! code, the document, where it was read, and a message that says what cartera did.

use std::collections::HashSet;

use rust_decimal::Decimal;

use crate::allocate::{Allocation, RefIssue, Rule, invoices_by_id};
use crate::model::{CustomerId, DocKind, Ledger, Loc};
use crate::money::{Currency, format_plain};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExceptionCode {
    UnknownRef,
    CustomerMismatch,
    CurrencyMismatch,
    Overpaid,
    Unapplied,
    DuplicatePayment,
    FutureDated,
}

impl ExceptionCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionCode::UnknownRef => "unknown_ref",
            ExceptionCode::CustomerMismatch => "customer_mismatch",
            ExceptionCode::CurrencyMismatch => "currency_mismatch",
            ExceptionCode::Overpaid => "overpaid",
            ExceptionCode::Unapplied => "unapplied",
            ExceptionCode::DuplicatePayment => "duplicate_payment",
            ExceptionCode::FutureDated => "future_dated",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exception {
    pub code: ExceptionCode,
    pub kind: DocKind,
    pub id: crate::model::Text,
    pub customer: CustomerId,
    pub currency: Currency,
    /// The amount concerned (what went to the pool, stayed unapplied, or was ignored).
    pub amount: Decimal,
    pub loc: Loc,
    pub message: String,
}

/// Every exception, in input order (then by code).
pub fn exceptions(ledger: &Ledger, alloc: &Allocation) -> Vec<Exception> {
    let mut out = Vec::new();
    let money = |d: Decimal, c: Currency| format!("{} {c}", format_plain(d, c.minor_units()));
    let by_reference = referenced_amounts(alloc);
    let by_id = invoices_by_id(ledger, &alloc.invoice_open);
    let open_pools: HashSet<(&CustomerId, Currency)> = ledger
        .invoices
        .iter()
        .zip(&alloc.invoice_open)
        .filter(|(_, o)| o.is_some_and(|o| o > Decimal::ZERO))
        .map(|(i, _)| (&i.customer, i.currency))
        .collect();
    for &(c, issue) in &alloc.ref_issues {
        let credit = &ledger.credits[c];
        let (kind, reference) = (
            credit.kind.into(),
            credit.reference.as_ref().map_or("", |r| r.0.as_str()),
        );
        let word = DocKind::as_str(kind).replace('_', " ");
        let target = by_id.get(reference).map(|i| &ledger.invoices[i]);
        let (code, amount, message) = match (issue, target) {
            (RefIssue::Overpaid, _) => {
                let excess = credit.value() - by_reference.get(&c).copied().unwrap_or_default();
                (
                    ExceptionCode::Overpaid,
                    excess,
                    format!(
                        "{word} {} exceeds what was open on invoice {reference} by {}; the excess went to the customer's pool",
                        credit.id.0,
                        money(excess, credit.currency)
                    ),
                )
            }
            (RefIssue::CustomerMismatch, Some(inv)) => (
                ExceptionCode::CustomerMismatch,
                credit.value(),
                format!(
                    "{word} {} names invoice {reference} of customer {}; its {} went to the pool of customer {}",
                    credit.id.0,
                    inv.customer.0,
                    money(credit.value(), credit.currency),
                    credit.customer.0
                ),
            ),
            (RefIssue::CurrencyMismatch, Some(inv)) => (
                ExceptionCode::CurrencyMismatch,
                credit.value(),
                format!(
                    "{word} {} of {} names invoice {reference} in {}; it went to the customer's {} pool",
                    credit.id.0,
                    money(credit.value(), credit.currency),
                    inv.currency,
                    credit.currency
                ),
            ),
            _ => (
                ExceptionCode::UnknownRef,
                credit.value(),
                format!(
                    "{word} {} names invoice {reference}, which does not exist as of {}; its {} went to the customer's pool",
                    credit.id.0,
                    alloc.as_of,
                    money(credit.value(), credit.currency)
                ),
            ),
        };
        out.push(Exception {
            code,
            kind,
            id: credit.id.0.clone(),
            customer: credit.customer.clone(),
            currency: credit.currency,
            amount,
            loc: credit.loc,
            message,
        });
    }
    for (c, credit) in ledger.credits.iter().enumerate() {
        let kind: DocKind = credit.kind.into();
        let word = kind.as_str().replace('_', " ");
        let Some(left) = alloc.credit_unapplied[c] else {
            continue;
        };
        if left > Decimal::ZERO {
            // Parts are used withholding first, so what is left of the withholding is what
            // was not applied at all.
            let withheld = (credit.withholding - (credit.value() - left)).max(Decimal::ZERO);
            let of_which = if withheld > Decimal::ZERO {
                format!(" ({} of it withheld)", money(withheld, credit.currency))
            } else {
                String::new()
            };
            let why = if open_pools.contains(&(&credit.customer, credit.currency)) {
                format!(
                    "customer {} has open invoices in {}, but the policy's order has no oldest_first to apply it",
                    credit.customer.0, credit.currency
                )
            } else {
                format!(
                    "customer {} has no open invoice in {} left",
                    credit.customer.0, credit.currency
                )
            };
            let message = format!(
                "{word} {} has {}{of_which} unapplied: {why}",
                credit.id.0,
                money(left, credit.currency)
            );
            out.push(Exception {
                code: ExceptionCode::Unapplied,
                kind,
                id: credit.id.0.clone(),
                customer: credit.customer.clone(),
                currency: credit.currency,
                amount: left,
                loc: credit.loc,
                message,
            });
        }
    }
    for (c, first) in alloc.repeated_credits(ledger) {
        let credit = &ledger.credits[c];
        let kind: DocKind = credit.kind.into();
        let message = format!(
            "{} {} appears again (first at {}); both were applied",
            kind.as_str().replace('_', " "),
            credit.id.0,
            ledger.describe(first)
        );
        out.push(Exception {
            code: ExceptionCode::DuplicatePayment,
            kind,
            id: credit.id.0.clone(),
            customer: credit.customer.clone(),
            currency: credit.currency,
            amount: credit.value(),
            loc: credit.loc,
            message,
        });
    }
    let future_invoices = ledger
        .invoices
        .iter()
        .zip(&alloc.invoice_open)
        .filter(|(_, o)| o.is_none())
        .map(|(i, _)| {
            (
                DocKind::Invoice,
                &i.id.0,
                &i.customer,
                i.currency,
                i.amount,
                i.date,
                i.loc,
            )
        });
    let future_credits = ledger
        .credits
        .iter()
        .zip(&alloc.credit_unapplied)
        .filter(|(_, u)| u.is_none())
        .map(|(c, _)| {
            (
                c.kind.into(),
                &c.id.0,
                &c.customer,
                c.currency,
                c.value(),
                c.date,
                c.loc,
            )
        });
    for (kind, id, customer, currency, amount, date, loc) in future_invoices.chain(future_credits) {
        let message = format!(
            "{} {id} is dated {date}, after {}: ignored",
            kind.as_str().replace('_', " "),
            alloc.as_of
        );
        out.push(Exception {
            code: ExceptionCode::FutureDated,
            kind,
            id: id.clone(),
            customer: customer.clone(),
            currency,
            amount,
            loc,
            message,
        });
    }
    out.sort_by_key(|e| (e.loc, e.code));
    out
}

/// What each credit applied by reference.
fn referenced_amounts(alloc: &Allocation) -> crate::Map<usize, Decimal> {
    let mut by_credit = crate::Map::default();
    for a in alloc
        .applications
        .iter()
        .filter(|a| a.rule == Rule::Reference)
    {
        if let Some(c) = a.credit {
            *by_credit.entry(c).or_default() += a.amount;
        }
    }
    by_credit
}
