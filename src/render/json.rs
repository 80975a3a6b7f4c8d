//! JSON: one document with the report's metadata, its rows and its totals as objects keyed
//! by the CSV column names. Amounts are strings (exact decimals), dates ISO, days numbers.

use std::io::{self, Write};

use serde_json::{Map, Value};

use crate::money::format_plain;
use crate::report::{Cell, Meta, Report};

pub fn render_json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut doc = Map::new();
    doc.insert("report".into(), Value::from(report.name));
    for (key, meta) in &report.meta {
        let value = match meta {
            Meta::Text(t) => Value::from(t.as_str()),
            Meta::Count(n) => Value::from(*n),
            Meta::List(l) => Value::from(l.clone()),
        };
        doc.insert((*key).into(), value);
    }
    doc.insert(
        "columns".into(),
        report
            .columns
            .iter()
            .map(|c| Value::from(c.key.as_str()))
            .collect(),
    );
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
    let rows: Vec<Value> = report
        .groups
        .iter()
        .flat_map(|g| &g.rows)
        .map(|r| object(r, true))
        .collect();
    let totals: Vec<Value> = report
        .groups
        .iter()
        .filter_map(|g| g.total.as_ref())
        .map(|t| object(t, false))
        .collect();
    doc.insert("rows".into(), Value::Array(rows));
    doc.insert("totals".into(), Value::Array(totals));
    serde_json::to_writer_pretty(&mut *out, &Value::Object(doc)).map_err(io::Error::from)?;
    out.write_all(b"\n")
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
