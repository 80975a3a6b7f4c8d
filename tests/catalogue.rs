mod common;

// The bad-input catalogue (shared research, input-and-safety.md §1.2): one test per class,
// each reading its fixture `tests/fixtures/catalogue/<class>.csv` the way a user would and
// pinning the outcome (exit code, the CSV on stdout or every line of stderr).

use assert_cmd::Command;
use common::{cartera, cartera_in, csv_rows};

const AS_OF: &str = "2026-06-30";
const DIR: &str = "tests/fixtures/catalogue";
const AGING: &str =
    "customer_id,customer_name,currency,current,1-30,31-60,61-90,91-120,120+,unapplied,balance\n";
const DETAIL: &str = "customer_id,customer_name,currency,type,id,date,due_date,days,bucket,open\n";
const NEGATIVE: &str = "is negative (amounts are positive; the type gives the direction, so record a refund or reversal as a credit_note or payment)";
const WIDTH_HINT: &str = "(hint: a value that contains a comma must be in double quotes, and every opening quote needs its closing one)";
const UTF8_HINT: &str = "(hint: save the file as \"CSV UTF-8\", or read it with --encoding windows-1252 or the policy's [input] encoding = \"windows-1252\")";
const SAVE_AS: &str = "(hint: open it in Excel or LibreOffice and save it as \"CSV UTF-8\")";
const ANY_DATE: &str =
    "(expected YYYY-MM-DD or DD/MM/YYYY; for other forms set [input] date_format)";
const TOO_LARGE: &str = "is too large (at most 15 digits before the decimal point)";
const ONE_PROBLEM: &str = "error: 1 problem in the input; no report was written\n";
const ALLOC: &str =
    "payment_id,invoice_id,customer_id,currency,applied,withholding,discount,rule\n";
const EXC: &str = "code,type,id,customer_id,currency,amount,file,line,message\n";

fn fixture(name: &str) -> String {
    format!("{DIR}/{name}")
}

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn outcome(cmd: &mut Command) -> Outcome {
    let out = cmd.output().unwrap();
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// `cartera aging tests/fixtures/catalogue/<name> --as-of 2026-06-30 --format csv <extra…>`.
fn aging(name: &str, extra: &[&str]) -> Outcome {
    outcome(
        cartera()
            .args(["aging", &fixture(name), "--as-of", AS_OF, "--format", "csv"])
            .args(extra),
    )
}

/// "N rows read: U used, R set aside, S without data skipped", from [N, U, R, S].
fn summary([read, used, aside, skipped]: [u32; 4]) -> String {
    let rows = if read == 1 { "row" } else { "rows" };
    format!(
        "cartera: {read} {rows} read: {used} used, {aside} set aside, {skipped} without data skipped\n"
    )
}

const ONE: [u32; 4] = [1, 1, 0, 0];
const TWO: [u32; 4] = [2, 2, 0, 0];

/// The fixture is read (exit 0): the CSV header (of `--detail` when asked) and exactly these
/// rows on stdout, and the row counts on stderr.
fn reads(name: &str, extra: &[&str], counts: [u32; 4], rows: &[&str]) {
    let out = aging(name, extra);
    let detail = extra.contains(&"--detail");
    let head = if detail { DETAIL } else { AGING };
    let want: String = rows.iter().map(|r| format!("{r}\n")).collect();
    assert_eq!(out.code, Some(0), "{name}: {}", out.stderr);
    assert_eq!(out.stdout, format!("{head}{want}"), "{name}");
    assert_eq!(out.stderr, summary(counts), "{name}");
}

/// The fixture is refused (exit 65, nothing on stdout) with exactly these problems, each
/// written as what follows the file name (`:2: column …`, or `: this is …`).
fn refused(name: &str, extra: &[&str], problems: &[&str]) {
    let out = aging(name, extra);
    let path = fixture(name);
    let mut want: String = problems
        .iter()
        .map(|p| format!("error: {path}{p}\n"))
        .collect();
    let n = problems.len();
    let s = if n == 1 { "" } else { "s" };
    want += &format!("error: {n} problem{s} in the input; no report was written\n");
    assert_eq!(out.code, Some(65), "{name}: {}", out.stderr);
    assert_eq!(out.stderr, want, "{name}");
    assert_eq!(out.stdout, "", "{name}");
}

/// The fixture is refused as a whole: it is `what`, not a CSV file.
fn not_a_csv(name: &str, what: &str) {
    refused(
        name,
        &[],
        &[&format!(": this is {what}, not a CSV file {SAVE_AS}")],
    );
}

/// A file written by `cartera reconcile <fixture> --as-of … <flag> FILE`.
fn reconcile_file(name: &str, flag: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.csv");
    let out = outcome(
        cartera()
            .args(["reconcile", &fixture(name), "--as-of", AS_OF, "-q", flag])
            .arg(&file),
    );
    assert_eq!(out.code, Some(0), "{name}: {}", out.stderr);
    std::fs::read_to_string(file).unwrap()
}

// ---------------------------------------------------------------- Encoding

const ACME_100: &str = "C1,Acme,USD,0.00,100.00,0.00,0.00,0.00,0.00,0.00,100.00";

#[test]
fn utf8_bom() {
    // The BOM never reaches the first header name: `type` is found.
    let row = "C1,Peñíscola,USD,0.00,100.00,0.00,0.00,0.00,0.00,0.00,100.00";
    reads("utf8_bom.csv", &[], ONE, &[row]);
}

#[test]
fn windows_1252() {
    let msg = format!(":2: column \"customer_name\": the text is not valid UTF-8 {UTF8_HINT}");
    refused("windows_1252.csv", &[], &[&msg]);
    let row = "C1,Peñíscola € S.A.,USD,0.00,100.00,0.00,0.00,0.00,0.00,0.00,100.00";
    let setting = ["--encoding", "windows-1252"];
    reads("windows_1252.csv", &setting, ONE, &[row]);
}

#[test]
fn utf16le_bom() {
    // Excel's "Unicode text": UTF-16LE with a BOM, tab-delimited, CRLF; no setting needed.
    let row = "C1,Núñez,USD,0.00,100.00,0.00,0.00,0.00,0.00,0.00,100.00";
    reads("utf16le_bom.csv", &[], ONE, &[row]);
}

#[test]
fn mixed_encodings() {
    // Valid UTF-8 up to a Windows-1252 `ñ` on line 3: that line is named, nothing guessed.
    let reason = format!("column \"customer_name\": the text is not valid UTF-8 {UTF8_HINT}");
    refused("mixed_encodings.csv", &[], &[&format!(":3: {reason}")]);
    // With --rejects the row is set aside with its code, and the run goes on.
    let dir = tempfile::tempdir().unwrap();
    let rejects = dir.path().join("r.csv");
    let args = ["-q", "--rejects", rejects.to_str().unwrap()];
    let out = aging("mixed_encodings.csv", &args);
    assert_eq!((out.code, out.stderr.as_str()), (Some(0), ""));
    let name = "C1,Núñez,USD,0.00,100.00,0.00,0.00,0.00,0.00,0.00,100.00";
    assert_eq!(out.stdout, format!("{AGING}{name}\n"));
    let rows = csv_rows(&std::fs::read_to_string(&rejects).unwrap());
    let path = fixture("mixed_encodings.csv");
    assert_eq!(rows.len(), 2);
    let want = [&path, "3", "bad_encoding", &reason, "invoice", "F2"];
    assert_eq!(rows[1][..6], want);
}

#[test]
fn xlsx_saved_as_csv() {
    not_a_csv(
        "xlsx_saved_as_csv.csv",
        "an Excel workbook (.xlsx) or another zip archive",
    );
}

#[test]
fn legacy_xls() {
    not_a_csv("legacy_xls.csv", "an old Excel workbook (.xls)");
}

#[test]
fn html_saved_as_csv() {
    not_a_csv("html_saved_as_csv.csv", "a web page (HTML or XML)");
}

// ---------------------------------------------------------------- Dialect and structure

#[test]
fn semicolon_delimiter() {
    // Sniffed; the comma inside the name is then just text.
    let row = "C1,\"Acme, Inc.\",USD,0.00,100.00,0.00,0.00,0.00,0.00,0.00,100.00";
    reads("semicolon_delimiter.csv", &[], ONE, &[row]);
}

#[test]
fn excel_sep_line() {
    // `sep=;` (CRLF-terminated) sets the delimiter and counts as a row skipped.
    reads("excel_sep_line.csv", &[], [2, 1, 0, 1], &[ACME_100]);
}

const ACME_120: &str = "C1,Acme,USD,20.00,100.00,0.00,0.00,0.00,0.00,0.00,120.00";

#[test]
fn crlf() {
    reads("crlf.csv", &[], TWO, &[ACME_120]);
}

#[test]
fn cr_only() {
    reads("cr_only.csv", &[], TWO, &[ACME_120]);
}

#[test]
fn blank_and_delimiter_only_lines() {
    // Two empty lines, one of spaces and two of commas only: skipped, and counted.
    let file = "blank_and_delimiter_only_lines.csv";
    reads(file, &[], [7, 2, 0, 5], &[ACME_120]);
}

#[test]
fn ragged_rows() {
    // `1.234,50` unquoted in a comma file is one field too many; a short row is one too few.
    let long = format!(":2: the row has 10 fields but the header has 9 {WIDTH_HINT}");
    let short = format!(":3: the row has 5 fields but the header has 9 {WIDTH_HINT}");
    refused("ragged_rows.csv", &[], &[&long, &short]);
}

#[test]
fn report_shaped() {
    // Four preamble lines, two "Total cliente" rows, a repeated header and "Total general":
    // eight rows skipped, none summed.
    let rows = [
        "C1,Acme,USD,invoice,F-1,2026-05-01,2026-05-31,30,1-30,100.00",
        "C1,Acme,USD,invoice,F-2,2026-06-01,2026-07-01,-1,current,20.00",
        "C2,Beta,USD,invoice,F-3,2026-01-15,2026-02-14,136,120+,300.00",
    ];
    reads("report_shaped.csv", &["--detail"], [11, 3, 0, 8], &rows);
}

#[test]
fn duplicate_headers() {
    let msg = ":1: column \"amount\" appears twice in the header (columns 5 and 6)";
    refused("duplicate_headers.csv", &[], &[msg]);
}

#[test]
fn spanish_headers() {
    // Tipo, Número, NIT, Razón social, Fecha, Fecha de vencimiento, Valor, Moneda, Aplica a,
    // and the type words Factura, Recibo de caja, Nota crédito.
    let row = "900123456,Andina S.A.S.,COP,0.00,0.00,500.00,0.00,0.00,0.00,0.00,500.00";
    reads("spanish_headers.csv", &[], [3, 3, 0, 0], &[row]);
}

#[test]
fn quoting_space_before_quote() {
    // ` "Acme, Inc."`: the quote does not open a quoted field, so the comma splits it.
    let msg = format!(":2: the row has 10 fields but the header has 9 {WIDTH_HINT}");
    refused("quoting_space_before_quote.csv", &[], &[&msg]);
}

#[test]
fn quoting_bare_quote() {
    // A bare `"` inside an unquoted field is kept as text.
    let row = "C1,\"Tornillos 3/4\"\" S.A.\",USD,0.00,100.00,0.00,0.00,0.00,0.00,0.00,100.00";
    reads("quoting_bare_quote.csv", &[], ONE, &[row]);
}

#[test]
fn whitespace_nbsp() {
    // Spaces, NBSP and narrow NBSP around the id, customer, name, dates, amount and currency.
    let row = "C1,Acme,USD,invoice,F1,2026-05-01,2026-05-31,30,1-30,100.00";
    reads("whitespace_nbsp.csv", &["--detail"], ONE, &[row]);
}

// ---------------------------------------------------------------- Numbers and amounts

#[test]
fn decimal_comma_thousands_dots() {
    // 1.234.567,89 + 250,5
    let row = "C1,Acme,COP,0.00,1234818.39,0.00,0.00,0.00,0.00,0.00,1234818.39";
    reads("decimal_comma_thousands_dots.csv", &[], TWO, &[row]);
}

#[test]
fn dot_decimal_comma_thousands() {
    // "1,234,567.89" + 250.5
    let row = "C1,Acme,USD,0.00,1234818.39,0.00,0.00,0.00,0.00,0.00,1234818.39";
    reads("dot_decimal_comma_thousands.csv", &[], TWO, &[row]);
}

#[test]
fn ambiguous_single_separator() {
    let msg = ":2: column \"amount\": cannot tell the decimal mark: \"1.234\" reads as 1.234 (.) or 1234 (,), and no other amount tells them apart (hint: set [input] decimal_mark in the policy, or --decimal-mark)";
    refused("ambiguous_single_separator.csv", &[], &[msg]);
    // The setting decides.
    let row = "C1,Acme,COP,0.00,1234.00,0.00,0.00,0.00,0.00,0.00,1234.00";
    let setting = ["--decimal-mark", ","];
    reads("ambiguous_single_separator.csv", &setting, ONE, &[row]);
}

#[test]
fn ambiguous_single_separator_decided() {
    // "2.500,75" later in the column says decimal comma: 1.234 is 1234.
    let row = "C1,Acme,COP,0.00,3734.75,0.00,0.00,0.00,0.00,0.00,3734.75";
    reads("ambiguous_single_separator_decided.csv", &[], TWO, &[row]);
}

#[test]
fn apostrophe_millions() {
    // 1'234.567,00
    let row = "C1,Acme,COP,0.00,1234567.00,0.00,0.00,0.00,0.00,0.00,1234567.00";
    reads("apostrophe_millions.csv", &[], ONE, &[row]);
}

#[test]
fn space_grouping() {
    // `1 234,56` (space) + `2 000,00` (NBSP)
    let row = "C1,Acme,EUR,0.00,3234.56,0.00,0.00,0.00,0.00,0.00,3234.56";
    reads("space_grouping.csv", &[], TWO, &[row]);
}

#[test]
fn currency_symbols_codes() {
    // `$ 1.234,50` and `2.000,00 COP` in a decimal-comma column.
    let comma = [
        "C1,Acme,COP,invoice,F1,2026-05-01,2026-05-31,30,1-30,1234.50",
        "C1,Acme,COP,invoice,F2,2026-05-01,2026-05-31,30,1-30,2000.00",
    ];
    let detail = ["--detail"];
    reads("currency_symbols_codes_comma.csv", &detail, TWO, &comma);
    // `USD 1,000.00`, `US$ 250.25` and `€ 10.50` in a decimal-point column.
    let dot = [
        "C1,Acme,EUR,invoice,F3,2026-05-01,2026-05-31,30,1-30,10.50",
        "C1,Acme,USD,invoice,F1,2026-05-01,2026-05-31,30,1-30,1000.00",
        "C1,Acme,USD,invoice,F2,2026-05-01,2026-05-31,30,1-30,250.25",
    ];
    reads(
        "currency_symbols_codes_dot.csv",
        &detail,
        [3, 3, 0, 0],
        &dot,
    );
}

#[test]
fn negatives() {
    // `(1)`, `1-` and `-1` are all read as negative, and refused with the sign message.
    let msg = |line: u32, v: &str| format!(":{line}: column \"amount\": \"{v}\" {NEGATIVE}");
    let problems = [msg(2, "(1)"), msg(3, "1-"), msg(4, "-1")];
    refused(
        "negatives.csv",
        &[],
        &problems.each_ref().map(String::as_str),
    );
}

#[test]
fn scientific_amount() {
    let msg = ":2: column \"amount\": cannot read \"1.23E+05\" as an amount (expected a number such as 1234.50 or 1.234,50)";
    refused("scientific_amount.csv", &[], &[msg]);
}

#[test]
fn scientific_id() {
    let msg = ":2: column \"customer_id\": \"9.00123E+08\" is a number in scientific notation: the spreadsheet dropped its digits (hint: format the column as text before exporting)";
    refused("scientific_id.csv", &[], &[msg]);
}

#[test]
fn ids_as_floats() {
    // Invoice `1930571429.0` of customer `900123456.0`; the payment of 40 names `1930571429`
    // for customer `900123456`, and pays it.
    let row = "900123456,Acme,USD,invoice,1930571429,2026-05-01,2026-05-31,30,1-30,60.00";
    reads("ids_as_floats.csv", &["--detail"], TWO, &[row]);
    assert_eq!(
        reconcile_file("ids_as_floats.csv", "--allocations"),
        format!("{ALLOC}P1,1930571429,900123456,USD,40.00,0.00,0.00,reference\n")
    );
}

#[test]
fn too_many_decimals() {
    // `20.5` decides the decimal point; `100.005` USD and `100.5` JPY have too many decimals.
    let usd = ":2: column \"amount\": \"100.005\" has more decimal places than USD has (2)";
    let jpy = ":4: column \"amount\": \"100.5\" has more decimal places than JPY has (0)";
    refused("too_many_decimals.csv", &[], &[usd, jpy]);
}

#[test]
fn overflow() {
    let nines = "9".repeat(40);
    let msg = format!(":2: column \"amount\": \"{nines}\" {TOO_LARGE}");
    refused("overflow.csv", &[], &[&msg]);
}

#[test]
fn empty_placeholder_values() {
    // Empty, `-` and `N/A` are refused; `0,00` is a zero, read (and decides the decimal comma).
    let expected = "(expected \",\" for decimals, thousands in groups of three)";
    let problems = [
        ":2: column \"amount\": is empty (expected an amount such as 1234.50)",
        &format!(":3: column \"amount\": cannot read \"-\" as an amount {expected}"),
        &format!(":4: column \"amount\": cannot read \"N/A\" as an amount {expected}"),
    ];
    refused("empty_placeholder_values.csv", &[], &problems);
}

// ---------------------------------------------------------------- Dates

#[test]
fn day_month_order() {
    // 05/03/2026 alone could be either; 25/03/2026 and 24/04/2026 decide day first.
    let rows = [
        "C1,Acme,USD,invoice,F1,2026-03-05,2026-04-04,87,61-90,100.00",
        "C1,Acme,USD,invoice,F2,2026-03-25,2026-04-24,67,61-90,20.00",
    ];
    reads("day_month_order.csv", &["--detail"], TWO, &rows);
}

#[test]
fn day_month_ambiguous() {
    let msg = ":2: column \"date\": cannot tell how the dates are written: \"05/03/2026\" reads as 2026-03-05 (%d/%m/%Y) or 2026-05-03 (%m/%d/%Y), and no other date tells them apart (hint: set [input] date_format in the policy, or --date-format)";
    refused("day_month_ambiguous.csv", &[], &[msg]);
}

#[test]
fn iso_datetime_zone() {
    // The date part is taken as written: 23:30 at -05:00 stays on 2026-05-01.
    let rows = [
        "C1,Acme,USD,invoice,F1,2026-05-01,2026-05-31,30,1-30,100.00",
        "C1,Acme,USD,invoice,F2,2026-06-01,2026-07-01,-1,current,20.00",
    ];
    reads("iso_datetime_zone.csv", &["--detail"], TWO, &rows);
}

#[test]
fn two_digit_years() {
    let msg = format!(":2: column \"date\": cannot read \"15/03/26\" as a date {ANY_DATE}");
    refused("two_digit_years.csv", &[], &[&msg]);
}

#[test]
fn spanish_month_abbreviations() {
    // 15-ene-2026, 14-feb-2026, 01-sep-2025, 01-dic-2025
    let rows = [
        "C1,Acme,USD,invoice,F2,2025-09-01,2025-12-01,211,120+,20.00",
        "C1,Acme,USD,invoice,F1,2026-01-15,2026-02-14,136,120+,100.00",
    ];
    reads("spanish_month_abbreviations.csv", &["--detail"], TWO, &rows);
}

#[test]
fn excel_serial_dates() {
    // The due date is bad too: both are listed in one pass.
    let msg = format!(":2: column \"date\": cannot read \"46054\" as a date {ANY_DATE}");
    let due = format!(":2: column \"due_date\": cannot read \"46084\" as a date {ANY_DATE}");
    refused("excel_serial_dates.csv", &[], &[&msg, &due]);
    let row = "C1,Acme,USD,invoice,F1,2026-02-01,2026-03-03,119,91-120,100.00";
    let policy = fixture("excel_serial_dates.toml");
    let args = ["--detail", "--policy", &policy];
    reads("excel_serial_dates.csv", &args, ONE, &[row]);
}

#[test]
fn due_date_missing() {
    // Issued 2026-03-20 with no due date: + 30 days by default, + 45 with the policy's terms.
    let row = "C1,Acme,USD,invoice,F1,2026-03-20,2026-04-19,72,61-90,100.00";
    reads("due_date_missing.csv", &["--detail"], ONE, &[row]);
    let row = "C1,Acme,USD,invoice,F1,2026-03-20,2026-05-04,57,31-60,100.00";
    let policy = fixture("due_date_missing.toml");
    let args = ["--detail", "--policy", &policy];
    reads("due_date_missing.csv", &args, ONE, &[row]);
}

#[test]
fn impossible_dates() {
    // 31/02/2026 (15/03/2026 below decides day first) and 29/02/2026 (2026 is no leap year).
    let feb31 = ":2: column \"date\": \"31/02/2026\" is not a day of the calendar (hint: check its day and month)";
    let feb29 = ":3: column \"due_date\": \"29/02/2026\" is not a day of the calendar (hint: check its day and month)";
    refused("impossible_dates.csv", &[], &[feb31, feb29]);
}

// ---------------------------------------------------------------- Domain-level anomalies

#[test]
fn duplicate_invoice_ids() {
    let path = fixture("duplicate_invoice_ids.csv");
    let msg = format!(":4: duplicate invoice id \"F1\" (first at {path}:2)");
    refused("duplicate_invoice_ids.csv", &[], &[&msg]);
}

#[test]
fn negative_invoice_amounts() {
    let msg = format!(":2: column \"amount\": \"-100.00\" {NEGATIVE}");
    refused("negative_invoice_amounts.csv", &[], &[&msg]);
}

#[test]
fn overpayment() {
    // 150 against an invoice of 100: closed, 50 unapplied, the balance never below zero.
    let row = "C1,Acme,USD,0.00,0.00,0.00,0.00,0.00,0.00,50.00,-50.00";
    reads("overpayment.csv", &[], TWO, &[row]);
    let p = fixture("overpayment.csv");
    assert_eq!(
        reconcile_file("overpayment.csv", "--exceptions"),
        format!(
            "{EXC}overpaid,payment,P1,C1,USD,50.00,{p},3,payment P1 exceeds what was open on invoice F1 by 50.00 USD; the excess went to the customer's pool\n\
             unapplied,payment,P1,C1,USD,50.00,{p},3,payment P1 has 50.00 USD unapplied: customer C1 has no open invoice in USD left\n"
        )
    );
}

#[test]
fn short_payment_withholdings() {
    // 1,190,000 paid as 1,155,000 cash + 25,000 ReteFuente + 10,000 ReteICA: nothing open.
    reads("short_payment_withholdings.csv", &[], TWO, &[]);
    assert_eq!(
        reconcile_file("short_payment_withholdings.csv", "--allocations"),
        format!("{ALLOC}RC-1,FV-1,900123456,COP,1155000.00,35000.00,0.00,reference\n")
    );
}

#[test]
fn payment_unknown_invoice() {
    // The payment names F9, which nobody issued: it joins the pool and pays F1.
    let row = "C1,Acme,USD,0.00,60.00,0.00,0.00,0.00,0.00,0.00,60.00";
    reads("payment_unknown_invoice.csv", &[], TWO, &[row]);
    let p = fixture("payment_unknown_invoice.csv");
    assert_eq!(
        reconcile_file("payment_unknown_invoice.csv", "--exceptions"),
        format!(
            "{EXC}unknown_ref,payment,P1,C1,USD,40.00,{p},3,\"payment P1 names invoice F9, which does not exist as of 2026-06-30; its 40.00 USD went to the customer's pool\"\n"
        )
    );
}

#[test]
fn mixed_currencies() {
    // A USD payment naming a COP invoice pays the USD one; the currencies are never added.
    let rows = [
        "C1,Acme,COP,0.00,500000.00,0.00,0.00,0.00,0.00,0.00,500000.00",
        "C1,Acme,USD,0.00,60.00,0.00,0.00,0.00,0.00,0.00,60.00",
    ];
    reads("mixed_currencies.csv", &[], [3, 3, 0, 0], &rows);
    let p = fixture("mixed_currencies.csv");
    assert_eq!(
        reconcile_file("mixed_currencies.csv", "--exceptions"),
        format!(
            "{EXC}currency_mismatch,payment,P1,C1,USD,40.00,{p},4,payment P1 of 40.00 USD names invoice F2 in COP; it went to the customer's USD pool\n"
        )
    );
}

#[test]
fn huge_field() {
    // A 1 MiB value, generated: a name is read whole; in a typed column the message quotes
    // only its start.
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, amount: &str| {
        let head = "type,id,customer_id,customer_name,date,amount";
        let text = format!("{head}\ninvoice,F1,C1,{name},2026-05-01,{amount}\n");
        std::fs::write(dir.path().join("big.csv"), text).unwrap();
        outcome(
            cartera_in(dir.path()).args(["aging", "big.csv", "--as-of", AS_OF, "--format", "csv"]),
        )
    };
    let big = |c: &str| c.repeat(1 << 20);
    let out = run(&big("N"), "1.00");
    let rows = csv_rows(&out.stdout);
    assert_eq!(out.code, Some(0));
    assert_eq!(
        (rows.len(), rows[1][1] == big("N"), rows[1][10].as_str()),
        (2, true, "1.00")
    );
    let out = run("Acme", &big("9"));
    let start = "9".repeat(60);
    let msg =
        format!("error: big.csv:2: column \"amount\": \"{start}…\" {TOO_LARGE}\n{ONE_PROBLEM}");
    assert_eq!((out.code, out.stderr), (Some(65), msg));
}

#[test]
fn long_delimiter_line() {
    // A line of 5,000 commas after the data: a row without data, skipped and counted.
    reads("long_delimiter_line.csv", &[], [2, 1, 0, 1], &[ACME_100]);
}

// ---------------------------------------------------------------- Every fixture

/// The settings a fixture needs to be read at all, as its own test passes them.
fn settings(name: &str) -> Vec<String> {
    match name {
        "windows_1252.csv" => vec!["--encoding".into(), "windows-1252".into()],
        "excel_serial_dates.csv" | "due_date_missing.csv" => {
            vec!["--policy".into(), fixture(&name.replace(".csv", ".toml"))]
        }
        _ => vec![],
    }
}

/// The numbers of "cartera: N rows read: U used, R set aside…, S without data skipped".
fn summary_counts(stderr: &str) -> [u64; 4] {
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("cartera: "))
        .unwrap_or_else(|| panic!("no summary in {stderr:?}"));
    let (read, rest) = line.split_once(": ").unwrap();
    let mut parts = std::iter::once(read).chain(rest.split(", "));
    let mut n = || -> u64 {
        let part = parts.next().unwrap();
        part.split(' ').next().unwrap().parse().unwrap()
    };
    [n(), n(), n(), n()]
}

#[test]
fn every_fixture_counts_each_row_as_used_set_aside_or_skipped() {
    let names = common::entries(&common::root().join(DIR));
    let names: Vec<&String> = names.iter().filter(|n| n.ends_with(".csv")).collect();
    let scratch = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for name in names {
        let rejects = scratch.path().join(format!("rejects-{name}"));
        let out = outcome(
            cartera()
                .args(["aging", &fixture(name), "--as-of", AS_OF, "--format", "csv"])
                .arg("--rejects")
                .arg(&rejects)
                .args(settings(name)),
        );
        if out.code != Some(0) {
            continue; // refused as a whole (not a CSV, a bad header, an undecided column)
        }
        let [read, used, aside, skipped] = summary_counts(&out.stderr);
        assert_eq!(read, used + aside + skipped, "{name}: {}", out.stderr);
        let rows = csv_rows(&std::fs::read_to_string(&rejects).unwrap());
        assert_eq!(rows.len() as u64 - 1, aside, "{name}");
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} fixtures could be read");
}
