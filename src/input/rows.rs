//! What a row of an input is, beyond its values: a row of a report that is no document
//! (a repeated header, a heading, a total), and the stable code of a row's problem.

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

/// The stable code of a row problem, from the wording of cartera's own messages (a test
/// holds each message to its code).
pub fn problem_code(message: &str) -> &'static str {
    let has = |t: &str| message.contains(t);
    if message.starts_with("the row has") {
        "bad_width"
    } else if has("not valid UTF-8") {
        "bad_encoding"
    } else if has("runs over") {
        "unclosed_quote"
    } else if message.starts_with("duplicate invoice id") {
        "duplicate_invoice"
    } else if has("every document needs") {
        "missing_value"
    } else if has("as a currency") {
        "bad_currency"
    } else if has("as a date") || has("expected a date") || has("days of terms") {
        "bad_date"
    } else if has("invoice, payment or credit_note")
        || has("in the invoices file")
        || has("in the payments file")
    {
        "bad_type"
    } else {
        "bad_amount"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_problem_has_its_stable_code() {
        let cases = [
            (
                "the row has 6 fields but the header has 5 (hint: …)",
                "bad_width",
            ),
            (
                "column \"name\": the text is not valid UTF-8 (hint: …)",
                "bad_encoding",
            ),
            (
                "column \"name\": the value runs over 2 lines (hint: …)",
                "unclosed_quote",
            ),
            (
                "duplicate invoice id \"F1\" (first at t.csv:2)",
                "duplicate_invoice",
            ),
            (
                "column \"id\": is empty (every document needs its number)",
                "missing_value",
            ),
            (
                "column \"currency\": cannot read \"COL\" as a currency (expected …)",
                "bad_currency",
            ),
            (
                "column \"date\": cannot read \"x\" as a date (expected YYYY-MM-DD)",
                "bad_date",
            ),
            (
                "column \"date\": is empty (expected a date as YYYY-MM-DD)",
                "bad_date",
            ),
            (
                "column \"date\": 9999-12-31 plus 30 days of terms is after 9999-12-31",
                "bad_date",
            ),
            (
                "column \"type\": unknown type \"x\" (expected invoice, payment or credit_note)",
                "bad_type",
            ),
            (
                "column \"type\": a payment in the invoices file (hint: …)",
                "bad_type",
            ),
            (
                "column \"amount\": cannot read \"x\" as an amount (expected …)",
                "bad_amount",
            ),
            ("column \"amount\": \"-5\" is negative (…)", "bad_amount"),
            (
                "column \"withholding\": only a payment can carry one (this row is an invoice)",
                "bad_amount",
            ),
        ];
        for (message, code) in cases {
            assert_eq!(problem_code(message), code, "{message}");
        }
    }
}
