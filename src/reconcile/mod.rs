//! Reconciliation: what the allocation did, per customer and per application, and what
//! needs a person (the exceptions). Pure: reads an allocation, returns report values.
//!
//! Per (customer, currency): invoiced = paid + withheld + discounted + credited +
//! written_off + open, checked before anything is printed (`check_summary`).

mod exceptions;

use crate::model::Text;
use std::collections::BTreeMap;

use rust_decimal::Decimal;

pub use exceptions::{Exception, ExceptionCode, exceptions};

use crate::aging::customer_names;
use crate::allocate::{Allocation, Rule};
use crate::model::{CreditKind, CustomerId, Ledger};
use crate::money::Currency;

/// One application with its parts: `applied` is the cash (or credit note) part, so the
/// invoice was settled by applied + withholding + discount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line<'a> {
    /// The credit's id; empty for a write-off.
    pub payment_id: &'a str,
    pub invoice_id: &'a str,
    pub customer: &'a CustomerId,
    pub currency: Currency,
    pub applied: Decimal,
    pub withholding: Decimal,
    pub discount: Decimal,
    pub rule: Rule,
}

/// The summary of one (customer, currency); totals use an empty customer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    pub customer: CustomerId,
    pub name: String,
    pub currency: Option<Currency>,
    pub invoiced: Decimal,
    pub paid: Decimal,
    pub withheld: Decimal,
    pub discounted: Decimal,
    pub credited: Decimal,
    pub written_off: Decimal,
    pub open: Decimal,
    pub unapplied: Decimal,
}

/// Splits each application into its parts. A credit's parts are used up withholding first,
/// then discount, then cash: the withholding and discount belong to the invoice the payment
/// names, and what exceeds an invoice is cash.
pub fn lines<'a>(ledger: &'a Ledger, alloc: &Allocation) -> Vec<Line<'a>> {
    let mut left: Vec<[Decimal; 3]> = ledger
        .credits
        .iter()
        .map(|c| [c.withholding, c.discount, c.amount])
        .collect();
    alloc
        .applications
        .iter()
        .map(|a| {
            let invoice = &ledger.invoices[a.invoice];
            let mut parts = [Decimal::ZERO; 3];
            if let Some(c) = a.credit {
                let mut rest = a.amount;
                for (part, left) in parts.iter_mut().zip(left[c].iter_mut()) {
                    *part = rest.min(*left);
                    *left -= *part;
                    rest -= *part;
                }
                parts[2] += rest; // nothing, unless the engine applied more than the value
            } else {
                parts[2] = a.amount;
            }
            Line {
                payment_id: a.credit.map_or("", |c| ledger.credits[c].id.0.as_str()),
                invoice_id: invoice.id.0.as_str(),
                customer: &invoice.customer,
                currency: invoice.currency,
                applied: parts[2],
                withholding: parts[0],
                discount: parts[1],
                rule: a.rule,
            }
        })
        .collect()
}

/// The summary rows, sorted by (currency, customer), and one total per currency.
pub fn summary<'a>(
    ledger: &'a Ledger,
    alloc: &Allocation,
    lines: &[Line<'a>],
) -> (Vec<Row>, Vec<Row>) {
    let names = customer_names(ledger, alloc.as_of);
    // Summed in a hash map, then sorted once: a sorted map compares customer ids on every
    // document.
    // Keyed by the customer's own text, held in the table: finding a row reads no document.
    let mut rows: crate::Map<(Currency, Text), Row> = crate::Map::default();
    for (inv, open) in ledger.invoices.iter().zip(&alloc.invoice_open) {
        let Some(open) = open else { continue };
        let r = rows_entry(&mut rows, &inv.customer, inv.currency, &names);
        r.invoiced += inv.amount;
        r.open += *open;
    }
    for (credit, left) in ledger.credits.iter().zip(&alloc.credit_unapplied) {
        let Some(left) = left else { continue };
        rows_entry(&mut rows, &credit.customer, credit.currency, &names).unapplied += *left;
    }
    for (line, a) in lines.iter().zip(&alloc.applications) {
        let r = rows_entry(&mut rows, line.customer, line.currency, &names);
        match a.credit.map(|c| ledger.credits[c].kind) {
            None => r.written_off += line.applied,
            Some(CreditKind::CreditNote) => r.credited += line.applied,
            Some(CreditKind::Payment) => r.paid += line.applied,
        }
        r.withheld += line.withholding;
        r.discounted += line.discount;
    }
    let mut rows: Vec<((Currency, Text), Row)> = (rows.into_iter())
        .filter(|(_, r)| r.amounts().iter().any(|a| !a.is_zero()))
        .collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let rows: Vec<Row> = rows.into_iter().map(|(_, r)| r).collect();
    let mut totals: BTreeMap<Currency, Row> = BTreeMap::new();
    for r in &rows {
        let t = totals
            .entry(r.currency.expect("rows have a currency"))
            .or_insert_with(|| Row {
                currency: r.currency,
                ..Row::default()
            });
        for (t, v) in t.amounts_mut().into_iter().zip(r.amounts()) {
            *t += v;
        }
    }
    (rows, totals.into_values().collect())
}

fn rows_entry<'b>(
    rows: &'b mut crate::Map<(Currency, Text), Row>,
    customer: &CustomerId,
    currency: Currency,
    names: &crate::Map<&CustomerId, &str>,
) -> &'b mut Row {
    rows.entry((currency, customer.0.clone()))
        .or_insert_with(|| Row {
            customer: customer.clone(),
            name: names.get(customer).map_or(String::new(), |n| n.to_string()),
            currency: Some(currency),
            ..Row::default()
        })
}

impl Row {
    /// invoiced, paid, withheld, discounted, credited, written_off, open, unapplied.
    pub fn amounts(&self) -> [Decimal; 8] {
        [
            self.invoiced,
            self.paid,
            self.withheld,
            self.discounted,
            self.credited,
            self.written_off,
            self.open,
            self.unapplied,
        ]
    }

    fn amounts_mut(&mut self) -> [&mut Decimal; 8] {
        [
            &mut self.invoiced,
            &mut self.paid,
            &mut self.withheld,
            &mut self.discounted,
            &mut self.credited,
            &mut self.written_off,
            &mut self.open,
            &mut self.unapplied,
        ]
    }
}

/// Every row ties: invoiced = paid + withheld + discounted + credited + written_off + open.
pub fn check_summary(rows: &[Row]) -> Result<(), String> {
    for r in rows {
        let settled = r.paid + r.withheld + r.discounted + r.credited + r.written_off + r.open;
        if r.invoiced != settled {
            let cur = r.currency.map_or(String::new(), |c| c.to_string());
            return Err(format!(
                "{} {cur}: invoiced {} ≠ paid, withheld, discounted, credited, written off and open {settled}",
                r.customer.0, r.invoiced
            ));
        }
    }
    Ok(())
}
