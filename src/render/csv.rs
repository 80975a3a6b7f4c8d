//! CSV: the machine contract. Header of column keys, one line per row (totals are left to
//! the reader), ISO dates, plain decimals. Text cells that a spreadsheet would run as a
//! formula are prefixed with `'`; numbers are never touched, so `-5.00` stays a number.

use std::io::{self, Write};

use crate::money::format_plain;
use crate::report::{Cell, Report};

pub fn render_csv(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut wtr = csv::Writer::from_writer(out);
    let io = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    };
    wtr.write_record(report.columns.iter().map(|c| c.key.as_str()))
        .map_err(io)?;
    for row in report.groups.iter().flat_map(|g| &g.rows) {
        wtr.write_record(row.iter().map(csv_cell)).map_err(io)?;
    }
    wtr.flush()
}

fn csv_cell(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => guard_formula(t),
        Cell::Money(d, minor) => format_plain(*d, *minor),
        Cell::Int(i) => i.to_string(),
        Cell::Date(d) => d.to_string(),
        Cell::Empty => String::new(),
    }
}

/// Whether a spreadsheet could run `text` as a formula: it starts with one of OWASP's
/// CSV-injection triggers, or their full-width forms.
pub fn starts_like_formula(text: &str) -> bool {
    const TRIGGERS: &[char] = &['=', '+', '-', '@', '\t', '\r', '\n', '＝', '＋', '－', '＠'];
    text.starts_with(TRIGGERS)
}

/// Neutralises a text cell that [`starts_like_formula`] with a leading `'`.
pub fn guard_formula(text: &str) -> String {
    if starts_like_formula(text) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_in_text_only() {
        assert_eq!(guard_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(guard_formula("+57 300 1234567"), "'+57 300 1234567");
        assert_eq!(guard_formula("-Descuento"), "'-Descuento");
        assert_eq!(guard_formula("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(guard_formula("\tx"), "'\tx");
        assert_eq!(guard_formula("＝1+1"), "'＝1+1");
        assert_eq!(guard_formula("Peña"), "Peña");
        let money = Cell::Money(rust_decimal::Decimal::new(-500, 2), 2);
        assert_eq!(csv_cell(&money), "-5.00");
    }
}
