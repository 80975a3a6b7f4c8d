//! The table for people: comfy-table, money right-aligned with thousands separators, a
//! total row per currency, and the footer lines underneath. Text from the input is
//! sanitised so it cannot drive the terminal.

use std::io::{self, Write};

use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, Table, presets};

use super::Width;
use crate::error::sanitize;
use crate::money::format_grouped;
use crate::report::{Cell, Report};

pub fn render_table(report: &Report, width: Width, out: &mut dyn Write) -> io::Result<()> {
    if report.groups.iter().all(|g| g.rows.is_empty()) {
        writeln!(out, "{}", report.empty_note)?;
    } else {
        let mut table = Table::new();
        table.load_style(presets::UTF8_FULL_CONDENSED);
        match width {
            Width::Columns(w) => table
                .force_no_tty()
                .set_width(w)
                .set_content_arrangement(ContentArrangement::Dynamic),
            Width::Natural => table
                .force_no_tty()
                .set_content_arrangement(ContentArrangement::Disabled),
        };
        table.set_header(report.columns.iter().map(|c| c.title.as_str()));
        for group in &report.groups {
            for row in &group.rows {
                table.add_row(row.iter().map(table_cell));
            }
            if let Some(total) = &group.total {
                let mut cells: Vec<String> = total.iter().map(table_cell).collect();
                if let Some(first) = cells.first_mut().filter(|c| c.is_empty()) {
                    *first = group.total_label.clone();
                }
                table.add_row(cells);
            }
        }
        for (i, col) in report.columns.iter().enumerate() {
            let Some(column) = table.column_mut(i) else {
                continue;
            };
            if col.numeric {
                column.set_cell_alignment(CellAlignment::Right);
            }
            column.set_constraint(if col.wraps {
                // A name stays readable even when the figures alone are wider than the screen.
                ColumnConstraint::LowerBoundary(comfy_table::Width::Fixed(18))
            } else {
                ColumnConstraint::ContentWidth
            });
        }

        writeln!(out, "{table}")?;
    }
    for line in &report.footer {
        writeln!(out, "{}", sanitize(line))?;
    }
    Ok(())
}

fn table_cell(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => sanitize(t),
        Cell::Money(d, minor) => format_grouped(*d, *minor),
        Cell::Int(i) => i.to_string(),
        Cell::Date(d) => d.to_string(),
        Cell::Empty => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Cell, Column, Group};
    use rust_decimal::Decimal;

    #[test]
    fn in_a_narrow_terminal_only_names_wrap() {
        let report = Report {
            name: "t",
            columns: vec![
                Column::text("customer_id", "Customer"),
                Column::prose("customer_name", "Name"),
                Column::number("balance", "Balance"),
            ],
            groups: vec![Group {
                rows: vec![vec![
                    Cell::Text("800987654".into()),
                    Cell::Text("Ferretería El Tornillo, Ltda. — Sucursal Norte".into()),
                    Cell::Money(Decimal::new(-550_000_000, 2), 2),
                ]],
                total_label: String::new(),
                total: None,
            }],
            meta: vec![],
            footer: vec![],
            empty_note: String::new(),
        };
        let mut out = Vec::new();
        render_table(&report, Width::Columns(48), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.lines().all(|l| l.chars().count() <= 48), "{text}");
        assert!(
            !text
                .lines()
                .any(|l| l.contains("Ferretería") && l.contains("Tornillo")),
            "{text}"
        );
        assert!(
            text.contains("800987654") && text.contains("-5,500,000.00"),
            "{text}"
        );
    }
}
