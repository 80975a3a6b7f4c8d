//! Raw CSV rows → domain documents. Pure apart from what it is handed: every failure
//! becomes a located message (`file:line: column "x": …`), collected so that a user can
//! fix an export in one pass; the first duplicate of an invoice id is remembered to name
//! both lines.

use csv::ByteRecord;
use rust_decimal::Decimal;

use super::fields;
use super::fields::{Problem, coded};
use super::infer::Readings;
use super::rows::is_not_a_document;
use super::{Columns, Role};
use crate::error::{CliError, MAX_LISTED_ERRORS};
use crate::index::{IdIndex, MAX_POSITION};
use crate::model::{
    Credit, CreditKind, CustomerId, DocId, DocKind, Invoice, Ledger, Loc, RejectedRow,
};
use crate::money::{Currency, max_currency_total};
use crate::policy::{InputSettings, Policy};

/// Accumulates documents and problems across all inputs of a run.
pub struct Collector {
    ledger: Ledger,
    default_currency: Currency,
    terms_days: u32,
    /// How to read the values of foreign exports (the policy's `[input]` and the flags).
    pub(super) input: InputSettings,
    /// How the dates and amounts of the input being read are written.
    pub(super) readings: Readings,
    /// Terms per customer id, from a customers file.
    pub(super) customer_terms: crate::Map<String, u32>,
    errors: Vec<String>,
    total_errors: usize,
    /// The invoices read, by id (every one has its own id: a repeated id is a bad row).
    ids: IdIndex,
    /// Ids of invoice rows not used (bad rows, when the run stops at them): a later row
    /// with the same id is still a duplicate, so that one pass reports every duplicate.
    claimed: crate::Map<crate::model::Text, Loc>,
    /// `Some(max)`: bad rows are set aside (at most `max` of them, when given).
    reject: Option<Option<u64>>,
    /// Σ of every amount per currency, kept below `total_limit`.
    totals: crate::Map<Currency, Decimal>,
    /// `max_currency_total()`; a field so that a test can lower it.
    total_limit: Decimal,
    /// Rows held back at most while a column's reading is undecided; a field so that a
    /// test can lower it.
    pub(super) lookahead_rows: usize,
}

impl Collector {
    pub fn new(policy: &Policy) -> Self {
        Collector {
            ledger: Ledger::default(),
            default_currency: policy.default_currency,
            terms_days: policy.terms_days,
            customer_terms: crate::Map::default(),
            input: policy.input.clone(),
            readings: Readings::new(&Columns::default(), &policy.input),
            errors: Vec::new(),
            total_errors: 0,
            ids: IdIndex::default(),
            claimed: crate::Map::default(),
            reject: None,
            totals: crate::Map::default(),
            total_limit: max_currency_total(),
            lookahead_rows: super::infer::LOOKAHEAD_ROWS,
        }
    }

    /// A collector for the second part of a file read in two at once: the same settings
    /// and readings, no documents.
    pub(super) fn new_like(&self) -> Collector {
        Collector {
            ledger: Ledger::default(),
            default_currency: self.default_currency,
            terms_days: self.terms_days,
            input: self.input.clone(),
            readings: self.readings.clone(),
            customer_terms: self.customer_terms.clone(),
            errors: Vec::new(),
            total_errors: 0,
            ids: IdIndex::default(),
            claimed: crate::Map::default(),
            reject: self.reject,
            totals: crate::Map::default(),
            total_limit: self.total_limit,
            lookahead_rows: self.lookahead_rows,
        }
    }

    /// Bad rows stop the run (no `--rejects`).
    pub(super) fn stops_at_bad_rows(&self) -> bool {
        self.reject.is_none()
    }

    /// Takes in what `other` read of the rest of a file, its lines `offset` further down,
    /// when that is exactly what reading on would have given: no problem in it, no invoice
    /// id read before, no currency total past the limit, every value read as ours would have
    /// read it ([`Readings::meet`]). Otherwise takes nothing and says so (the rest is then
    /// read on in one piece, which reports all that exactly).
    pub(super) fn absorb(&mut self, other: Collector, offset: u64) -> bool {
        if other.total_errors > 0 || !other.ledger.rejected.is_empty() {
            return false;
        }
        if (other.ledger.invoices.iter()).any(|i| self.first_with_id(&i.id.0).is_some())
            || self.ledger.invoices.len() + other.ledger.invoices.len() > MAX_POSITION + 1
        {
            return false;
        }
        let mut totals = self.totals.clone();
        for (currency, amount) in &other.totals {
            let total = totals.entry(*currency).or_default();
            *total += *amount;
            if *total >= self.total_limit {
                return false;
            }
        }
        let Some(readings) = self.readings.meet(&other.readings) else {
            return false;
        };
        self.totals = totals;
        self.readings = readings;
        let shift = |loc: Loc| Loc {
            line: loc.line + offset,
            ..loc
        };
        let theirs = other.ledger;
        let ours = &mut self.ledger;
        let from = ours.invoices.len();
        ours.invoices
            .extend(theirs.invoices.into_iter().map(|mut i| {
                i.loc = shift(i.loc);
                i
            }));
        for at in from..ours.invoices.len() {
            self.ids.insert_first(&ours.invoices, at);
        }
        ours.credits.extend(theirs.credits.into_iter().map(|mut c| {
            c.loc = shift(c.loc);
            c
        }));
        ours.rows.read += theirs.rows.read;
        ours.rows.used += theirs.rows.used;
        ours.rows.skipped += theirs.rows.skipped;
        for (ours, theirs) in [
            (&mut ours.due_before_issue, theirs.due_before_issue),
            (&mut ours.without_currency, theirs.without_currency),
        ] {
            ours.0 += theirs.0;
            if ours.1.is_none() {
                ours.1 = theirs.1.map(shift);
            }
        }
        true
    }

    /// Sets bad rows aside instead of failing on them; more than `max` of them is an error.
    pub fn set_rows_aside(&mut self, max: Option<u64>) {
        self.reject = Some(max);
    }

    /// Counts a row read before the header or holding no data.
    pub fn skipped_row(&mut self) {
        self.ledger.rows.read += 1;
        self.ledger.rows.skipped += 1;
    }

    pub fn add_source(&mut self, name: String) {
        self.ledger.sources.push(name);
        self.ledger.headers.push(Vec::new());
    }

    /// The header of the input being read.
    pub fn add_header(&mut self, names: Vec<String>) {
        if let Some(last) = self.ledger.headers.last_mut() {
            *last = names;
        }
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
    pub fn row<'a>(&mut self, rec: &'a ByteRecord, cols: &Columns, role: Role, loc: Loc) {
        if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            self.skipped_row();
            return;
        }
        self.ledger.rows.read += 1;
        if rec.len() != cols.names.len() {
            let message = format!(
                "the row has {} fields but the header has {} (hint: a value that contains a comma must be in double quotes, and every opening quote needs its closing one)",
                rec.len(),
                cols.names.len()
            );
            self.bad_row(rec, loc, vec![("bad_width", message)]);
            return;
        }
        if is_not_a_document(rec, cols) {
            self.ledger.rows.skipped += 1; // read was counted above
            return;
        }
        let mut bad = Vec::new();
        // A column the file lacks reads as empty; a value that cannot be read as text (over
        // lines, not UTF-8) as `None`: its problem is said, and its column's checks skipped.
        let mut text = |i: Option<usize>| -> Option<&str> {
            let Some(i) = i else { return Some("") };
            take(&mut bad, fields::text(rec, i, &cols.names[i]))
        };
        let t = [
            cols.kind,
            Some(cols.id),
            Some(cols.customer),
            cols.name,
            Some(cols.date),
            cols.due,
            Some(cols.amount),
            cols.currency,
            cols.reference,
        ]
        .map(&mut text);
        let [
            kind_text,
            id,
            customer,
            name,
            date_text,
            due_text,
            amount_text,
            currency_text,
            reference,
        ] = t;
        let col =
            |i: Option<usize>, default: &'static str| i.map_or(default, |i| cols.names[i].as_str());
        let mut ident = |text: Option<&'a str>, i: Option<usize>| -> Option<&'a str> {
            let text = text?;
            let column = i.map_or("", |i| cols.names[i].as_str());
            let checked = take(
                &mut bad,
                fields::identifier(text, column).map_err(coded("bad_id")),
            );
            Some(checked.unwrap_or(text))
        };
        let (id, customer, reference) = (
            ident(id, Some(cols.id)),
            ident(customer, Some(cols.customer)),
            ident(reference, cols.reference),
        );
        let kind = kind_text.and_then(|t| {
            take(
                &mut bad,
                fields::kind(t, role, col(cols.kind, "type"), &self.input)
                    .map_err(coded("bad_type")),
            )
        });
        let id = id.and_then(|id| {
            take(
                &mut bad,
                fields::required(id, col(Some(cols.id), ""), "number")
                    .map_err(coded("missing_value")),
            )
        });
        let customer = customer.and_then(|customer| {
            take(
                &mut bad,
                fields::required(customer, col(Some(cols.customer), ""), "customer")
                    .map_err(coded("missing_value")),
            )
        });
        let date = date_text.and_then(|t| {
            take(
                &mut bad,
                fields::date(t, col(Some(cols.date), ""), self.readings.date(cols.date))
                    .map_err(coded("bad_date")),
            )
        });
        let amount = amount_text.and_then(|t| {
            take(
                &mut bad,
                fields::amount(
                    t,
                    col(Some(cols.amount), ""),
                    self.readings.amount(cols.amount),
                )
                .map_err(coded("bad_amount")),
            )
        });
        let currency = currency_text.and_then(|t| {
            take(
                &mut bad,
                fields::currency(t, col(cols.currency, "currency"), self.default_currency)
                    .map_err(coded("bad_currency")),
            )
        });
        if let (Some(a), Some(c), Some(amount_text)) = (amount, currency, amount_text) {
            let col = col(Some(cols.amount), "");
            take(
                &mut bad,
                fields::within_minor_units(a, c, amount_text, col).map_err(coded("bad_amount")),
            );
            take(
                &mut bad,
                fields::code_agrees(amount_text, c, col).map_err(coded("bad_currency")),
            );
        }
        // Withholding and discount columns (there may be one per tax) add up.
        let mut parts = |columns: &[usize]| -> Option<Decimal> {
            let (Some(kind), Some(currency)) = (kind, currency) else {
                return None;
            };
            let mut sum = Some(Decimal::ZERO);
            for &i in columns {
                let Some(text) = take(&mut bad, fields::text(rec, i, &cols.names[i])) else {
                    sum = None;
                    continue;
                };
                let part = take(
                    &mut bad,
                    fields::payment_part(
                        text,
                        &cols.names[i],
                        kind,
                        currency,
                        self.readings.amount(i),
                    )
                    .map_err(coded("bad_amount")),
                );
                sum = sum.zip(part).map(|(s, p)| s + p);
            }
            sum
        };
        let withholding = parts(&cols.withholding);
        let discount = parts(&cols.discount);
        // The due date's column, and the one whose reading it shares.
        let (due_column, due_at) = (col(cols.due, "due_date"), cols.due.unwrap_or(cols.date));
        let due = match (kind, date, due_text) {
            (Some(DocKind::Invoice), Some(d), Some(due_text)) => take(
                &mut bad,
                fields::due(
                    due_text,
                    due_column,
                    d,
                    customer
                        .and_then(|c| self.customer_terms.get(c))
                        .copied()
                        .unwrap_or(self.terms_days),
                    col(Some(cols.date), ""),
                    self.readings.date(due_at),
                )
                .map_err(coded("bad_date")),
            ),
            // The issue date is bad: a due date written out is still checked, so that one
            // pass lists both.
            (Some(DocKind::Invoice), None, Some(due_text)) if !due_text.is_empty() => {
                let reading = self.readings.date(due_at);
                take(
                    &mut bad,
                    fields::date(due_text, due_column, reading).map_err(coded("bad_date")),
                );
                None
            }
            _ => None,
        };
        // An invoice list with settlement: the row is also a payment of the invoice.
        let mut settled = |i: Option<usize>| {
            let i = i.filter(|_| kind == Some(DocKind::Invoice))?;
            take(&mut bad, fields::text(rec, i, &cols.names[i]))
                .filter(|t| !t.is_empty())
                .map(|t| (i, t))
        };
        let paid_on = settled(cols.paid_date);
        let paid_amount = settled(cols.paid_amount);
        let settlement = paid_on.and_then(|(i, text)| {
            let on = take(
                &mut bad,
                fields::date(text, &cols.names[i], self.readings.date(i))
                    .map_err(coded("bad_date")),
            )?;
            let paid = match paid_amount {
                Some((j, t)) => take(
                    &mut bad,
                    fields::amount(t, &cols.names[j], self.readings.amount(j))
                        .map_err(coded("bad_amount")),
                )?,
                None => amount?,
            };
            Some((on, paid))
        });
        let mut unclaimed = None;
        // A row claims its invoice id unless it is set aside: stopping at bad rows, every
        // duplicate is reported in one pass; setting them aside, one that is set aside does
        // not make a later, good row with its id a duplicate (claimed below, once used).
        if let (Some(DocKind::Invoice), Some(id)) = (kind, id) {
            match self.first_with_id(id) {
                Some(first) => {
                    let first = self.ledger.describe(first);
                    let message = format!(
                        "duplicate invoice id \"{}\" (first at {first})",
                        fields::shown(id)
                    );
                    bad.push(("duplicate_invoice", message));
                }
                None if self.reject.is_none() => unclaimed = Some(id),
                None => {}
            }
        }
        if !bad.is_empty() {
            self.claim(unclaimed, loc);
            self.bad_row(rec, loc, bad);
            return;
        }
        let (
            (Some(kind), Some(id), Some(customer), Some(date), Some(amount), Some(currency)),
            (Some(name), Some(currency_text), Some(reference)),
        ) = (
            (kind, id, customer, date, amount, currency),
            (name, currency_text, reference),
        )
        else {
            return; // unreachable: every None above pushed a problem
        };
        if kind == DocKind::Invoice && self.ledger.invoices.len() > MAX_POSITION {
            let at = self.ledger.describe(loc);
            self.error(format!(
                "{at}: more than {} invoices; split the ledger by period or customer",
                u32::MAX
            ));
            self.claim(unclaimed, loc);
            return;
        }
        let (withholding, discount) = (
            withholding.unwrap_or_default(),
            discount.unwrap_or_default(),
        );
        let value = amount + withholding + discount;
        if value >= Decimal::from(10_i64.pow(15)) {
            // Written back as one amount (open items), it must read as one.
            let at = self.ledger.describe(loc);
            self.error(format!("{at}: amount + withholding + discount is {value}, more than 15 digits before the decimal point"));
            self.claim(unclaimed, loc);
            return;
        }
        if !self.within_total(currency, value, loc) {
            self.claim(unclaimed, loc);
            return;
        }
        self.ledger.rows.used += 1;
        if currency_text.is_empty() {
            let (n, first) = &mut self.ledger.without_currency;
            *n += 1;
            first.get_or_insert(loc);
        }
        let (id, customer, name) = (
            DocId(id.into()),
            CustomerId(customer.into()),
            crate::model::Text::from(name),
        );
        match kind {
            DocKind::Invoice => {
                if let Some((paid_on, paid)) = settlement {
                    self.ledger.credits.push(Credit {
                        kind: CreditKind::Payment,
                        id: id.clone(),
                        customer: customer.clone(),
                        name: name.clone(),
                        currency,
                        date: paid_on,
                        amount: paid,
                        withholding: Decimal::ZERO,
                        discount: Decimal::ZERO,
                        reference: Some(id.clone()),
                        loc,
                    });
                }
                let due = due.unwrap_or(date);
                if due < date {
                    let (n, first) = &mut self.ledger.due_before_issue;
                    *n += 1;
                    first.get_or_insert(loc);
                }
                self.ledger.invoices.push(Invoice {
                    id,
                    customer,
                    name,
                    currency,
                    date,
                    due,
                    amount,
                    loc,
                });
                let invoices = &self.ledger.invoices;
                self.ids.insert_first(invoices, invoices.len() - 1);
            }
            DocKind::Payment | DocKind::CreditNote => {
                let kind = if kind == DocKind::Payment {
                    CreditKind::Payment
                } else {
                    CreditKind::CreditNote
                };
                let reference = (!reference.is_empty()).then(|| DocId(reference.into()));
                self.ledger.credits.push(Credit {
                    kind,
                    id,
                    customer,
                    name,
                    currency,
                    date,
                    amount,
                    withholding,
                    discount,
                    reference,
                    loc,
                });
            }
        }
    }

    /// Where the invoice with `id` was read, or the unused row that claimed it.
    fn first_with_id(&self, id: &str) -> Option<Loc> {
        let invoices = &self.ledger.invoices;
        (self.ids.get(id, invoices))
            .map(|at| invoices[at].loc)
            .or_else(|| self.claimed.get(id).copied())
    }

    /// An invoice row that is not used still claims its id (stopping at bad rows).
    fn claim(&mut self, id: Option<&str>, loc: Loc) {
        if let Some(id) = id {
            self.claimed.entry(id.into()).or_insert(loc);
        }
    }

    /// A row with problems: set aside (with `--rejects`), or every problem reported.
    fn bad_row(&mut self, rec: &ByteRecord, loc: Loc, problems: Vec<Problem>) {
        let at = self.ledger.describe(loc);
        let Some(max) = self.reject else {
            problems
                .into_iter()
                .for_each(|(_, m)| self.error(format!("{at}: {m}")));
            return;
        };
        self.ledger.rows.rejected += 1;
        let fields = rec
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        let code = problems[0].0;
        self.ledger.rejected.push(RejectedRow {
            loc,
            fields,
            code,
            reason: problems
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join("; "),
        });
        if max.is_some_and(|m| self.ledger.rows.rejected == m + 1) {
            let m = max.unwrap_or_default();
            self.error(format!("{at}: more than {m} rows set aside (--max-rejects {m}): the input is too broken to report on"));
        }
    }

    /// Adds `amount` to its currency's total; false (and one problem) once the total would
    /// reach the limit.
    fn within_total(&mut self, currency: Currency, amount: Decimal, loc: Loc) -> bool {
        let limit = self.total_limit;
        let total = self.totals.entry(currency).or_default();
        if *total >= limit {
            return false; // already reported
        }
        *total += amount; // below 10^22 + 10^15: cannot overflow
        if *total >= limit {
            let at = self.ledger.describe(loc);
            self.error(format!("{at}: the amounts in {currency} add up to 10^22 or more, beyond what cartera adds exactly (split the input)"));
            return false;
        }
        true
    }
}

/// The value of a parsed field, or `None` with its problem recorded.
fn take<T>(bad: &mut Vec<Problem>, parsed: Result<T, Problem>) -> Option<T> {
    parsed.map_err(|m| bad.push(m)).ok()
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

    #[test]
    fn every_row_problem_is_set_aside_with_its_stable_code() {
        let mut c = Collector::new(&Policy::default());
        c.set_rows_aside(None);
        let text = b"type,id,customer_id,customer_name,date,amount,currency,ref\n\
            invoice,F1,C1,x,2026-01-01,1,USD,,extra\n\
            invoice,F2,C1,\xe9,2026-01-01,1,USD,\n\
            invoice,F3,C1,\"a\nb\",2026-01-01,1,USD,\n\
            refund,F4,C1,,2026-01-01,1,USD,\n\
            invoice,,C1,,2026-01-01,1,USD,\n\
            invoice,F6,C1,,2026-13-01,1,USD,\n\
            invoice,F7,C1,,2026-01-01,1.2345,USD,\n\
            invoice,F8,C1,,2026-01-01,1,COL,\n\
            invoice,F8,C1,,2026-01-01,1,USD,\n\
            invoice,F8,C1,,2026-01-01,1,USD,\n";
        read_source(&text[..], 0, "t.csv".into(), Role::Ledger, &mut c).unwrap();
        let ledger = c.finish().unwrap();
        let codes: Vec<(u64, &str)> = ledger
            .rejected
            .iter()
            .map(|r| (r.loc.line, r.code))
            .collect();
        assert_eq!(
            codes,
            [
                (2, "bad_width"),
                (3, "bad_encoding"),
                (4, "unclosed_quote"),
                (6, "bad_type"),
                (7, "missing_value"),
                (8, "bad_date"),
                (9, "bad_amount"),
                (10, "bad_currency"),
                (12, "duplicate_invoice"),
            ]
        );
        assert_eq!(
            ledger.rows,
            crate::model::RowCounts {
                read: 10,
                used: 1,
                rejected: 9,
                skipped: 0
            }
        );
    }
}
