//! Every user-facing error of `cartera aging`, pinned word for word, with its exit code.
//!
//! Fixtures live in `tests/fixtures/`; inputs that need CRLF or CR line endings, invalid
//! UTF-8 or many rows are generated into a temporary directory by the test itself, and the
//! command then runs from that directory so the messages carry short relative names.

mod common;

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use common::{cartera, cartera_in, entries, root};

const AS_OF: &str = "2026-06-30";
const HEADER: &str = "type,id,customer_id,customer_name,date,due_date,amount,currency,ref";

/// What a finished run left behind.
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn outcome(cmd: &mut Command) -> Outcome {
    let out = cmd.output().expect("cartera runs");
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `cmd`, checks that it ended with `code` and printed nothing on stdout, and returns
/// its stderr.
fn fails(cmd: &mut Command, code: i32) -> String {
    let out = outcome(cmd);
    assert_eq!(
        out.code,
        Some(code),
        "exit code; stderr was:\n{}",
        out.stderr
    );
    assert_eq!(out.stdout, "", "nothing may reach stdout on an error");
    out.stderr
}

/// `cartera aging ARGS --as-of 2026-06-30` from the crate root; must fail with `code`.
fn aging_fails(args: &[&str], code: i32) -> String {
    fails(
        cartera().arg("aging").args(args).args(["--as-of", AS_OF]),
        code,
    )
}

/// `cartera aging ARGS --as-of 2026-06-30` from `dir`; must fail with `code`.
fn aging_fails_in(dir: &Path, args: &[&str], code: i32) -> String {
    fails(
        cartera_in(dir)
            .arg("aging")
            .args(args)
            .args(["--as-of", AS_OF]),
        code,
    )
}

fn fixture(name: &str) -> String {
    format!("tests/fixtures/{name}")
}

/// The two lines every single data problem is reported with.
fn one_problem(line: &str) -> String {
    format!("error: {line}\nerror: 1 problem in the input; no report was written\n")
}

/// A temporary directory holding `name` with exactly `bytes`.
fn dir_with(name: &str, bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(name), bytes).unwrap();
    dir
}

// ---------------------------------------------------------------------------------------
// Exit 2: the command line is not understood.
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_flag_exits_2() {
    let stderr = aging_fails(&["examples/ledger.csv", "--bogus"], 2);
    assert!(stderr.contains("--bogus"), "{stderr}");
}

#[test]
fn impossible_as_of_date_exits_2_and_quotes_the_value() {
    let stderr = fails(
        cartera().args(["aging", "examples/ledger.csv", "--as-of", "2026-13-45"]),
        2,
    );
    assert_eq!(
        stderr,
        "error: invalid value '2026-13-45' for '--as-of <DATE>': \"2026-13-45\" is not a date (expected YYYY-MM-DD)\n\
         \n\
         For more information, try '--help'.\n"
    );
}

#[test]
fn no_input_exits_2_with_a_hint() {
    assert_eq!(
        aging_fails(&[], 2),
        "error: no input given (hint: name a ledger file, - for stdin, or use --invoices and --payments)\n"
    );
}

#[test]
fn stdin_named_twice_exits_2() {
    assert_eq!(
        aging_fails(&["-", "-"], 2),
        "error: stdin (-) can be read only once\n"
    );
}

#[test]
fn output_whose_format_cannot_be_told_exits_2_and_writes_nothing() {
    let dir = dir_with(
        "ledger.csv",
        &fs::read(root().join("examples/ledger.csv")).unwrap(),
    );
    assert_eq!(
        aging_fails_in(dir.path(), &["ledger.csv", "-o", "out.xlsx"], 2),
        "error: cannot tell the output format from the name out.xlsx (hint: use an extension .csv, .json or .txt, or --format csv|json|table)\n"
    );
    assert_eq!(
        aging_fails_in(dir.path(), &["ledger.csv", "-o", "report"], 2),
        "error: cannot tell the output format from the name report (hint: use an extension .csv, .json or .txt, or --format csv|json|table)\n"
    );
    assert_eq!(entries(dir.path()), ["ledger.csv"]);
}

// ---------------------------------------------------------------------------------------
// Exit 65: the input data cannot be used.
// ---------------------------------------------------------------------------------------

#[test]
fn bad_date_exits_65_naming_file_line_column_and_value() {
    assert_eq!(
        aging_fails(&[&fixture("bad_date.csv")], 65),
        one_problem(
            "tests/fixtures/bad_date.csv:3: column \"date\": \"2026-13-45\" is not a day of the calendar (hint: check its day and month)"
        )
    );
}

#[test]
fn empty_date_exits_65() {
    let dir = dir_with(
        "no_date.csv",
        format!("{HEADER}\ninvoice,FV-1,C1,Uno,,,100.00,COP,\n").as_bytes(),
    );
    assert_eq!(
        aging_fails_in(dir.path(), &["no_date.csv"], 65),
        one_problem(
            "no_date.csv:2: column \"date\": is empty (expected a date as YYYY-MM-DD or DD/MM/YYYY; for other forms set [input] date_format)"
        )
    );
}

#[test]
fn amount_with_misplaced_separators_exits_65() {
    assert_eq!(
        aging_fails(&[&fixture("bad_amount.csv")], 65),
        one_problem(
            "tests/fixtures/bad_amount.csv:2: column \"amount\": cannot read \"12,34.50\" as an amount (expected a number such as 1234.50 or 1.234,50)"
        )
    );
}

#[test]
fn negative_amount_exits_65_and_explains_the_sign_convention() {
    assert_eq!(
        aging_fails(&[&fixture("negative_amount.csv")], 65),
        one_problem(
            "tests/fixtures/negative_amount.csv:2: column \"amount\": \"-500.00\" is negative (amounts are positive; the type gives the direction, so record a refund or reversal as a credit_note or payment)"
        )
    );
}

#[test]
fn empty_amount_exits_65() {
    assert_eq!(
        aging_fails(&[&fixture("empty_amount.csv")], 65),
        one_problem(
            "tests/fixtures/empty_amount.csv:2: column \"amount\": is empty (expected an amount such as 1234.50)"
        )
    );
}

#[test]
fn unknown_type_exits_65() {
    assert_eq!(
        aging_fails(&[&fixture("unknown_type.csv")], 65),
        one_problem(
            "tests/fixtures/unknown_type.csv:2: column \"type\": unknown type \"refund\" (expected invoice, payment or credit_note, or factura, pago, nota crédito; hint: list this export's own codes in a policy's [input.kinds], such as invoice = [\"FV\"], and pass it with --policy)"
        )
    );
}

#[test]
fn empty_type_in_a_ledger_exits_65() {
    let dir = dir_with(
        "no_type.csv",
        format!("{HEADER}\n,FV-1,C1,Uno,2026-01-15,,100.00,COP,\n").as_bytes(),
    );
    assert_eq!(
        aging_fails_in(dir.path(), &["no_type.csv"], 65),
        one_problem(
            "no_type.csv:2: column \"type\": is empty (expected invoice, payment or credit_note)"
        )
    );
}

#[test]
fn empty_id_exits_65() {
    assert_eq!(
        aging_fails(&[&fixture("empty_id.csv")], 65),
        one_problem(
            "tests/fixtures/empty_id.csv:2: column \"id\": is empty (every document needs its number)"
        )
    );
}

#[test]
fn empty_customer_id_exits_65() {
    assert_eq!(
        aging_fails(&[&fixture("empty_customer_id.csv")], 65),
        one_problem(
            "tests/fixtures/empty_customer_id.csv:2: column \"customer_id\": is empty (every document needs its customer)"
        )
    );
}

#[test]
fn bad_currency_exits_65() {
    assert_eq!(
        aging_fails(&[&fixture("bad_currency.csv")], 65),
        one_problem(
            "tests/fixtures/bad_currency.csv:2: column \"currency\": cannot read \"pesos\" as a currency (expected a 3-letter ISO 4217 code such as COP or USD)"
        )
    );
}

#[test]
fn bad_due_date_exits_65() {
    assert_eq!(
        aging_fails(&[&fixture("bad_due_date.csv")], 65),
        one_problem(
            "tests/fixtures/bad_due_date.csv:2: column \"due_date\": \"2026-02-30\" is not a day of the calendar (hint: check its day and month)"
        )
    );
}

#[test]
fn ragged_row_exits_65_with_the_quoting_hint() {
    assert_eq!(
        aging_fails(&[&fixture("ragged_row.csv")], 65),
        one_problem(
            "tests/fixtures/ragged_row.csv:3: the row has 10 fields but the header has 9 (hint: a value that contains a comma must be in double quotes, and every opening quote needs its closing one)"
        )
    );
}

#[test]
fn missing_required_column_exits_65_and_shows_the_header() {
    assert_eq!(
        aging_fails(&[&fixture("missing_column.csv")], 65),
        one_problem(
            "tests/fixtures/missing_column.csv:1: missing required column \"customer_id\" (the header has: type, id, client_code, date, amount); hint: name this export's own columns in a policy's [input.columns], such as customer_id = \"<its column>\", and pass it with --policy"
        )
    );
}

#[test]
fn a_semicolon_file_is_read_and_a_forced_comma_gets_the_delimiter_hint() {
    let path = fixture("missing_columns_semicolon.csv");
    let out =
        common::stdout_of(cartera().args(["aging", &path, "--as-of", AS_OF, "--format", "csv"]));
    assert_eq!(common::csv_rows(&out)[1][..3], ["C1", "", "USD"]);
    assert_eq!(
        aging_fails(&[&path, "--delimiter", ","], 65),
        one_problem(&format!(
            "{path}:1: missing required columns \"type\", \"id\", \"customer_id\", \"date\", \"amount\" (the header has: type;id;customer_id;date;amount); hint: the columns are separated by ',' in a native ledger, and this header seems to use another delimiter"
        ))
    );
}

#[test]
fn a_delimiter_that_cannot_be_told_exits_65_asking_for_the_setting() {
    let dir = dir_with(
        "tie.csv",
        b"type;id,customer_id;date,amount\ninvoice;F1,C1;2026-01-01,5\n",
    );
    assert_eq!(
        aging_fails_in(dir.path(), &["tie.csv"], 65),
        one_problem(
            "tie.csv:1: cannot tell the delimiter: the header has as many \",\" as \";\" (hint: set [input] delimiter in the policy, or --delimiter)"
        )
    );
}

#[test]
fn duplicate_header_column_exits_65() {
    assert_eq!(
        aging_fails(&[&fixture("duplicate_header_column.csv")], 65),
        one_problem(
            "tests/fixtures/duplicate_header_column.csv:1: column \"amount\" appears twice in the header (columns 5 and 6)"
        )
    );
}

#[test]
fn duplicate_invoice_id_exits_65_naming_both_lines() {
    assert_eq!(
        aging_fails(&[&fixture("duplicate_invoice_id.csv")], 65),
        one_problem(
            "tests/fixtures/duplicate_invoice_id.csv:4: duplicate invoice id \"FV-1\" (first at tests/fixtures/duplicate_invoice_id.csv:2)"
        )
    );
}

#[test]
fn duplicate_invoice_id_across_inputs_names_both_files() {
    let stderr = fails(
        cartera()
            .args(["aging", "examples/ledger.csv", "-", "--as-of", AS_OF])
            .write_stdin("type,id,customer_id,date,amount\ninvoice,FV-0001,C9,2026-01-15,10.00\n"),
        65,
    );
    assert_eq!(
        stderr,
        one_problem("<stdin>:2: duplicate invoice id \"FV-0001\" (first at examples/ledger.csv:2)")
    );
}

#[test]
fn invalid_utf8_in_a_field_exits_65_with_the_save_as_hint() {
    let mut bytes = format!("{HEADER}\ninvoice,FV-1,C1,Pe").into_bytes();
    bytes.extend_from_slice(b"\xf1a S.A.,2026-01-15,,100.00,COP,\n"); // Latin-1 'ñ'
    let dir = dir_with("latin1.csv", &bytes);
    assert_eq!(
        aging_fails_in(dir.path(), &["latin1.csv"], 65),
        one_problem(
            "latin1.csv:2: column \"customer_name\": the text is not valid UTF-8 (hint: save the file as \"CSV UTF-8\", or read it with --encoding windows-1252 or the policy's [input] encoding = \"windows-1252\")"
        )
    );
}

#[test]
fn invalid_utf8_in_the_header_exits_65() {
    let dir = dir_with(
        "latin1_header.csv",
        b"type,id,customer_id,customer_n\xe1me,date,amount\ninvoice,FV-1,C1,x,2026-01-15,100.00\n",
    );
    assert_eq!(
        aging_fails_in(dir.path(), &["latin1_header.csv"], 65),
        one_problem(
            "latin1_header.csv:1: the header's column 4 is not valid UTF-8 (hint: save the file as \"CSV UTF-8\", or read it with --encoding windows-1252 or the policy's [input] encoding = \"windows-1252\")"
        )
    );
}

#[test]
fn empty_file_exits_65() {
    assert_eq!(
        aging_fails(&[&fixture("empty.csv")], 65),
        one_problem(
            "tests/fixtures/empty.csv: the file is empty (expected a header line naming the columns)"
        )
    );
}

#[test]
fn a_value_that_runs_over_lines_is_not_listed_again_as_empty() {
    // The quote opened before 100 is never closed: the next line is swallowed into the
    // amount, which is then not said to be empty too.
    let dir = dir_with(
        "unclosed.csv",
        b"type,id,customer_id,date,amount\ninvoice,F1,C1,2026-01-01,\"100\ninvoice,F2,C1,2026-01-01,5\n",
    );
    assert_eq!(
        aging_fails_in(dir.path(), &["unclosed.csv"], 65),
        one_problem(
            "unclosed.csv:2: column \"amount\": the value runs over 2 lines (hint: a double quote opened on this line is never closed, or a value holds a line break)"
        )
    );
    // The row's other problems are still listed.
    let dir = dir_with(
        "unclosed.csv",
        b"type,id,customer_id,date,amount\ninvoice,,C1,2026-13-45,\"100\ninvoice,F2,C1,2026-01-01,5\n",
    );
    assert_eq!(
        aging_fails_in(dir.path(), &["unclosed.csv"], 65),
        "error: unclosed.csv:2: column \"amount\": the value runs over 2 lines (hint: a double quote opened on this line is never closed, or a value holds a line break)\n\
         error: unclosed.csv:2: column \"id\": is empty (every document needs its number)\n\
         error: unclosed.csv:2: column \"date\": \"2026-13-45\" is not a day of the calendar (hint: check its day and month)\n\
         error: 3 problems in the input; no report was written\n"
    );
}

#[test]
fn a_bad_issue_date_does_not_hide_a_bad_due_date() {
    let dir = dir_with(
        "dd.csv",
        b"type,id,customer_id,date,due_date,amount\ninvoice,F1,C1,2026-02-30,2026-02-31,5\n",
    );
    assert_eq!(
        aging_fails_in(dir.path(), &["dd.csv"], 65),
        "error: dd.csv:2: column \"date\": \"2026-02-30\" is not a day of the calendar (hint: check its day and month)\n\
         error: dd.csv:2: column \"due_date\": \"2026-02-31\" is not a day of the calendar (hint: check its day and month)\n\
         error: 2 problems in the input; no report was written\n"
    );
}

#[test]
fn the_help_says_decimal_marks_and_date_formats_are_inferred() {
    let out = cartera().args(["aging", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(help.contains("Decimal mark of amounts: . or , (then thousands may be grouped) [default: inferred from each column's values, or the policy's [input]]"), "{help}");
    assert!(help.contains("Date format in strftime codes, e.g. %d/%m/%Y [default: inferred from each column's values, or the policy's [input]]"), "{help}");
}

#[test]
fn every_problem_of_a_row_is_listed_and_counted() {
    let dir = dir_with(
        "many_faults.csv",
        format!("{HEADER}\ninvoice,,,Uno,2026-13-45,,abc,pesos,\n").as_bytes(),
    );
    assert_eq!(
        aging_fails_in(dir.path(), &["many_faults.csv"], 65),
        "error: many_faults.csv:2: column \"id\": is empty (every document needs its number)\n\
         error: many_faults.csv:2: column \"customer_id\": is empty (every document needs its customer)\n\
         error: many_faults.csv:2: column \"date\": \"2026-13-45\" is not a day of the calendar (hint: check its day and month)\n\
         error: many_faults.csv:2: column \"amount\": cannot read \"abc\" as an amount (expected a number such as 1234.50 or 1.234,50)\n\
         error: many_faults.csv:2: column \"currency\": cannot read \"pesos\" as a currency (expected a 3-letter ISO 4217 code such as COP or USD)\n\
         error: 5 problems in the input; no report was written\n"
    );
}

#[test]
fn more_than_twenty_problems_are_summarised() {
    let mut text = format!("{HEADER}\n");
    for i in 1..=25 {
        text.push_str(&format!("invoice,FV-{i},C1,Uno,2026-13-45,,100.00,COP,\n"));
    }
    let dir = dir_with("bad_dates.csv", text.as_bytes());
    let mut expected = String::new();
    for line in 2..=21 {
        expected.push_str(&format!(
            "error: bad_dates.csv:{line}: column \"date\": \"2026-13-45\" is not a day of the calendar (hint: check its day and month)\n"
        ));
    }
    expected.push_str("error: … and 5 more\n");
    expected.push_str("error: 25 problems in the input; no report was written\n");
    assert_eq!(aging_fails_in(dir.path(), &["bad_dates.csv"], 65), expected);
}

#[test]
fn crlf_file_reports_the_editor_line() {
    let text = format!(
        "{HEADER}\r\n\
         invoice,FV-1,C1,Uno,2026-01-15,,100.00,COP,\r\n\
         invoice,FV-2,C1,Uno,2026-01-15,,100.00,COP,\r\n\
         invoice,FV-3,C1,Uno,2026-01-15,,\"1.234,50\",COP,\r\n"
    );
    let dir = dir_with("crlf_bad_amount.csv", text.as_bytes());
    assert_eq!(
        aging_fails_in(dir.path(), &["crlf_bad_amount.csv"], 65),
        one_problem(
            "crlf_bad_amount.csv:4: column \"amount\": cannot read \"1.234,50\" as an amount (expected \".\" for decimals, thousands in groups of three)"
        )
    );
}

#[test]
fn cr_only_file_reports_the_editor_line() {
    let text = format!(
        "{HEADER}\r\
         invoice,FV-1,C1,Uno,2026-01-15,,100.00,COP,\r\
         invoice,FV-2,C1,Uno,2026-13-45,,100.00,COP,\r"
    );
    let dir = dir_with("cr_bad_date.csv", text.as_bytes());
    assert_eq!(
        aging_fails_in(dir.path(), &["cr_bad_date.csv"], 65),
        one_problem(
            "cr_bad_date.csv:3: column \"date\": \"2026-13-45\" is not a day of the calendar (hint: check its day and month)"
        )
    );
}

#[test]
fn line_numbers_count_the_lines_of_a_quoted_field() {
    assert_eq!(
        aging_fails(&[&fixture("quoted_newline_bad_date.csv")], 65),
        "error: tests/fixtures/quoted_newline_bad_date.csv:2: column \"customer_name\": the value runs over 2 lines (hint: a double quote opened on this line is never closed, or a value holds a line break)\n\
         error: tests/fixtures/quoted_newline_bad_date.csv:4: column \"date\": \"2026-13-45\" is not a day of the calendar (hint: check its day and month)\n\
         error: 2 problems in the input; no report was written\n"
    );
}

#[test]
fn crlf_line_numbers_count_the_lines_of_a_quoted_field() {
    let text = format!(
        "{HEADER}\r\n\
         invoice,FV-1,C1,\"Uno\r\nSede Norte\",2026-01-15,,100.00,COP,\r\n\
         invoice,FV-2,C1,Uno,2026-13-45,,100.00,COP,\r\n"
    );
    let dir = dir_with("crlf_quoted.csv", text.as_bytes());
    assert_eq!(
        aging_fails_in(dir.path(), &["crlf_quoted.csv"], 65),
        "error: crlf_quoted.csv:2: column \"customer_name\": the value runs over 2 lines (hint: a double quote opened on this line is never closed, or a value holds a line break)\n\
         error: crlf_quoted.csv:4: column \"date\": \"2026-13-45\" is not a day of the calendar (hint: check its day and month)\n\
         error: 2 problems in the input; no report was written\n"
    );
}

#[test]
fn whitespace_only_lines_are_counted() {
    let text = format!("{HEADER}\n   \n,,,,,,,,\ninvoice,FV-2,C1,Uno,2026-13-45,,100.00,COP,\n");
    let dir = dir_with("spaces.csv", text.as_bytes());
    assert_eq!(
        aging_fails_in(dir.path(), &["spaces.csv"], 65),
        one_problem(
            "spaces.csv:4: column \"date\": \"2026-13-45\" is not a day of the calendar (hint: check its day and month)"
        )
    );
}

#[test]
fn line_numbers_count_blank_lines() {
    assert_eq!(
        aging_fails(&[&fixture("blank_lines_bad_date.csv")], 65),
        one_problem(
            "tests/fixtures/blank_lines_bad_date.csv:6: column \"date\": \"2026-13-45\" is not a day of the calendar (hint: check its day and month)"
        )
    );
}

#[test]
fn crlf_line_numbers_count_blank_lines_after_a_quoted_field() {
    let text = format!(
        "{HEADER}\r\n\
         invoice,FV-1,C1,\"Uno\r\nSede Norte\",2026-01-15,,100.00,COP,\r\n\
         \r\n\
         invoice,FV-2,C1,Uno,2026-13-45,,100.00,COP,\r\n"
    );
    let dir = dir_with("crlf_blank.csv", text.as_bytes());
    assert_eq!(
        aging_fails_in(dir.path(), &["crlf_blank.csv"], 65),
        "error: crlf_blank.csv:2: column \"customer_name\": the value runs over 2 lines (hint: a double quote opened on this line is never closed, or a value holds a line break)\n\
         error: crlf_blank.csv:5: column \"date\": \"2026-13-45\" is not a day of the calendar (hint: check its day and month)\n\
         error: 2 problems in the input; no report was written\n"
    );
}

#[test]
fn error_in_stdin_is_located_as_stdin() {
    let stderr = fails(
        cartera()
            .args(["aging", "-", "--as-of", AS_OF])
            .write_stdin(format!(
                "{HEADER}\n\
                 invoice,FV-1,C1,Uno,2026-01-15,,100.00,COP,\n\
                 invoice,FV-2,C1,Uno,2026-13-45,,100.00,COP,\n"
            )),
        65,
    );
    assert_eq!(
        stderr,
        one_problem(
            "<stdin>:3: column \"date\": \"2026-13-45\" is not a day of the calendar (hint: check its day and month)"
        )
    );
}

#[test]

fn amounts_whose_sum_overflows_are_a_data_error_not_a_panic() {
    let dir = dir_with(
        "huge.csv",
        b"type,id,customer_id,date,amount\n\
          invoice,FV-1,C1,2026-01-15,79228162514264337593543950335\n\
          invoice,FV-2,C1,2026-01-15,999999999999999.99\n\
          invoice,FV-3,C1,2026-01-15,1000000000000000\n\
          invoice,FV-4,C1,2026-01-15,1.0000001\n",
    );
    assert_eq!(
        aging_fails_in(dir.path(), &["huge.csv"], 65),
        "error: huge.csv:2: column \"amount\": \"79228162514264337593543950335\" is too large (at most 15 digits before the decimal point)\n\
         error: huge.csv:4: column \"amount\": \"1000000000000000\" is too large (at most 15 digits before the decimal point)\n\
         error: huge.csv:5: column \"amount\": \"1.0000001\" has more than 6 decimal places\n\
         error: 3 problems in the input; no report was written\n"
    );
}

// ---------------------------------------------------------------------------------------
// Exit 66: an input file is missing or unreadable.
// ---------------------------------------------------------------------------------------

#[test]
fn missing_ledger_exits_66() {
    assert_eq!(
        aging_fails(&["tests/fixtures/no_such_ledger.csv"], 66),
        "error: cannot open tests/fixtures/no_such_ledger.csv: no such file or directory\n"
    );
}

#[test]
fn missing_invoices_file_exits_66() {
    assert_eq!(
        aging_fails(&["--invoices", "no_such_invoices.csv"], 66),
        "error: cannot open no_such_invoices.csv: no such file or directory\n"
    );
}

#[test]
fn ledger_that_is_a_directory_exits_66() {
    assert_eq!(
        aging_fails(&["examples"], 66),
        "error: cannot open examples: it is a directory\n"
    );
}

#[test]
fn missing_policy_exits_66() {
    assert_eq!(
        aging_fails(
            &["examples/ledger.csv", "--policy", "no_such_policy.toml"],
            66
        ),
        "error: cannot read the policy no_such_policy.toml: no such file or directory\n"
    );
}

#[test]
fn policy_that_is_a_directory_exits_66() {
    assert_eq!(
        aging_fails(&["examples/ledger.csv", "--policy", "tests/fixtures"], 66),
        "error: cannot read the policy tests/fixtures: it is a directory\n"
    );
}

#[test]

fn policy_that_is_not_utf8_exits_78() {
    let dir = dir_with("cartera.toml", b"[defaults]\ncurrency = \"C\xd3P\"\n");
    fs::copy(
        root().join("examples/ledger.csv"),
        dir.path().join("ledger.csv"),
    )
    .unwrap();
    assert_eq!(
        aging_fails_in(dir.path(), &["ledger.csv"], 78),
        "error: cartera.toml:2:14: the policy is not valid UTF-8 (hint: save it as UTF-8)\n"
    );
}

// ---------------------------------------------------------------------------------------
// Exit 73: the output cannot be created.
// ---------------------------------------------------------------------------------------

#[test]
fn output_onto_the_input_exits_73_and_leaves_it_intact() {
    let original = fs::read(root().join("examples/ledger.csv")).unwrap();
    let dir = dir_with("ledger.csv", &original);
    assert_eq!(
        aging_fails_in(dir.path(), &["ledger.csv", "-o", "ledger.csv"], 73),
        "error: cannot write ledger.csv: it is the input ledger.csv; choose another output file\n"
    );
    assert_eq!(
        aging_fails_in(
            dir.path(),
            &["ledger.csv", "-o", "./ledger.csv", "--format", "csv"],
            73
        ),
        "error: cannot write ./ledger.csv: it is the input ledger.csv; choose another output file\n"
    );
    assert_eq!(fs::read(dir.path().join("ledger.csv")).unwrap(), original);
    assert_eq!(entries(dir.path()), ["ledger.csv"]);
}

#[cfg(unix)]
#[test]
fn output_onto_a_symlink_to_the_input_exits_73() {
    let original = fs::read(root().join("examples/ledger.csv")).unwrap();
    let dir = dir_with("ledger.csv", &original);
    std::os::unix::fs::symlink("ledger.csv", dir.path().join("alias.csv")).unwrap();
    assert_eq!(
        aging_fails_in(dir.path(), &["ledger.csv", "-o", "alias.csv"], 73),
        "error: cannot write alias.csv: it is the input ledger.csv; choose another output file\n"
    );
    assert_eq!(fs::read(dir.path().join("ledger.csv")).unwrap(), original);
    assert!(
        fs::symlink_metadata(dir.path().join("alias.csv"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]

fn output_onto_the_policy_exits_73_and_leaves_it_intact() {
    let policy = fs::read(root().join("tests/fixtures/policy_two_buckets.toml")).unwrap();
    let dir = dir_with("policy.toml", &policy);
    fs::copy(
        root().join("examples/ledger.csv"),
        dir.path().join("ledger.csv"),
    )
    .unwrap();
    let stderr = aging_fails_in(
        dir.path(),
        &[
            "ledger.csv",
            "--policy",
            "policy.toml",
            "-o",
            "policy.toml",
            "--format",
            "csv",
        ],
        73,
    );
    assert_eq!(
        stderr,
        "error: cannot write policy.toml: it is the input policy.toml; choose another output file\n"
    );
    assert_eq!(fs::read(dir.path().join("policy.toml")).unwrap(), policy);
}

#[cfg(unix)]
#[test]

fn output_onto_a_fifo_exits_73_without_hanging() {
    let dir = dir_with(
        "ledger.csv",
        &fs::read(root().join("examples/ledger.csv")).unwrap(),
    );
    let made = std::process::Command::new("mkfifo")
        .arg(dir.path().join("pipe.csv"))
        .status()
        .unwrap();
    assert!(made.success());
    let out = cartera_in(dir.path())
        .args(["aging", "ledger.csv", "--as-of", AS_OF, "-o", "pipe.csv"])
        .timeout(std::time::Duration::from_secs(10))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(73),
        "killed after 10 s if None; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    use std::os::unix::fs::FileTypeExt;
    let kind = fs::symlink_metadata(dir.path().join("pipe.csv"))
        .unwrap()
        .file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced by {kind:?}");
}

#[test]
fn output_into_a_missing_directory_exits_73() {
    let dir = dir_with(
        "ledger.csv",
        &fs::read(root().join("examples/ledger.csv")).unwrap(),
    );
    assert_eq!(
        aging_fails_in(dir.path(), &["ledger.csv", "-o", "nowhere/aging.csv"], 73),
        "error: cannot write nowhere/aging.csv: no such file or directory\n"
    );
    assert_eq!(entries(dir.path()), ["ledger.csv"]);
}

#[test]
fn output_that_is_a_directory_exits_73() {
    let dir = dir_with(
        "ledger.csv",
        &fs::read(root().join("examples/ledger.csv")).unwrap(),
    );
    fs::create_dir(dir.path().join("out.csv")).unwrap();
    assert_eq!(
        aging_fails_in(dir.path(), &["ledger.csv", "-o", "out.csv"], 73),
        "error: cannot write out.csv: it is a directory\n"
    );
    assert_eq!(
        aging_fails_in(
            dir.path(),
            &["ledger.csv", "-o", "out.csv/", "--format", "csv"],
            73
        ),
        "error: cannot write out.csv/: it is a directory\n"
    );
    assert_eq!(entries(dir.path()), ["ledger.csv", "out.csv"]);
    assert!(entries(&dir.path().join("out.csv")).is_empty());
}

#[test]
fn output_under_a_plain_file_exits_73() {
    let dir = dir_with(
        "ledger.csv",
        &fs::read(root().join("examples/ledger.csv")).unwrap(),
    );
    fs::write(dir.path().join("notes"), "keep").unwrap();
    assert_eq!(
        aging_fails_in(dir.path(), &["ledger.csv", "-o", "notes/aging.csv"], 73),
        "error: cannot write notes/aging.csv: a part of the path is not a directory\n"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("notes")).unwrap(),
        "keep"
    );
}

// ---------------------------------------------------------------------------------------
// Exit 78: the policy is invalid.
// ---------------------------------------------------------------------------------------

fn policy_fails(name: &str) -> String {
    aging_fails(&["examples/ledger.csv", "--policy", &fixture(name)], 78)
}

#[test]
fn policy_with_an_unknown_key_exits_78_with_line_and_column() {
    assert_eq!(
        policy_fails("policy_unknown_key.toml"),
        "error: tests/fixtures/policy_unknown_key.toml:3:1: unknown field `terms`, expected `currency` or `terms_days`\n"
    );
}

#[test]
fn policy_with_buckets_not_increasing_exits_78() {
    assert_eq!(
        policy_fails("policy_buckets_not_increasing.toml"),
        "error: tests/fixtures/policy_buckets_not_increasing.toml:4:33: aging.buckets[1].max_days: 30 is not greater than 30, the max_days of aging.buckets[0] (max_days must strictly increase)\n"
    );
}

#[test]
fn policy_with_two_open_ended_buckets_exits_78() {
    assert_eq!(
        policy_fails("policy_two_open_buckets.toml"),
        "error: tests/fixtures/policy_two_open_buckets.toml:4:3: aging.buckets[1]: only the last bucket may leave out max_days (it is the open-ended one)\n"
    );
}

#[test]
fn policy_with_duplicate_labels_exits_78() {
    assert_eq!(
        policy_fails("policy_duplicate_labels.toml"),
        "error: tests/fixtures/policy_duplicate_labels.toml:4:13: aging.buckets[1].label: \"Late\" is already the label of aging.buckets[0] (labels must be unique)\n"
    );
}

#[test]
fn policy_with_a_reserved_label_exits_78() {
    assert_eq!(
        policy_fails("policy_reserved_label.toml"),
        "error: tests/fixtures/policy_reserved_label.toml:4:13: aging.buckets[1].label: \"balance\" is the name of another output column; choose another label\n"
    );
}

#[test]
fn policy_with_a_bad_basis_exits_78() {
    assert_eq!(
        policy_fails("policy_bad_basis.toml"),
        "error: tests/fixtures/policy_bad_basis.toml:2:9: aging.basis: \"invoice_date\" is not a basis (expected \"due_date\" or \"issue_date\")\n"
    );
}

#[test]
fn policy_with_a_bad_default_currency_exits_78() {
    assert_eq!(
        policy_fails("policy_bad_currency.toml"),
        "error: tests/fixtures/policy_bad_currency.toml:2:12: defaults.currency: \"pesos\" is not a currency code (expected 3 letters such as COP or USD)\n"
    );
}

#[test]
fn policy_with_negative_terms_exits_78() {
    assert_eq!(
        policy_fails("policy_negative_terms.toml"),
        "error: tests/fixtures/policy_negative_terms.toml:2:14: defaults.terms_days: -5 is out of range (expected days from 0 to 3650)\n"
    );
}

#[test]
fn policy_problems_are_all_listed() {
    let dir = dir_with(
        "several.toml",
        b"[defaults]\ncurrency = \"pesos\"\nterms_days = 9999\n[aging]\nbasis = \"x\"\n",
    );
    fs::copy(
        root().join("examples/ledger.csv"),
        dir.path().join("ledger.csv"),
    )
    .unwrap();
    assert_eq!(
        aging_fails_in(dir.path(), &["ledger.csv", "--policy", "several.toml"], 78),
        "error: several.toml:2:12: defaults.currency: \"pesos\" is not a currency code (expected 3 letters such as COP or USD)\n\
         error: several.toml:3:14: defaults.terms_days: 9999 is out of range (expected days from 0 to 3650)\n\
         error: several.toml:5:9: aging.basis: \"x\" is not a basis (expected \"due_date\" or \"issue_date\")\n"
    );
}

#[test]
fn policy_with_a_toml_syntax_error_exits_78() {
    let dir = dir_with("broken.toml", b"[defaults\ncurrency = \"COP\"\n");
    fs::copy(
        root().join("examples/ledger.csv"),
        dir.path().join("ledger.csv"),
    )
    .unwrap();
    assert_eq!(
        aging_fails_in(dir.path(), &["ledger.csv", "--policy", "broken.toml"], 78),
        "error: broken.toml:1:10: unclosed table, expected `]`\n"
    );
}

/// A directory with `ledger.csv` (the example ledger) and, if given, `cartera.toml`.
fn workdir(policy_fixture: Option<&str>) -> tempfile::TempDir {
    let dir = dir_with(
        "ledger.csv",
        &fs::read(root().join("examples/ledger.csv")).unwrap(),
    );
    if let Some(name) = policy_fixture {
        fs::copy(root().join(fixture(name)), dir.path().join("cartera.toml")).unwrap();
    }
    dir
}

fn csv_header_in(dir: &Path, extra: &[&str]) -> String {
    let out = common::stdout_of(
        cartera_in(dir)
            .args(["aging", "ledger.csv", "--as-of", AS_OF, "--format", "csv"])
            .args(extra),
    );
    out.lines().next().unwrap().to_string()
}

#[test]
fn cartera_toml_in_the_working_directory_is_used_without_policy() {
    let plain = workdir(None);
    assert_eq!(
        csv_header_in(plain.path(), &[]),
        "customer_id,customer_name,currency,current,1-30,31-60,61-90,91-120,120+,unapplied,balance"
    );
    let with_policy = workdir(Some("policy_two_buckets.toml"));
    assert_eq!(
        csv_header_in(with_policy.path(), &[]),
        "customer_id,customer_name,currency,0-90,older,unapplied,balance"
    );
    let json = common::stdout_of(cartera_in(with_policy.path()).args([
        "aging",
        "ledger.csv",
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]));
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["policy"], "cartera.toml");
    assert_eq!(doc["basis"], "issue_date");
}

#[test]
fn explicit_policy_wins_over_cartera_toml() {
    let dir = workdir(Some("policy_unknown_key.toml"));
    fs::copy(
        root().join(fixture("policy_two_buckets.toml")),
        dir.path().join("two.toml"),
    )
    .unwrap();
    assert_eq!(
        csv_header_in(dir.path(), &["--policy", "two.toml"]),
        "customer_id,customer_name,currency,0-90,older,unapplied,balance"
    );
}

#[test]
fn bad_cartera_toml_in_the_working_directory_exits_78() {
    let dir = workdir(Some("policy_unknown_key.toml"));
    assert_eq!(
        aging_fails_in(dir.path(), &["ledger.csv", "--format", "csv"], 78),
        "error: cartera.toml:3:1: unknown field `terms`, expected `currency` or `terms_days`\n"
    );
}

// ---------------------------------------------------------------------------------------
// No error leaves an output file behind or touches an existing one.
// ---------------------------------------------------------------------------------------

/// Failing command lines (run from a `workdir` that also holds the fixtures they name),
/// each writing to `out.csv`, with their exit codes.
fn failing_runs() -> Vec<(Vec<&'static str>, i32)> {
    let at = |args: &[&'static str]| [args, &["--as-of", AS_OF]].concat();
    vec![
        (vec!["ledger.csv", "--as-of", "2026-13-45"], 2),
        (vec!["ledger.csv", "--bogus"], 2),
        (at(&["-", "-"]), 2),
        (at(&["bad_date.csv"]), 65),
        (at(&["ledger.csv", "bad_date.csv"]), 65),
        (at(&["missing.csv"]), 66),
        (at(&["ledger.csv", "--policy", "missing.toml"]), 66),
        (at(&["ledger.csv", "--policy", "policy_bad_basis.toml"]), 78),
    ]
}

fn failing_workdir() -> tempfile::TempDir {
    let dir = workdir(None);
    for name in ["bad_date.csv", "policy_bad_basis.toml"] {
        fs::copy(root().join(fixture(name)), dir.path().join(name)).unwrap();
    }
    dir
}

#[test]
fn errors_leave_no_output_file_behind() {
    for (args, code) in failing_runs() {
        let dir = failing_workdir();
        let before = entries(dir.path());
        let out = outcome(
            cartera_in(dir.path())
                .arg("aging")
                .args(&args)
                .args(["-o", "out.csv"]),
        );
        assert_eq!(out.code, Some(code), "{args:?}: {}", out.stderr);
        assert_eq!(entries(dir.path()), before, "{args:?}");
    }
}

#[test]
fn errors_leave_an_existing_output_untouched() {
    for (args, code) in failing_runs() {
        let dir = failing_workdir();
        let out_path = dir.path().join("out.csv");
        fs::write(&out_path, "yesterday's report\n").unwrap();
        let modified = fs::metadata(&out_path).unwrap().modified().unwrap();
        let before = entries(dir.path());
        let out = outcome(
            cartera_in(dir.path())
                .arg("aging")
                .args(&args)
                .args(["-o", "out.csv"]),
        );
        assert_eq!(out.code, Some(code), "{args:?}: {}", out.stderr);
        assert_eq!(
            fs::read_to_string(&out_path).unwrap(),
            "yesterday's report\n"
        );
        assert_eq!(
            fs::metadata(&out_path).unwrap().modified().unwrap(),
            modified
        );
        assert_eq!(entries(dir.path()), before, "{args:?}");
    }
}

#[test]
fn a_payment_in_the_invoices_file_or_an_invoice_in_the_payments_file_exits_65() {
    assert_eq!(
        aging_fails(&["--invoices", "examples/ledger.csv"], 65)
            .lines()
            .next()
            .unwrap(),
        "error: examples/ledger.csv:5: column \"type\": a payment in the invoices file (hint: give a file that mixes invoices and payments as a ledger, without --invoices)"
    );
    assert_eq!(
        aging_fails(&["--payments", "examples/ledger.csv"], 65)
            .lines()
            .next()
            .unwrap(),
        "error: examples/ledger.csv:2: column \"type\": an invoice in the payments file (hint: give a file that mixes invoices and payments as a ledger, without --payments)"
    );
}

#[test]
fn more_decimals_than_the_currency_has_exits_65() {
    let dir = dir_with(
        "dec.csv",
        b"type,id,customer_id,date,amount,currency\n\
          invoice,F1,C1,2026-01-01,100.50,JPY\n\
          invoice,F2,C1,2026-01-01,10.005,USD\n\
          invoice,F3,C1,2026-01-01,10.0050,KWD\n\
          invoice,F4,C1,2026-01-01,7.000,USD\n",
    );
    assert_eq!(
        aging_fails_in(dir.path(), &["dec.csv"], 65),
        "error: dec.csv:2: column \"amount\": \"100.50\" has more decimal places than JPY has (0)\n\
         error: dec.csv:3: column \"amount\": \"10.005\" has more decimal places than USD has (2)\n\
         error: 2 problems in the input; no report was written\n"
    );
}

#[test]
fn a_quote_never_closed_cannot_merge_rows_silently() {
    let dir = dir_with(
        "q.csv",
        b"type,id,customer_id,customer_name,date,amount,currency\n\
          invoice,F1,C1,\"Hotel La Candelaria,2026-01-01,100,USD\n\
          invoice,F2,C2,\"Acme Inc\",2026-01-01,5000,USD\n\
          invoice,F3,C3,Zeta,2026-01-01,7,USD\n",
    );
    assert_eq!(
        aging_fails_in(dir.path(), &["q.csv"], 65),
        one_problem(
            "q.csv:2: column \"customer_name\": the value runs over 2 lines (hint: a double quote opened on this line is never closed, or a value holds a line break)"
        )
    );
}

#[test]
fn a_currency_code_that_is_not_iso_4217_exits_65() {
    let dir = dir_with("col.csv", b"type,id,customer_id,date,amount,currency\ninvoice,F1,C1,2026-01-01,100,COP\npayment,P1,C1,2026-02-01,100,COL\n");
    assert_eq!(
        aging_fails_in(dir.path(), &["col.csv"], 65),
        one_problem(
            "col.csv:3: column \"currency\": cannot read \"COL\" as a currency (expected a 3-letter ISO 4217 code such as COP or USD)"
        )
    );
}

#[test]
fn a_due_date_past_year_9999_exits_65() {
    let dir = dir_with(
        "far.csv",
        b"type,id,customer_id,date,amount\ninvoice,F1,C1,9999-12-31,100\n",
    );
    assert_eq!(
        aging_fails_in(dir.path(), &["far.csv"], 65),
        one_problem(
            "far.csv:2: column \"date\": 9999-12-31 plus 30 days of terms is after 9999-12-31"
        )
    );
}

#[test]
fn no_config_ignores_cartera_toml_but_not_an_explicit_policy() {
    let dir = workdir(Some("policy_unknown_key.toml"));
    assert_eq!(
        csv_header_in(dir.path(), &["--no-config"]),
        "customer_id,customer_name,currency,current,1-30,31-60,61-90,91-120,120+,unapplied,balance"
    );
    fs::copy(
        root().join(fixture("policy_two_buckets.toml")),
        dir.path().join("two.toml"),
    )
    .unwrap();
    assert_eq!(
        csv_header_in(dir.path(), &["--no-config", "--policy", "two.toml"]),
        "customer_id,customer_name,currency,0-90,older,unapplied,balance"
    );
}
