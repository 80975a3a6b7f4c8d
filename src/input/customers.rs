//! A customers file: `customer_id` and, optionally, `customer_name`, `credit_limit`,
//! `currency`, `segment`, `terms_days`. Its limits win over the policy's; its terms give
//! the due date of that customer's invoices whose due date is empty.

use std::fs::File;
use std::path::Path;

use super::{Records, fields};
use crate::error::{CliError, MAX_LISTED_ERRORS, io_reason, show_path};
use crate::model::CustomerId;
use crate::policy::Policy;
use crate::risk::CustomerInfo;

const COLUMNS: [&str; 6] = [
    "customer_id",
    "customer_name",
    "credit_limit",
    "currency",
    "segment",
    "terms_days",
];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Customers {
    pub info: crate::Map<CustomerId, CustomerInfo>,
    /// Payment terms in days, per customer id.
    pub terms: crate::Map<String, u32>,
}

pub fn load_customers(path: &Path, policy: &Policy) -> Result<Customers, CliError> {
    let name = show_path(path);
    let file = File::open(path).map_err(|e| CliError::NoInput {
        message: format!("cannot open {name}: {}", io_reason(&e)),
    })?;
    let mut records = Records::new(file, name.clone(), policy.input.delimiter.unwrap_or(b','));
    let mut errors = Vec::new();
    let mut customers = Customers::default();
    let Some(header_line) = records.next_record()? else {
        return Err(data(vec![format!(
            "{name}: the file is empty (expected a header line naming the columns)"
        )]));
    };
    let width = records.record.len();
    let mut cols = [None; 6];
    for (i, cell) in records.record.iter().enumerate() {
        let head = String::from_utf8_lossy(cell);
        if let Some(c) = COLUMNS
            .iter()
            .position(|c| c.eq_ignore_ascii_case(head.trim()))
        {
            cols[c].get_or_insert(i);
        }
    }
    if cols[0].is_none() {
        return Err(data(vec![format!(
            "{name}:{header_line}: missing required column \"customer_id\""
        )]));
    }
    let mut first_limit: crate::Map<(String, String), u64> = crate::Map::default();
    // Limits are read with the policy's decimal mark, else as all of them tell (a
    // customers file is small: it is read whole first).
    let mut marks = super::infer::amount_column(&policy.input);
    let mut rows = Vec::new();
    while let Some(line) = records.next_record()? {
        let limit = cols[2].and_then(|i| records.record.get(i));
        let limit = limit
            .and_then(|f| std::str::from_utf8(f).ok())
            .unwrap_or("");
        marks.observe(limit.trim(), line);
        rows.push((records.record.clone(), line));
    }
    for (rec, line) in &rows {
        let (rec, line) = (rec, *line);
        let at = format!("{name}:{line}");
        if rec.len() != width {
            errors.push(format!("{at}: the row has {} fields but the header has {width} (hint: a value that contains a comma must be in double quotes)", rec.len()));
            continue;
        }
        let mut bad = Vec::new();
        let mut text = |c: usize| {
            cols[c].filter(|&i| i < rec.len()).map_or("", |i| {
                fields::text(rec, i, COLUMNS[c])
                    .map_err(|(_, m)| bad.push(m))
                    .unwrap_or("")
            })
        };
        let [id, cust_name, limit, currency, segment, terms] = [0, 1, 2, 3, 4, 5].map(&mut text);
        if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let id = fields::required(id, COLUMNS[0], "customer")
            .map_err(|m| bad.push(m))
            .ok();
        let currency = fields::currency(currency, COLUMNS[3], policy.default_currency)
            .map_err(|m| bad.push(m))
            .ok();
        let limit = match (limit.is_empty(), currency) {
            (true, _) | (_, None) => None,
            (false, Some(c)) => fields::amount(limit, COLUMNS[2], &mut marks)
                .and_then(|v| fields::within_minor_units(v, c, limit, COLUMNS[2]).map(|()| v))
                .map_err(|m| bad.push(m))
                .ok(),
        };
        let terms = (!terms.is_empty()).then(|| terms.parse::<u32>().ok().filter(|t| *t <= 3650)).map(|t| {
            t.ok_or_else(|| bad.push(format!("column \"terms_days\": cannot read \"{}\" as days (expected a whole number from 0 to 3650)", fields::shown(terms))))
        });
        if let (Some(id), Some(_), Some(c)) = (id, limit, currency)
            && let Some(first) = first_limit.insert((id.to_string(), c.to_string()), line)
        {
            bad.push(format!(
                "customer {} has a second credit limit in {c} (first at {name}:{first})",
                fields::shown(id)
            ));
        }
        if !bad.is_empty() {
            errors.extend(bad.into_iter().map(|m| format!("{at}: {m}")));
            continue;
        }
        let Some(id) = id else { continue };
        let info = customers.info.entry(CustomerId(id.into())).or_default();
        if !cust_name.is_empty() {
            info.name = Some(cust_name.to_string());
        }
        if !segment.is_empty() {
            info.segment = segment.to_string();
        }
        if let (Some(l), Some(c)) = (limit, currency) {
            info.limits.insert(c, l);
        }
        if let Some(Ok(t)) = terms
            && let Some(before) = customers
                .terms
                .insert(id.to_string(), t)
                .filter(|b| *b != t)
        {
            errors.push(format!(
                "{at}: customer {} has terms_days {t} here but {before} on an earlier row",
                fields::shown(id)
            ));
        }
    }
    if errors.is_empty() {
        Ok(customers)
    } else {
        Err(data(errors))
    }
}

fn data(errors: Vec<String>) -> CliError {
    let total = errors.len();
    CliError::Data {
        errors: errors.into_iter().take(MAX_LISTED_ERRORS).collect(),
        total,
    }
}
