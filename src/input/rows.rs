//! What a row of an input is, beyond its values: a row of a report that is no document (a
//! repeated header, a heading, a total).

use csv::ByteRecord;

use super::Columns;
use crate::policy::fold_chars;

/// A row of a report-shaped export that is no document: the header repeated (page breaks),
/// a group heading (no id and no amount), or a total (`Total…`, `Subtotal`, `Total general`,
/// with no id). Such rows are skipped and counted, never read as invoices.
pub(super) fn is_not_a_document(rec: &ByteRecord, cols: &Columns) -> bool {
    let text = |i: usize| std::str::from_utf8(&rec[i]).unwrap_or("");
    let empty = |i: usize| text(i).trim().is_empty();
    let no_id = empty(cols.id);
    if no_id && empty(cols.amount) {
        return true; // a heading
    }
    let starts_with = |i: usize, word: &str| fold_chars(text(i)).take(word.len()).eq(word.chars());
    if no_id && (0..rec.len()).any(|i| starts_with(i, "total") || starts_with(i, "subtotal")) {
        return true;
    }
    // The header repeated at a page break (compared folded, without allocating).
    (0..rec.len()).all(|i| fold_chars(text(i)).eq(cols.folded[i].chars()))
}
