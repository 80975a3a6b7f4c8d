//! What `cartera aging` writes and where: stdin and file inputs, the output formats chosen by
//! `-o` and `--format`, atomic replacement of an output file, a reader that goes away
//! early, and text from the input that must not act as a formula or a terminal command.

mod common;

use std::fs;
use std::path::Path;

use common::{cartera, cartera_in, csv_rows, entries, root, stdout_of};

const AS_OF: &str = "2026-06-30";
const LEDGER: &str = "examples/ledger.csv";

/// The CSV header of the summary with the built-in buckets.
const SUMMARY_HEADER: &str =
    "customer_id,customer_name,currency,current,1-30,31-60,61-90,91-120,120+,unapplied,balance";

/// Stdout of `cartera aging examples/ledger.csv --as-of 2026-06-30 ARGS` from the crate root.
fn aging(args: &[&str]) -> String {
    stdout_of(
        cartera()
            .args(["aging", LEDGER, "--as-of", AS_OF])
            .args(args),
    )
}

/// A temporary directory holding the example ledger as `ledger.csv`.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(root().join(LEDGER), dir.path().join("ledger.csv")).unwrap();
    dir
}

/// Runs `cartera aging ledger.csv --as-of 2026-06-30 ARGS` in `dir`; must succeed with an
/// empty stdout (the report went to a file).
fn aging_to_file_in(dir: &Path, args: &[&str]) {
    let out = stdout_of(
        cartera_in(dir)
            .args(["aging", "ledger.csv", "--as-of", AS_OF])
            .args(args),
    );
    assert_eq!(out, "", "stdout must stay empty when -o names a file");
}

fn no_temp_files(dir: &Path) {
    let left: Vec<String> = entries(dir)
        .into_iter()
        .filter(|n| n.starts_with(".cartera-") && n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "temporary files left behind: {left:?}");
}

// ---------------------------------------------------------------------------------------
// Inputs.
// ---------------------------------------------------------------------------------------

#[test]
fn stdin_gives_the_same_csv_as_the_file() {
    let from_file = aging(&["--format", "csv"]);
    let from_stdin = stdout_of(
        cartera()
            .args(["aging", "-", "--as-of", AS_OF, "--format", "csv"])
            .write_stdin(fs::read(root().join(LEDGER)).unwrap()),
    );
    assert_eq!(from_stdin, from_file);
    let rows = csv_rows(&from_file);
    assert_eq!(rows[0].join(","), SUMMARY_HEADER);
    assert_eq!(
        rows.len(),
        9,
        "header and one row per customer and currency"
    );
}

/// A pipe named as a path (`/dev/stdin`, `<(…)`) is read once, whole: the streamed aging
/// takes regular files only, so it cannot consume the header the exact path then needs.
#[cfg(target_os = "linux")]
#[test]
fn a_pipe_named_as_a_path_gives_the_same_csv_as_the_file() {
    let from_pipe = stdout_of(
        cartera()
            .args(["aging", "/dev/stdin", "--as-of", AS_OF, "--format", "csv"])
            .write_stdin(fs::read(root().join(LEDGER)).unwrap()),
    );
    assert_eq!(from_pipe, aging(&["--format", "csv"]));
}

/// The CSVs of reconcile (open items) and risk take the streamed path from a native ledger
/// file; with `--rejects` they take the exact one. Both must write the same bytes, and the
/// same line on stderr (less where set-aside rows went).
#[test]
fn reconcile_and_risk_csv_are_the_same_on_the_streamed_and_the_exact_path() {
    let dir = workdir();
    for command in ["reconcile", "risk"] {
        let run = |extra: &[&str]| {
            let out = cartera()
                .args([command, LEDGER, "--as-of", AS_OF, "--format", "csv"])
                .args(extra)
                .current_dir(root())
                .output()
                .unwrap();
            assert!(out.status.success(), "{command} {extra:?}");
            let stderr = String::from_utf8(out.stderr).unwrap();
            (String::from_utf8(out.stdout).unwrap(), stderr)
        };
        let rejects = dir.path().join("rejects.csv");
        let (streamed, said) = run(&[]);
        let (exact, said_exact) = run(&["--rejects", rejects.to_str().unwrap()]);
        assert_eq!(streamed, exact, "{command}");
        assert!(streamed.lines().count() > 3, "{streamed}");
        let set_aside = format!(" (in {})", rejects.display());
        assert_eq!(said, said_exact.replace(&set_aside, ""), "{command}");
    }
}

// ---------------------------------------------------------------------------------------
// Formats and targets.
// ---------------------------------------------------------------------------------------

#[test]
fn output_csv_extension_writes_csv() {
    let dir = workdir();
    aging_to_file_in(dir.path(), &["-o", "aging.csv"]);
    let written = fs::read_to_string(dir.path().join("aging.csv")).unwrap();
    assert_eq!(written, aging(&["--format", "csv"]));
    assert!(written.starts_with(&format!("{SUMMARY_HEADER}\n")));
}

#[test]
fn output_json_extension_writes_json() {
    let dir = workdir();
    aging_to_file_in(dir.path(), &["-o", "aging.json"]);
    let written = fs::read_to_string(dir.path().join("aging.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&written).unwrap();
    let on_stdout: serde_json::Value = serde_json::from_str(&aging(&["--format", "json"])).unwrap();
    assert_eq!(doc["rows"], on_stdout["rows"]);
    assert_eq!(doc["totals"], on_stdout["totals"]);
    assert_eq!(doc["report"], "aging");
    assert_eq!(doc["as_of"], AS_OF);
    assert_eq!(doc["inputs"], serde_json::json!(["ledger.csv"]));
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 8);
    assert_eq!(doc["totals"].as_array().unwrap().len(), 3);
    for row in rows.iter().chain(doc["totals"].as_array().unwrap()) {
        for key in [
            "current",
            "1-30",
            "31-60",
            "61-90",
            "91-120",
            "120+",
            "unapplied",
            "balance",
        ] {
            assert!(row[key].is_string(), "{key} of {row} is not a string");
        }
    }
    let bolivar = rows
        .iter()
        .find(|r| r["customer_id"] == "860333444")
        .unwrap();
    assert_eq!(bolivar["unapplied"], "5500000.00");
    assert_eq!(bolivar["balance"], "-5500000.00");
}

#[test]
fn output_txt_extension_writes_the_table() {
    let dir = workdir();
    aging_to_file_in(dir.path(), &["-o", "aging.txt"]);
    let written = fs::read_to_string(dir.path().join("aging.txt")).unwrap();
    let table = aging(&["--format", "table"]);
    // The footer names the input as given, so compare the tables and check the footer.
    let (body, footer) = written.rsplit_once("\nAs of ").unwrap();
    assert_eq!(body, table.rsplit_once("\nAs of ").unwrap().0);
    assert!(body.starts_with('┌'), "{written}");
    assert_eq!(
        footer,
        "2026-06-30 · days past the due date · policy: built-in defaults\n\
         32 documents read from ledger.csv; 2 documents dated after 2026-06-30 ignored\n\
         Refs not followed (the amounts went to the customer's pool of credit): 1 unknown invoice, \
         1 invoice of another customer, 1 invoice in another currency, 1 credit beyond its invoice's balance \
         (cartera reconcile lists them)\n"
    );
}

#[test]
fn format_flag_wins_over_the_extension() {
    let dir = workdir();
    aging_to_file_in(dir.path(), &["--format", "csv", "-o", "aging.json"]);
    let written = fs::read_to_string(dir.path().join("aging.json")).unwrap();
    assert_eq!(written, aging(&["--format", "csv"]));
}

#[test]
fn output_dash_is_stdout() {
    let dir = workdir();
    let out = stdout_of(cartera_in(dir.path()).args([
        "aging",
        "ledger.csv",
        "--as-of",
        AS_OF,
        "--format",
        "csv",
        "-o",
        "-",
    ]));
    assert_eq!(out, aging(&["--format", "csv"]));
    assert_eq!(entries(dir.path()), ["ledger.csv"]);
    // Without --format, `-o -` is the table, as stdout always is.
    let table = stdout_of(cartera_in(dir.path()).args([
        "aging",
        "ledger.csv",
        "--as-of",
        AS_OF,
        "-o",
        "-",
    ]));
    assert!(table.starts_with('┌'), "{table}");
}

// ---------------------------------------------------------------------------------------
// Atomic output.
// ---------------------------------------------------------------------------------------

#[test]
fn existing_output_is_replaced_fully() {
    let dir = workdir();
    let path = dir.path().join("aging.csv");
    // Longer than the new report, so a write in place would leave a tail behind.
    fs::write(&path, "stale,report\n".repeat(10_000)).unwrap();
    aging_to_file_in(dir.path(), &["-o", "aging.csv"]);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        aging(&["--format", "csv"])
    );
    no_temp_files(dir.path());
}

#[cfg(unix)]
#[test]
fn existing_output_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = workdir();
    let path = dir.path().join("aging.csv");
    fs::write(&path, "old\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    aging_to_file_in(dir.path(), &["-o", "aging.csv"]);
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "mode {mode:o}");
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        aging(&["--format", "csv"])
    );
}

#[cfg(unix)]
#[test]

fn new_output_gets_the_mode_of_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = workdir();
    let status = std::process::Command::new("bash")
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args([
            "-c",
            "umask 022 && exec \"$0\" aging ledger.csv --as-of 2026-06-30 -o aging.csv",
            env!("CARGO_BIN_EXE_cartera"),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let mode = fs::metadata(dir.path().join("aging.csv"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o644, "mode {mode:o}");
}

#[test]
fn no_temp_files_remain_after_success() {
    let dir = workdir();
    for name in ["a.csv", "a.json", "a.txt"] {
        aging_to_file_in(dir.path(), &["-o", name]);
    }
    no_temp_files(dir.path());
    assert_eq!(
        entries(dir.path()),
        ["a.csv", "a.json", "a.txt", "ledger.csv"]
    );
}

#[test]
fn no_temp_files_remain_after_a_failed_rename() {
    // `new.csv/` is not a directory, so the temporary file is created in `.` and the final
    // rename is what fails.
    let dir = workdir();
    let out = cartera_in(dir.path())
        .args([
            "aging",
            "ledger.csv",
            "--as-of",
            AS_OF,
            "--format",
            "csv",
            "-o",
            "new.csv/",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(73));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: cannot write new.csv/: a part of the path is not a directory\n"
    );
    no_temp_files(dir.path());
    assert_eq!(entries(dir.path()), ["ledger.csv"]);
}

#[test]
fn no_temp_files_remain_after_a_data_error() {
    let dir = workdir();
    fs::copy(
        root().join("tests/fixtures/bad_date.csv"),
        dir.path().join("bad_date.csv"),
    )
    .unwrap();
    cartera_in(dir.path())
        .args(["aging", "bad_date.csv", "--as-of", AS_OF, "-o", "aging.csv"])
        .assert()
        .code(65);
    no_temp_files(dir.path());
    assert_eq!(entries(dir.path()), ["bad_date.csv", "ledger.csv"]);
}

// ---------------------------------------------------------------------------------------
// A reader that goes away (`| head`).
// ---------------------------------------------------------------------------------------

/// A ledger of a few thousand open invoices, so the detail report is far larger than a
/// pipe's buffer.
fn big_ledger(dir: &Path) {
    let mut text =
        String::from("type,id,customer_id,customer_name,date,due_date,amount,currency,ref\n");
    for i in 0..5000 {
        text.push_str(&format!(
            "invoice,FV-{i:05},C{:03},Cliente {:03},2026-01-15,,100.00,COP,\n",
            i % 300,
            i % 300
        ));
    }
    fs::write(dir.join("big.csv"), text).unwrap();
}

#[test]
fn broken_pipe_is_a_quiet_success() {
    let dir = tempfile::tempdir().unwrap();
    big_ledger(dir.path());
    for (format, first_line) in [
        (
            "csv",
            "customer_id,customer_name,currency,type,id,date,due_date,days,bucket,open",
        ),
        ("json", "{"),
        ("table", "┌"),
    ] {
        let script = format!(
            "set -o pipefail; \"$0\" aging big.csv --as-of {AS_OF} --detail --format {format} | head -1"
        );
        let out = std::process::Command::new("bash")
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .args(["-c", &script, env!("CARGO_BIN_EXE_cartera")])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "{format}: {:?}, stderr: {stderr}",
            out.status
        );
        assert_eq!(stderr, "", "{format}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert_eq!(stdout.lines().count(), 1, "{format}");
        assert!(stdout.starts_with(first_line), "{format}: {stdout}");
    }
}

// ---------------------------------------------------------------------------------------
// Text from the input.
// ---------------------------------------------------------------------------------------

fn formula_report(args: &[&str]) -> String {
    stdout_of(
        cartera()
            .args([
                "aging",
                "tests/fixtures/formula_names.csv",
                "--as-of",
                AS_OF,
            ])
            .args(args),
    )
}

#[test]
fn csv_neutralises_formulas_in_text_but_not_negative_amounts() {
    assert_eq!(
        formula_report(&["--format", "csv"]),
        format!(
            "{SUMMARY_HEADER}\n\
             C1,\"'=HYPERLINK(\"\"x\"\")\",USD,100.00,0.00,0.00,0.00,0.00,0.00,0.00,100.00\n\
             C2,'+57 300,USD,200.00,0.00,0.00,0.00,0.00,0.00,0.00,200.00\n\
             C3,'@SUM(A1),USD,300.00,0.00,0.00,0.00,0.00,0.00,0.00,300.00\n\
             C4,'-Descuento,USD,0.00,0.00,0.00,0.00,0.00,0.00,500.00,-500.00\n"
        )
    );
}

#[test]
fn csv_detail_keeps_an_unapplied_credit_a_plain_negative_number() {
    let rows = csv_rows(&formula_report(&["--format", "csv", "--detail"]));
    assert_eq!(
        rows.last().unwrap(),
        &[
            "C4",
            "'-Descuento",
            "USD",
            "payment",
            "RC-1",
            "2026-06-01",
            "",
            "",
            "unapplied",
            "-500.00"
        ]
    );
}

#[test]
fn json_keeps_text_as_written() {
    let doc: serde_json::Value =
        serde_json::from_str(&formula_report(&["--format", "json"])).unwrap();
    let names: Vec<&str> = doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["customer_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["=HYPERLINK(\"x\")", "+57 300", "@SUM(A1)", "-Descuento"]
    );
    assert_eq!(doc["rows"][3]["balance"], "-500.00");
}

#[test]
fn table_escapes_terminal_controls_in_names() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("esc.csv"),
        "type,id,customer_id,customer_name,date,due_date,amount,currency,ref\n\
         invoice,FV-1,C1,Evil\u{1b}[31mRed\u{7},2026-06-01,2026-07-01,100.00,USD,\n",
    )
    .unwrap();
    let table = stdout_of(
        cartera_in(dir.path()).args(["aging", "esc.csv", "--as-of", AS_OF, "--format", "table"]),
    );
    assert!(table.contains("Evil\\u{1b}[31mRed\\u{7}"), "{table}");
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{7}'),
        "{table}"
    );
    // CSV and JSON carry the name as written (their readers are programs, not terminals).
    let csv = stdout_of(
        cartera_in(dir.path()).args(["aging", "esc.csv", "--as-of", AS_OF, "--format", "csv"]),
    );
    assert_eq!(csv_rows(&csv)[1][1], "Evil\u{1b}[31mRed\u{7}");
}

// ---------------------------------------------------------------------------------------
// Help.
// ---------------------------------------------------------------------------------------

const EXIT_STATUS: &str = "Exit status:\n\
     \x20 0   success (also when the reader of the output goes away, as with | head)\n\
     \x20 1   ran fine and found what needs a person (reconcile --fail-on-exceptions, risk --fail-on)\n\
     \x20 2   usage: the command line is not understood\n\
     \x20 65  bad input data: a value that cannot be read, a duplicate invoice, a missing column\n\
     \x20 66  an input file (ledger or policy) is missing or unreadable\n\
     \x20 70  internal error: a bug in cartera (an invariant did not hold); nothing was written\n\
     \x20 73  the output cannot be created, or would overwrite an input\n\
     \x20 74  reading or writing failed midway\n\
     \x20 78  the policy file is invalid\n";

#[test]
fn aging_help_ends_with_the_exit_status() {
    let help = stdout_of(cartera().args(["aging", "--help"]));
    assert!(help.ends_with(EXIT_STATUS), "{help}");
    assert!(
        help.contains("\nExamples:\n  cartera aging ledger.csv "),
        "{help}"
    );
}

#[test]
fn top_level_help_ends_with_the_exit_status() {
    let help = stdout_of(cartera().arg("--help"));
    assert!(help.ends_with(EXIT_STATUS), "{help}");
}

#[test]
fn output_through_a_symlink_replaces_the_file_it_points_to() {
    let dir = workdir();
    fs::write(dir.path().join("real.csv"), "old").unwrap();
    std::os::unix::fs::symlink("real.csv", dir.path().join("link.csv")).unwrap();
    cartera_in(dir.path())
        .args([
            "aging",
            "ledger.csv",
            "--as-of",
            "2026-06-30",
            "-o",
            "link.csv",
        ])
        .assert()
        .success();
    assert!(
        fs::symlink_metadata(dir.path().join("link.csv"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let real = fs::read_to_string(dir.path().join("real.csv")).unwrap();
    assert!(
        real.starts_with("customer_id,customer_name,currency,current,"),
        "{real}"
    );
}

#[test]
fn a_full_disk_on_stdout_is_an_io_error_exit_74() {
    let full = fs::File::create("/dev/full").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cartera"))
        .current_dir(root())
        .args(["aging", "examples/ledger.csv", "--as-of", "2026-06-30"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(74));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: cannot write stdout: no space left on device\n"
    );
}

#[test]
fn output_onto_the_file_read_as_stdin_exits_73_and_leaves_it_intact() {
    let dir = workdir();
    let before = fs::read(dir.path().join("ledger.csv")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cartera"))
        .current_dir(dir.path())
        .args(["aging", "-", "--as-of", "2026-06-30", "-o", "ledger.csv"])
        .stdin(fs::File::open(dir.path().join("ledger.csv")).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(73));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: cannot write ledger.csv: it is the input <stdin>; choose another output file\n"
    );
    assert_eq!(fs::read(dir.path().join("ledger.csv")).unwrap(), before);
}

#[test]
fn output_through_a_dangling_symlink_creates_its_target() {
    let dir = workdir();
    std::os::unix::fs::symlink("reports/today.csv", dir.path().join("latest.csv")).unwrap();
    fs::create_dir(dir.path().join("reports")).unwrap();
    cartera_in(dir.path())
        .args([
            "aging",
            "ledger.csv",
            "--as-of",
            "2026-06-30",
            "-o",
            "latest.csv",
        ])
        .assert()
        .success();
    assert!(
        fs::symlink_metadata(dir.path().join("latest.csv"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let report = fs::read_to_string(dir.path().join("reports/today.csv")).unwrap();
    assert!(report.starts_with("customer_id,"), "{report}");
}

#[test]
fn the_same_file_given_twice_is_a_usage_error() {
    let dir = workdir();
    let out = cartera_in(dir.path())
        .args([
            "aging",
            "ledger.csv",
            "--payments",
            "./ledger.csv",
            "--as-of",
            "2026-06-30",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: ./ledger.csv is given twice (the same file as ledger.csv); each input is read once\n"
    );
}

#[test]
fn json_detail_rows_carry_every_column_with_null_when_empty() {
    let out = aging(&["--detail", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let unapplied = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "RC-1009")
        .unwrap();
    assert_eq!(
        unapplied.to_string(),
        r#"{"customer_id":"860333444","customer_name":"Constructora Bolívar S.A.","currency":"COP","type":"payment","id":"RC-1009","date":"2026-05-15","due_date":null,"days":null,"bucket":"unapplied","open":"-5500000.00"}"#
    );
}

#[test]
fn a_ledger_with_nothing_open_says_so_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("paid.csv"), "type,id,customer_id,date,amount\ninvoice,F1,C1,2026-01-01,10\npayment,P1,C1,2026-01-02,10\n").unwrap();
    let run = |format: &str| {
        stdout_of(
            cartera_in(dir.path())
                .args(["aging", "paid.csv", "--as-of", AS_OF, "--format", format]),
        )
    };
    assert_eq!(
        run("table"),
        "Nothing is open as of 2026-06-30.\n\
         As of 2026-06-30 · days past the due date · policy: built-in defaults\n\
         2 documents read from paid.csv\n"
    );
    assert_eq!(
        run("csv"),
        "customer_id,customer_name,currency,current,1-30,31-60,61-90,91-120,120+,unapplied,balance\n"
    );
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(
        (
            json["rows"].as_array().unwrap().len(),
            json["totals"].as_array().unwrap().len()
        ),
        (0, 0)
    );
}

#[test]
fn a_utf8_bom_and_crlf_line_ends_read_like_a_plain_file() {
    let dir = tempfile::tempdir().unwrap();
    let plain = fs::read_to_string(root().join(LEDGER)).unwrap();
    let windows = format!("\u{feff}{}", plain.replace('\n', "\r\n"));
    fs::write(dir.path().join("excel.csv"), windows).unwrap();
    let out = stdout_of(cartera_in(dir.path()).args([
        "aging",
        "excel.csv",
        "--as-of",
        AS_OF,
        "--format",
        "csv",
    ]));
    assert_eq!(out, aging(&["--format", "csv"]));
}
