//! What a row of an input is, beyond its values: a row of a report that is no document (a
//! repeated header, a heading, a total).

use csv::ByteRecord;

use super::Columns;

/// A row of a report-shaped export that is no document: the header repeated (page breaks),
/// a group heading (no id and no amount), or a total (`Total…`, `Subtotal`, `Total general`,
/// with no id). Such rows are skipped and counted, never read as invoices.
pub(super) fn is_not_a_document(rec: &ByteRecord, cols: &Columns) -> bool {
    let folded = |i: usize| crate::policy::fold(&String::from_utf8_lossy(&rec[i]));
    let empty = |i: usize| rec[i].iter().all(u8::is_ascii_whitespace);
    let repeated_header = (0..rec.len()).all(|i| folded(i) == crate::policy::fold(&cols.names[i]));
    let no_id = empty(cols.id);
    let heading = no_id && empty(cols.amount);
    let total = no_id
        && (0..rec.len())
            .any(|i| folded(i).starts_with("total") || folded(i).starts_with("subtotal"));
    repeated_header || heading || total
}
