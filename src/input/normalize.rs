//! Raw CSV rows → domain documents. Pure apart from what it is handed: every failure
//! becomes a located message (`file:line: column "x": …`), collected so that a user can
//! fix an export in one pass; the first duplicate of an invoice id is remembered to name
//! both lines.

use std::collections::HashMap;

use chrono::Days;
use csv::ByteRecord;
use rust_decimal::Decimal;

use super::{Columns, Role};
use crate::dates::parse_iso_date;
use crate::error::{CliError, MAX_LISTED_ERRORS, sanitize};
use crate::model::{Credit, CreditKind, CustomerId, DocId, Invoice, Ledger, Loc};
use crate::money::{
    AmountError, Currency, MAX_DECIMALS, MAX_INTEGER_DIGITS, max_currency_total, parse_amount,
};
use crate::policy::Policy;

/// Accumulates documents and problems across all inputs of a run.
pub struct Collector {
    ledger: Ledger,
    default_currency: Currency,
    terms_days: u32,
    errors: Vec<String>,
    total_errors: usize,
    first_seen: HashMap<String, Loc>,
    /// Σ of every amount per currency, kept below `total_limit`.
    totals: HashMap<Currency, Decimal>,
    /// `max_currency_total()`; a field so that a test can lower it.
    total_limit: Decimal,
}

enum Kind {
    Invoice,
    Credit(CreditKind),
}

impl Collector {
    pub fn new(policy: &Policy) -> Self {
        Collector {
            ledger: Ledger::default(),
            default_currency: policy.default_currency,
            terms_days: policy.terms_days,
            errors: Vec::new(),
            total_errors: 0,
            first_seen: HashMap::new(),
            totals: HashMap::new(),
            total_limit: max_currency_total(),
        }
    }

    pub fn add_source(&mut self, name: String) {
        self.ledger.sources.push(name);
    }

    /// Records a problem (only the first few are kept word for word).
    pub fn error(&mut self, message: String) {
        self.total_errors += 1;
        if self.errors.len() < MAX_LISTED_ERRORS {
            self.errors.push(message);
        }
    }

    /// The ledger, or every problem found.
    pub fn finish(self) -> Result<Ledger, CliError> {
        if self.total_errors > 0 {
            return Err(CliError::Data {
                errors: self.errors,
                total: self.total_errors,
            });
        }
        Ok(self.ledger)
    }

    /// Normalises one data row.
    pub fn row(&mut self, rec: &ByteRecord, cols: &Columns, role: Role, loc: Loc) {
        if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            self.ledger.blank_rows += 1;
            return;
        }
        if rec.len() != cols.names.len() {
            let at = self.ledger.describe(loc);
            self.error(format!(
                "{at}: the row has {} fields but the header has {} (hint: a value that contains a comma must be in double quotes)",
                rec.len(),
                cols.names.len()
            ));
            return;
        }
        let mut bad = Vec::new();
        let mut field = |i: usize| -> &str {
            match std::str::from_utf8(&rec[i]) {
                Ok(s) => s.trim(),
                Err(_) => {
                    bad.push(format!("column \"{}\": the text is not valid UTF-8 (hint: save the file as \"CSV UTF-8\")", cols.names[i]));
                    ""
                }
            }
        };
        let kind_text = cols.kind.map_or("", &mut field);
        let id = field(cols.id);
        let customer = field(cols.customer);
        let name = cols.name.map_or("", &mut field);
        let date_text = field(cols.date);
        let due_text = cols.due.map_or("", &mut field);
        let amount_text = field(cols.amount);
        let currency_text = cols.currency.map_or("", &mut field);
        let reference = cols.reference.map_or("", &mut field);
        let col = |i: usize| &cols.names[i];
        let kind = match (parse_kind(kind_text), role) {
            (Some(kind), _) => Some(kind),
            (None, Role::Invoices) if kind_text.is_empty() => Some(Kind::Invoice),
            (None, Role::Payments) if kind_text.is_empty() => {
                Some(Kind::Credit(CreditKind::Payment))
            }
            (None, _) if kind_text.is_empty() => {
                bad.push(format!(
                    "column \"{}\": is empty (expected invoice, payment or credit_note)",
                    col(cols.kind.unwrap_or(0))
                ));
                None
            }
            _ => {
                bad.push(format!(
                    "column \"{}\": unknown type \"{}\" (expected invoice, payment or credit_note)",
                    col(cols.kind.unwrap_or(0)),
                    shown(kind_text)
                ));
                None
            }
        };
        if id.is_empty() {
            bad.push(format!(
                "column \"{}\": is empty (every document needs its number)",
                col(cols.id)
            ));
        }
        if customer.is_empty() {
            bad.push(format!(
                "column \"{}\": is empty (every document needs its customer)",
                col(cols.customer)
            ));
        }
        let date = parse_iso_date(date_text);
        if date.is_none() {
            bad.push(date_problem(col(cols.date), date_text));
        }
        let amount = match parse_amount(amount_text) {
            Ok(a) if a.is_sign_negative() && !a.is_zero() => {
                bad.push(format!("column \"{}\": \"{}\" is negative (amounts are positive; the type gives the direction, so record a refund or reversal as a credit_note or payment)", col(cols.amount), shown(amount_text)));
                None
            }
            Ok(a) => Some(a.abs()),
            Err(e) => {
                let why = match (e, amount_text.is_empty()) {
                    (_, true) => "is empty (expected a plain decimal such as 1234.50)".to_string(),
                    (AmountError::Syntax, _) => format!(
                        "cannot read \"{}\" as an amount (expected a plain decimal such as 1234.50: a point for decimals, no thousands separators)",
                        shown(amount_text)
                    ),
                    (AmountError::TooLarge, _) => format!(
                        "\"{}\" is too large (at most {MAX_INTEGER_DIGITS} digits before the decimal point)",
                        shown(amount_text)
                    ),
                    (AmountError::TooManyDecimals, _) => format!(
                        "\"{}\" has more than {MAX_DECIMALS} decimal places",
                        shown(amount_text)
                    ),
                };
                bad.push(format!("column \"{}\": {why}", col(cols.amount)));
                None
            }
        };
        let currency = if currency_text.is_empty() {
            Some(self.default_currency)
        } else {
            let c = Currency::parse(currency_text);
            if c.is_none() {
                bad.push(format!("column \"{}\": cannot read \"{}\" as a currency (expected a 3-letter ISO 4217 code such as COP or USD)", col(cols.currency.unwrap_or(0)), shown(currency_text)));
            }
            c
        };
        let due = match (&kind, due_text.is_empty(), date) {
            (Some(Kind::Invoice), true, Some(d)) => {
                let due = d.checked_add_days(Days::new(u64::from(self.terms_days)));
                if due.is_none() {
                    bad.push(format!("column \"{}\": {d} plus {} days of terms is past the last date cartera can represent", col(cols.date), self.terms_days));
                }
                due
            }
            (Some(Kind::Invoice), false, _) => {
                let due = parse_iso_date(due_text);
                if due.is_none() {
                    bad.push(date_problem(col(cols.due.unwrap_or(0)), due_text));
                }
                due
            }
            _ => None,
        };
        let id = DocId(id.to_string());
        if let (Some(Kind::Invoice), false) = (&kind, id.0.is_empty()) {
            if let Some(first) = self.first_seen.get(&id.0) {
                bad.push(format!(
                    "duplicate invoice id \"{}\" (first at {})",
                    shown(&id.0),
                    self.ledger.describe(*first)
                ));
            } else {
                self.first_seen.insert(id.0.clone(), loc);
            }
        }
        if !bad.is_empty() {
            let at = self.ledger.describe(loc);
            bad.into_iter()
                .for_each(|m| self.error(format!("{at}: {m}")));
            return;
        }
        let (Some(kind), Some(date), Some(amount), Some(currency)) = (kind, date, amount, currency)
        else {
            return; // unreachable: every None above pushed a problem
        };
        let total = self.totals.entry(currency).or_default();
        let limit = self.total_limit;
        if *total >= limit {
            return; // already reported
        }
        *total += amount; // below 10^22 + 10^15: cannot overflow
        if *total >= limit {
            let at = self.ledger.describe(loc);
            self.error(format!("{at}: the amounts in {currency} add up to 10^22 or more, beyond what cartera adds exactly (split the input)"));
            return;
        }
        let (customer, name) = (CustomerId(customer.to_string()), name.to_string());
        match kind {
            Kind::Invoice => self.ledger.invoices.push(Invoice {
                id,
                customer,
                name,
                currency,
                date,
                amount,
                loc,
                due: due.unwrap_or(date),
            }),
            Kind::Credit(kind) => self.ledger.credits.push(Credit {
                kind,
                id,
                customer,
                name,
                currency,
                date,
                amount,
                loc,
                reference: (!reference.is_empty()).then(|| DocId(reference.to_string())),
            }),
        }
    }
}

/// `invoice`, `payment`, `credit_note` in any letter case (also `credit note`, `credit-note`).
fn parse_kind(text: &str) -> Option<Kind> {
    let is = |word: &str| text.eq_ignore_ascii_case(word);
    if is("invoice") {
        Some(Kind::Invoice)
    } else if is("payment") {
        Some(Kind::Credit(CreditKind::Payment))
    } else if is("credit_note") || is("credit note") || is("credit-note") {
        Some(Kind::Credit(CreditKind::CreditNote))
    } else {
        None
    }
}

fn date_problem(column: &str, text: &str) -> String {
    if text.is_empty() {
        format!("column \"{column}\": is empty (expected a date as YYYY-MM-DD)")
    } else {
        format!(
            "column \"{column}\": cannot read \"{}\" as a date (expected YYYY-MM-DD)",
            shown(text)
        )
    }
}

/// A value as quoted in a message: control characters escaped, at most 60 characters.
fn shown(text: &str) -> String {
    let clean = sanitize(text);
    match clean.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &clean[..i]),
        None => clean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Role, read_source};

    #[test]
    fn amounts_that_would_add_up_beyond_the_limit_are_refused_once() {
        let mut c = Collector::new(&Policy::default());
        c.total_limit = Decimal::from(100);
        let text = "type,id,customer_id,date,amount,currency\n\
                    invoice,F1,C1,2026-01-01,60,USD\n\
                    payment,P1,C1,2026-01-02,39.99,USD\n\
                    invoice,F2,C1,2026-01-03,1,COP\n\
                    invoice,F3,C1,2026-01-04,0.01,USD\n\
                    invoice,F4,C1,2026-01-05,5,USD\n";
        read_source(text.as_bytes(), 0, "t.csv".into(), Role::Ledger, &mut c).unwrap();
        assert_eq!(
            c.finish().unwrap_err().to_string(),
            "t.csv:5: the amounts in USD add up to 10^22 or more, beyond what cartera adds exactly (split the input)\n\
             1 problem in the input; no report was written"
        );
    }
}
