//! JSON: one document with the report's metadata, its rows and its totals as objects keyed
//! by the CSV column names. Amounts are strings (exact decimals), dates ISO, days numbers.
//! A command with several reports (reconcile) puts each under its name.

use std::io::{self, Write};

use serde_json::{Map, Value};

use crate::money::format_plain;
use crate::report::{Cell, Meta, Report};

/// `reports[0]` gives the document its name and metadata; with one report its table sits at
/// the top level, with several each sits under its own name.
pub fn render_json(reports: &[&Report], out: &mut dyn Write) -> io::Result<()> {
    let Some(first) = reports.first() else {
        return Ok(());
    };
    let mut doc = Map::new();
    doc.insert("report".into(), Value::from(first.name));
    for (key, meta) in &first.meta {
        let value = match meta {
            Meta::Text(t) => Value::from(t.as_str()),
            Meta::Count(n) => Value::from(*n),
            Meta::List(l) => Value::from(l.clone()),
        };
        doc.insert((*key).into(), value);
    }
    match reports {
        [only] => doc.extend(table(only)),
        _ => {
            for r in reports {
                doc.insert(r.name.into(), Value::Object(table(r)));
            }
        }
    }
    serde_json::to_writer_pretty(&mut *out, &Value::Object(doc)).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// `columns`, `rows` and `totals` of a report.
fn table(report: &Report) -> Map<String, Value> {
    // Rows carry every column (null when empty); totals only the cells they have.
    let object = |cells: &Vec<Cell>, keep_empty: bool| {
        let mut o = Map::new();
        for (col, cell) in report.columns.iter().zip(cells) {
            match json_cell(cell) {
                Some(v) => o.insert(col.key.clone(), v),
                None if keep_empty => o.insert(col.key.clone(), Value::Null),
                None => None,
            };
        }
        Value::Object(o)
    };
    let mut t = Map::new();
    t.insert(
        "columns".into(),
        report
            .columns
            .iter()
            .map(|c| Value::from(c.key.as_str()))
            .collect(),
    );
    t.insert(
        "rows".into(),
        report
            .groups
            .iter()
            .flat_map(|g| &g.rows)
            .map(|r| object(r, true))
            .collect(),
    );
    t.insert(
        "totals".into(),
        report
            .groups
            .iter()
            .filter_map(|g| g.total.as_ref())
            .map(|r| object(r, false))
            .collect(),
    );
    t
}

/// `None` for an empty cell (such as the due date of a payment).
fn json_cell(cell: &Cell) -> Option<Value> {
    Some(match cell {
        Cell::Text(t) => Value::from(t.as_str()),
        Cell::Money(d, minor) => Value::from(format_plain(*d, *minor)),
        Cell::Int(i) => Value::from(*i),
        Cell::Date(d) => Value::from(d.to_string()),
        Cell::Empty => return None,
    })
}
