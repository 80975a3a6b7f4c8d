//! The rows set aside with `--rejects`: where each was read, its code and reason, then its
//! fields as read (under the header of the first input a row was set aside from).

use super::{Cell, Column, Report};
use crate::model::Ledger;

pub fn rejects_report(ledger: &Ledger) -> Report {
    let header = ledger
        .rejected
        .first()
        .and_then(|r| ledger.headers.get(r.loc.source as usize))
        .cloned()
        .unwrap_or_default();
    let width = ledger
        .rejected
        .iter()
        .map(|r| r.fields.len())
        .max()
        .unwrap_or(0)
        .max(header.len());
    let mut columns = vec![
        Column::text("file", "File"),
        Column::number("line", "Line"),
        Column::text("code", "Code"),
        Column::prose("reason", "Reason"),
    ];
    for i in 0..width {
        let name = header
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("field_{}", i + 1));
        columns.push(Column::text(&name, &name));
    }
    let rows = ledger
        .rejected
        .iter()
        .map(|r| {
            let mut row = super::where_read(ledger, r.loc).to_vec();
            row.extend([
                Cell::text(r.code.to_string()),
                Cell::text(r.reason.as_str()),
            ]);
            row.extend((0..width).map(|i| {
                r.fields
                    .get(i)
                    .map_or(Cell::Empty, |f| Cell::text(f.as_str()))
            }));
            row
        })
        .collect();
    Report::single("rejects", columns, rows, "No row was set aside.")
}
