//! The format-neutral rows model: every report becomes columns + groups of typed cells once,
//! and the table, CSV and JSON renderers all consume it, so the formats cannot disagree.

pub mod aging;
mod facts;
pub mod reconcile;
pub mod rejects;
pub mod risk;

pub use facts::{RunFacts, Tally};

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// One cell of a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// Text from the input or about it (guarded against formulas in CSV); short texts
    /// (ids, codes, most names) are kept inline.
    Text(crate::model::Text),
    /// An amount and the minor units of its currency.
    Money(Decimal, u32),
    Int(i64),
    Date(NaiveDate),
    Empty,
}

/// The rows of `items`, made on both cores when there are many.
pub(crate) fn rows_of<T: Sync>(
    items: &[T],
    row: impl Fn(&T) -> Vec<Cell> + Sync,
) -> Vec<Vec<Cell>> {
    const MANY: usize = 1 << 16;
    if items.len() < MANY {
        return items.iter().map(&row).collect();
    }
    let (first, second) = items.split_at(items.len() / 2);
    let (mut rows, mut more): (Vec<_>, Vec<_>) = crate::both(
        || first.iter().map(&row).collect(),
        || second.iter().map(&row).collect(),
    );
    rows.append(&mut more);
    rows
}

/// A cell borrowed: what a renderer reads of a [`Cell`]. A report's row is made by one
/// function as fields (`reconcile::open_item_fields`, `risk::fields`,
/// `aging::summary_fields`), which become its cells for the table and JSON, or, for a
/// CSV of rows too many to be made into cells first, are written as they are
/// (`render::csv::write_rows`, the renderer of every CSV): one row, whatever
/// the format, so formats cannot disagree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field<'a> {
    Text(&'a str),
    Money(Decimal, u32),
    Int(i64),
    Date(NaiveDate),
    Empty,
}

impl<'a> From<&'a Cell> for Field<'a> {
    fn from(cell: &'a Cell) -> Field<'a> {
        match cell {
            Cell::Text(t) => Field::Text(t),
            Cell::Money(d, minor) => Field::Money(*d, *minor),
            Cell::Int(i) => Field::Int(*i),
            Cell::Date(d) => Field::Date(*d),
            Cell::Empty => Field::Empty,
        }
    }
}

impl From<Field<'_>> for Cell {
    fn from(field: Field<'_>) -> Cell {
        match field {
            Field::Text(t) => Cell::text(t),
            Field::Money(d, minor) => Cell::Money(d, minor),
            Field::Int(i) => Cell::Int(i),
            Field::Date(d) => Cell::Date(d),
            Field::Empty => Cell::Empty,
        }
    }
}

impl Cell {
    /// A text cell.
    pub fn text(text: impl Into<crate::model::Text>) -> Cell {
        Cell::Text(text.into())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// Machine name: the CSV header and JSON key (`snake_case`, stable).
    pub key: String,
    /// Human name: the table header.
    pub title: String,
    /// Right-aligned in the table.
    pub numeric: bool,
    /// May wrap onto several lines in a narrow terminal (names only: an amount, id or date
    /// split across lines could be misread).
    pub wraps: bool,
}

/// Rows that share a total (in the aging reports, one currency).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub rows: Vec<Vec<Cell>>,
    /// Shown in the table's first column on the total row (`Total USD`).
    pub total_label: String,
    /// Cells of the total row; text columns other than the currency are `Empty`.
    pub total: Option<Vec<Cell>>,
}

/// A value of the report's metadata (JSON top level; the table's footer says it in words).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Meta {
    Text(String),
    Count(u64),
    List(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// `aging`, `aging_detail`, …
    pub name: &'static str,
    pub columns: Vec<Column>,
    pub groups: Vec<Group>,
    pub meta: Vec<(&'static str, Meta)>,
    /// Lines printed under the table.
    pub footer: Vec<String>,
    /// Printed instead of an empty table.
    pub empty_note: String,
}

impl Report {
    /// A report of one table without totals or metadata.
    pub fn single(
        name: &'static str,
        columns: Vec<Column>,
        rows: Vec<Vec<Cell>>,
        empty_note: &str,
    ) -> Report {
        let group = Group {
            rows,
            total_label: String::new(),
            total: None,
        };
        Report {
            name,
            columns,
            groups: vec![group],
            meta: vec![],
            footer: vec![],
            empty_note: empty_note.to_string(),
        }
    }
}

impl Column {
    fn new(key: &str, title: &str, numeric: bool, wraps: bool) -> Column {
        Column {
            key: key.to_string(),
            title: title.to_string(),
            numeric,
            wraps,
        }
    }
    pub fn text(key: &str, title: &str) -> Column {
        Column::new(key, title, false, false)
    }
    pub fn number(key: &str, title: &str) -> Column {
        Column::new(key, title, true, false)
    }
    /// The columns that open the per-customer reports: customer id, name, currency.
    pub fn customer_head() -> Vec<Column> {
        vec![
            Column::text("customer_id", "Customer"),
            Column::prose("customer_name", "Name"),
            Column::text("currency", "Currency"),
        ]
    }

    /// Free text, such as a name, that may wrap in a narrow terminal.
    pub fn prose(key: &str, title: &str) -> Column {
        Column::new(key, title, false, true)
    }
}

/// The `file` and `line` cells of where a row was read.
pub fn where_read(ledger: &crate::model::Ledger, loc: crate::model::Loc) -> [Cell; 2] {
    let file = ledger.sources.get(loc.source as usize).cloned();
    [
        Cell::text(file.unwrap_or_default()),
        Cell::Int(i64::try_from(loc.line).unwrap_or(i64::MAX)),
    ]
}

/// `1 document`, `2 documents`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_made_on_both_cores_come_in_the_items_order() {
        let items: Vec<i64> = (0..150_000).collect();
        let rows = rows_of(&items, |&i| {
            vec![Cell::Int(i), Cell::text(format!("R-{i}"))]
        });
        assert_eq!(rows.len(), items.len());
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(
                row,
                &vec![Cell::Int(i as i64), Cell::text(format!("R-{i}"))]
            );
        }
    }
}
