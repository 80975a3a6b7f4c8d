//! CSV: the machine contract. Header of column keys, one line per row (totals are left to
//! the reader), ISO dates, plain decimals. Text cells that a spreadsheet would run as a
//! formula are prefixed with `'`; numbers are never touched, so `-5.00` stays a number.

use std::io::{self, Write};

use crate::money::{push_digits, write_plain};
use crate::report::{Cell, Column, Field, Report};

pub fn render_csv(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<&[Cell]> = (report.groups.iter())
        .flat_map(|g| g.rows.iter().map(Vec::as_slice))
        .collect();
    write_rows(
        &report.columns,
        rows.len(),
        |i| rows[i].iter().map(Field::from),
        out,
    )
}

/// The CSV of `columns` and `n` rows, row `i`'s fields given by `row(i)` (a report's cells,
/// or fields of rows too many to be made into cells first), as [`render_csv`] writes them.
pub(crate) fn write_rows<'a, I>(
    columns: &[Column],
    n: usize,
    row: impl Fn(usize) -> I + Sync,
    out: &mut dyn Write,
) -> io::Result<()>
where
    I: IntoIterator<Item = Field<'a>>,
{
    // The header: the keys as they are (no guard against formulas: they are ours).
    let mut header = Vec::new();
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            header.push(b',');
        }
        push_field(&mut header, column.key.as_bytes());
    }
    header.push(b'\n');
    out.write_all(&header)?;
    // The rows a chunk at a time, rendered on both cores and written in order.
    let render = |k: usize, room| {
        render_rows(
            (k * CHUNK_ROWS..((k + 1) * CHUNK_ROWS).min(n)).map(&row),
            room,
        )
    };
    super::chunks::write_in_order(n.div_ceil(CHUNK_ROWS), render, out)
}

/// Rows rendered on one core at a time.
const CHUNK_ROWS: usize = 1 << 15;

/// CSV lines of `rows` at the end of `out`, each field written from the report's own text
/// (or a number or date formatted into one buffer), with no string made per field.
fn render_rows<'a, I: IntoIterator<Item = Field<'a>>>(
    rows: impl ExactSizeIterator<Item = I>,
    mut out: Vec<u8>,
) -> Vec<u8> {
    out.reserve(rows.len() * 64);
    let mut buf = String::new();
    for row in rows {
        let start = out.len();
        let mut fields = 0;
        for field in row {
            if fields > 0 {
                out.push(b',');
            }
            fields += 1;
            // Numbers and ISO dates hold no comma, quote or line break: written as they
            // are, straight into the line.
            let text = match field {
                Field::Text(t) if starts_like_formula(t) => {
                    buf.clear();
                    buf.push('\'');
                    buf.push_str(t);
                    &buf
                }
                Field::Text(t) => t,
                Field::Money(d, minor) => {
                    write_plain(&mut out, d, minor);
                    continue;
                }
                Field::Int(i) => {
                    if i < 0 {
                        out.push(b'-');
                    }
                    push_digits(&mut out, i.unsigned_abs(), 1);
                    continue;
                }
                Field::Date(d) => {
                    write_date(&mut out, d);
                    continue;
                }
                Field::Empty => "",
            };
            push_field(&mut out, text.as_bytes());
        }
        // A row of one empty field would read as no row at all.
        if fields == 1 && out.len() == start {
            out.extend_from_slice(b"\"\"");
        }
        out.push(b'\n');
    }
    out
}

/// Appends a field as the csv crate writes it by default: in quotes (each quote doubled)
/// when it holds a comma, a quote or a line break, else as it is.
fn push_field(out: &mut Vec<u8>, field: &[u8]) {
    if !needs_quotes(field) {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    // A stretch at a time up to each quote, the quote written twice.
    let mut rest = field;
    while let Some(at) = memchr::memchr(b'"', rest) {
        out.extend_from_slice(&rest[..=at]);
        out.push(b'"');
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

/// Whether `field` holds a comma, a quote or a line break: eight bytes a step, each
/// compared with the four at once in one 64-bit word (names are long and many; a byte at a
/// time took about a sixth of the rendering of open items), the last few in a word padded
/// with zeros (no zero byte asks for quotes).
fn needs_quotes(field: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Whether a byte of `word` is `b`: that byte of `word ^ b…` is zero, which this finds
    // (exactly whether there is one, if not which).
    let has = |word: u64, b: u8| {
        let x = word ^ (ONES * u64::from(b));
        x.wrapping_sub(ONES) & !x & HIGHS != 0
    };
    let quoting = |w: &[u8; 8]| {
        let w = u64::from_ne_bytes(*w);
        has(w, b',') | has(w, b'"') | has(w, b'\r') | has(w, b'\n')
    };
    let (words, rest) = field.as_chunks::<8>();
    let mut last = [0; 8];
    last[..rest.len()].copy_from_slice(rest);
    words.iter().any(quoting) || quoting(&last)
}

/// A date as ISO 8601 (`YYYY-MM-DD`), as it displays, written digit by digit for the years
/// of four digits (no formatting machinery: reports write many).
pub(crate) fn write_date(out: &mut Vec<u8>, d: chrono::NaiveDate) {
    use chrono::Datelike;
    use std::io::Write as _;
    let year = d.year();
    if !(0..=9999).contains(&year) {
        let _ = write!(out, "{d}");
        return;
    }
    let digit = |n: u32, unit: u32| b'0' + (n / unit % 10) as u8;
    let (year, month, day) = (year as u32, d.month(), d.day());
    // Made whole, then appended at once (one check of room, not ten).
    out.extend_from_slice(&[
        digit(year, 1000),
        digit(year, 100),
        digit(year, 10),
        digit(year, 1),
        b'-',
        digit(month, 10),
        digit(month, 1),
        b'-',
        digit(day, 10),
        digit(day, 1),
    ]);
}

#[cfg(test)]
fn csv_cell(cell: &Cell) -> String {
    let row = [Field::from(cell)];
    let mut line = render_rows(std::iter::once(row), Vec::new());
    line.pop(); // the line break
    String::from_utf8(line).expect("UTF-8 in, UTF-8 out")
}

/// Whether a spreadsheet could run `text` as a formula: it starts with one of OWASP's
/// CSV-injection triggers, or their full-width forms.
pub fn starts_like_formula(text: &str) -> bool {
    const TRIGGERS: &[char] = &['=', '+', '-', '@', '\t', '\r', '\n', '＝', '＋', '－', '＠'];
    match text.as_bytes().first() {
        // An ASCII letter or digit, as most texts start: no character to decode.
        Some(b) if b.is_ascii_alphanumeric() => false,
        _ => text.starts_with(TRIGGERS),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Datelike;

    use super::*;

    /// Eight bytes at a time, a field is quoted exactly when one of its bytes, looked at
    /// one by one, is a comma, a quote or a line break: wherever it stands in a word or
    /// after the last, beside any other byte (those just above and below included).
    #[test]
    fn a_field_is_quoted_exactly_when_a_byte_asks_for_it() {
        let mut draw = crate::draws(11);
        let bytes = [
            b',', b'"', b'\r', b'\n', 0, 1, b'+', b'-', b'!', b'#', b'\t', 0x0b, 0x80, 0xff,
        ];
        for _ in 0..20_000 {
            let len = draw(40) as usize;
            let field: Vec<u8> = (0..len)
                .map(|_| match draw(4) {
                    0 => bytes[draw(bytes.len() as u64) as usize],
                    _ => b'a' + draw(26) as u8,
                })
                .collect();
            let want = field
                .iter()
                .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'));
            assert_eq!(needs_quotes(&field), want, "{field:?}");
        }
    }

    #[test]
    fn dates_are_written_as_they_display() {
        let mut day = chrono::NaiveDate::from_ymd_opt(1, 1, 1).unwrap();
        let days = std::iter::from_fn(|| {
            day = day.checked_add_days(chrono::Days::new(97))?;
            Some(day)
        });
        let far = [-1, 0, 9999, 10_000, 99_999].map(|y| chrono::NaiveDate::from_ymd_opt(y, 12, 31));
        for d in days
            .take_while(|d| d.year() < 12_000)
            .chain(far.into_iter().flatten())
        {
            assert_eq!(csv_cell(&Cell::Date(d)), d.to_string());
        }
    }

    proptest::proptest! {
        /// Rows of awkward text are written byte for byte as the csv crate writes them
        /// (after the guard against formulas), one empty field alone included.
        #[test]
        fn text_is_quoted_as_the_csv_crate_quotes_it(
            rows in proptest::collection::vec(
                proptest::collection::vec("[a ,\"\r\n#=\t'ñ;-]{0,6}", 1..5),
                0..6,
            )
        ) {
            let mut want = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
            for row in &rows {
                let guarded = row.iter().map(|t| {
                    if starts_like_formula(t) { format!("'{t}") } else { t.clone() }
                });
                want.write_record(guarded).unwrap();
            }
            let want = want.into_inner().unwrap();
            let got = render_rows(rows.iter().map(|r| r.iter().map(|t| Field::Text(t))), Vec::new());
            let (got, want) = (String::from_utf8(got).unwrap(), String::from_utf8(want).unwrap());
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn formulas_are_neutralised_in_text_only() {
        let text = |t: &str| csv_cell(&Cell::Text(t.into()));
        assert_eq!(text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text("+57 300 1234567"), "'+57 300 1234567");
        assert_eq!(text("-Descuento"), "'-Descuento");
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text("\tx"), "'\tx");
        assert_eq!(text("＝1+1"), "'＝1+1");
        assert_eq!(text("Peña"), "Peña");
        let money = Cell::Money(rust_decimal::Decimal::new(-500, 2), 2);
        assert_eq!(csv_cell(&money), "-5.00");
    }

    #[test]
    fn rows_rendered_in_chunks_on_two_cores_come_out_in_order() {
        use crate::report::{Column, Report};
        let n = 3 * CHUNK_ROWS + 5;
        let rows = (0..n)
            .map(|i| {
                let note = if i % 7 == 0 { "=x" } else { "a, b" };
                vec![
                    Cell::Text(format!("C-{i}").into()),
                    Cell::Int(i as i64),
                    Cell::Text(note.into()),
                ]
            })
            .collect();
        let columns = ["id", "n", "note"].map(|k| Column::text(k, k)).to_vec();
        let report = Report::single("test", columns, rows, "");
        let mut out = Vec::new();
        render_csv(&report, &mut out).unwrap();
        let mut expected = String::from("id,n,note\n");
        for i in 0..n {
            let note = if i % 7 == 0 { "'=x" } else { "\"a, b\"" };
            expected.push_str(&format!("C-{i},{i},{note}\n"));
        }
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }
}
