//! `cartera reconcile`: every exception code on its fixture with its message pinned, the
//! anchor's worked example, withholdings and write-offs, the outputs and their atomicity,
//! the pipe identity with `cartera aging`, and --fail-on-exceptions both ways.

mod common;

use std::fs;
use std::path::Path;

use common::{cartera, cartera_in, csv_rows, entries, stdout_of};

const AS_OF: &str = "2026-06-30";
const EXC_HEADER: &str = "code,type,id,customer_id,currency,amount,file,line,message";

/// The exceptions CSV of a fixture in tests/fixtures/reconcile.
fn exceptions_of(fixture: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("exc.csv");
    let path = format!("tests/fixtures/reconcile/{fixture}");
    cartera()
        .args(["reconcile", &path, "--as-of", AS_OF, "--exceptions"])
        .arg(&out)
        .assert()
        .success();
    fs::read_to_string(out).unwrap()
}

fn one_exception(fixture: &str, row: &str) {
    assert_eq!(exceptions_of(fixture), format!("{EXC_HEADER}\n{row}\n"));
}

#[test]
fn unknown_ref() {
    one_exception(
        "unknown_ref.csv",
        "unknown_ref,payment,P1,C1,USD,40.00,tests/fixtures/reconcile/unknown_ref.csv,3,\"payment P1 names invoice F9, which does not exist as of 2026-06-30; its 40.00 USD went to the customer's pool\"",
    );
}

#[test]
fn customer_mismatch() {
    one_exception(
        "customer_mismatch.csv",
        "customer_mismatch,payment,P1,C2,USD,70.00,tests/fixtures/reconcile/customer_mismatch.csv,4,payment P1 names invoice F1 of customer C1; its 70.00 USD went to the pool of customer C2",
    );
}

#[test]
fn currency_mismatch() {
    one_exception(
        "currency_mismatch.csv",
        "currency_mismatch,payment,P1,C1,USD,100.00,tests/fixtures/reconcile/currency_mismatch.csv,4,payment P1 of 100.00 USD names invoice F1 in COP; it went to the customer's USD pool",
    );
}

#[test]
fn overpaid() {
    one_exception(
        "overpaid.csv",
        "overpaid,payment,P1,C1,USD,30.00,tests/fixtures/reconcile/overpaid.csv,4,payment P1 exceeds what was open on invoice F1 by 30.00 USD; the excess went to the customer's pool",
    );
}

#[test]
fn unapplied() {
    one_exception(
        "unapplied.csv",
        "unapplied,payment,P2,C1,USD,25.00,tests/fixtures/reconcile/unapplied.csv,4,payment P2 has 25.00 USD unapplied: customer C1 has no open invoice in USD left",
    );
}

#[test]
fn duplicate_payment() {
    let f = "tests/fixtures/reconcile/duplicate_payment.csv";
    assert_eq!(
        exceptions_of("duplicate_payment.csv"),
        format!(
            "{EXC_HEADER}\n\
             overpaid,payment,P1,C1,USD,20.00,{f},4,payment P1 exceeds what was open on invoice F1 by 20.00 USD; the excess went to the customer's pool\n\
             unapplied,payment,P1,C1,USD,20.00,{f},4,payment P1 has 20.00 USD unapplied: customer C1 has no open invoice in USD left\n\
             duplicate_payment,payment,P1,C1,USD,60.00,{f},4,payment P1 appears again (first at {f}:3); both were applied\n"
        )
    );
}

#[test]
fn future_dated() {
    let f = "tests/fixtures/reconcile/future_dated.csv";
    assert_eq!(
        exceptions_of("future_dated.csv"),
        format!(
            "{EXC_HEADER}\n\
             future_dated,invoice,F2,C1,USD,80.00,{f},3,\"invoice F2 is dated 2026-07-02, after 2026-06-30: ignored\"\n\
             future_dated,payment,P1,C1,USD,100.00,{f},4,\"payment P1 is dated 2026-07-05, after 2026-06-30: ignored\"\n"
        )
    );
}

/// Runs reconcile in a scratch directory holding `ledger.csv`; returns the allocations CSV.
fn allocations(ledger: &str, policy: Option<&str>) -> String {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ledger.csv"), ledger).unwrap();
    let mut cmd = cartera_in(dir.path());
    cmd.args([
        "reconcile",
        "ledger.csv",
        "--as-of",
        AS_OF,
        "--allocations",
        "alloc.csv",
    ]);
    if let Some(p) = policy {
        fs::write(dir.path().join("p.toml"), p).unwrap();
        cmd.args(["--policy", "p.toml"]);
    }
    cmd.assert().success();
    fs::read_to_string(dir.path().join("alloc.csv")).unwrap()
}

#[test]
fn anchor_t12_payments_120_then_100_close_a_and_b_and_leave_c_at_10() {
    let ledger = "type,id,customer_id,date,due_date,amount\n\
                  invoice,A,C1,2026-01-01,2026-01-10,100\n\
                  invoice,B,C1,2026-01-01,2026-01-20,50\n\
                  invoice,C,C1,2026-01-01,2026-02-01,80\n\
                  payment,P1,C1,2026-02-05,,120\n\
                  payment,P2,C1,2026-02-06,,100\n";
    assert_eq!(
        allocations(ledger, None),
        "payment_id,invoice_id,customer_id,currency,applied,withholding,discount,rule\n\
         P1,A,C1,USD,100.00,0.00,0.00,oldest_first\n\
         P1,B,C1,USD,20.00,0.00,0.00,oldest_first\n\
         P2,B,C1,USD,30.00,0.00,0.00,oldest_first\n\
         P2,C,C1,USD,70.00,0.00,0.00,oldest_first\n"
    );
}

#[test]
fn withholdings_and_discounts_are_shown_apart_and_a_write_off_is_a_line_of_its_own() {
    let ledger = fs::read_to_string("tests/fixtures/reconcile/withholdings_co.csv").unwrap();
    let expected = "payment_id,invoice_id,customer_id,currency,applied,withholding,discount,rule\n\
                    RC-1,FV-1,900123456,COP,945000.00,25000.00,30000.00,reference\n\
                    RC-2,FV-2,900123456,COP,487450.00,12500.00,0.00,reference\n";
    assert_eq!(allocations(&ledger, None), expected);
    let tolerance = "[allocation]\ntolerance = { COP = \"100\" }\n";
    assert_eq!(
        allocations(&ledger, Some(tolerance)),
        format!("{expected},FV-2,900123456,COP,50.00,0.00,0.00,tolerance\n")
    );
}

#[test]
fn the_summary_shows_each_part_and_ties_to_the_invoices() {
    let out = stdout_of(cartera().args([
        "reconcile",
        "tests/fixtures/reconcile/withholdings_co.csv",
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json["reconcile"]["rows"][0].to_string(),
        r#"{"customer_id":"900123456","customer_name":"Andina","currency":"COP","invoiced":"1500000.00","paid":"1432450.00","withheld":"37500.00","discounted":"30000.00","credited":"0.00","written_off":"0.00","open":"50.00","unapplied":"0.00"}"#
    );
    assert_eq!(json["exceptions"]["rows"].as_array().unwrap().len(), 0);
}

/// `cartera aging` of `ledger`, and of reconcile's open items of it, as CSV (summary and detail).
fn both_agings(dir: &Path, ledger: &str) -> [(String, String); 2] {
    let open =
        stdout_of(cartera_in(dir).args(["reconcile", ledger, "--as-of", AS_OF, "--format", "csv"]));
    [&[][..], &["--detail"][..]].map(|extra| {
        let direct = stdout_of(
            cartera_in(dir)
                .args(["aging", ledger, "--as-of", AS_OF, "--format", "csv"])
                .args(extra),
        );
        let piped = stdout_of(
            cartera_in(dir)
                .args(["aging", "-", "--as-of", AS_OF, "--format", "csv"])
                .args(extra)
                .write_stdin(open.clone()),
        );
        (direct, piped)
    })
}

#[test]
fn piping_the_open_items_into_aging_gives_the_same_aging_on_the_shipped_example() {
    let root = common::root();
    for (direct, piped) in both_agings(&root, "examples/ledger.csv") {
        assert_eq!(csv_rows(&piped), csv_rows(&direct));
        assert!(direct.lines().count() > 5);
    }
}

#[test]
fn fail_on_exceptions_exits_1_after_writing_everything_and_0_when_all_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    let out = cartera_in(dir.path())
        .args([
            "reconcile",
            &common::root()
                .join("examples/ledger.csv")
                .display()
                .to_string(),
            "--as-of",
            AS_OF,
        ])
        .args([
            "--fail-on-exceptions",
            "--exceptions",
            "exc.csv",
            "-o",
            "open.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "cartera: 32 rows read: 32 used, 0 set aside, 0 without data skipped\n\
         cartera: 7 exceptions need a person (exit 1 for --fail-on-exceptions)\n"
    );
    assert_eq!(entries(dir.path()), ["exc.csv", "open.csv"]);
    assert_eq!(
        csv_rows(&fs::read_to_string(dir.path().join("exc.csv")).unwrap()).len(),
        8
    );
    let clean = "tests/fixtures/reconcile/withholdings_co.csv";
    cartera()
        .args(["reconcile", clean, "--as-of", AS_OF, "--fail-on-exceptions"])
        .assert()
        .code(0);
}

#[test]
fn a_bad_output_name_leaves_no_output_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = common::root().join("examples/ledger.csv");
    let out = cartera_in(dir.path())
        .args(["reconcile"])
        .arg(&ledger)
        .args([
            "--as-of",
            AS_OF,
            "--allocations",
            "a.csv",
            "--exceptions",
            "missing/e.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(73));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: cannot write missing/e.csv: no such file or directory\n"
    );
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
}

#[test]
fn two_outputs_may_not_share_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = cartera_in(dir.path())
        .args(["reconcile"])
        .arg(common::root().join("examples/ledger.csv"))
        .args([
            "--as-of",
            AS_OF,
            "--allocations",
            "x.csv",
            "--open-items",
            "./x.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: ./x.csv is named for two outputs; give each output its own file\n"
    );
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn side_outputs_reaching_one_file_by_another_path_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("d")).unwrap();
    let out = cartera_in(dir.path())
        .args(["reconcile"])
        .arg(common::root().join("examples/ledger.csv"))
        .args([
            "--as-of",
            AS_OF,
            "--allocations",
            "w.csv",
            "--exceptions",
            "d/../w.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: d/../w.csv is named for two outputs; give each output its own file\n"
    );
    assert_eq!(entries(dir.path()), ["d"]);
    let dash = cartera_in(dir.path())
        .args(["reconcile"])
        .arg(common::root().join("examples/ledger.csv"))
        .args(["--allocations", "-"])
        .output()
        .unwrap();
    assert_eq!(dash.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(dash.stderr).unwrap(),
        "error: -: the side outputs are files (hint: --format csv writes the open items to stdout)\n"
    );
}

#[test]
fn when_stdout_fails_no_side_file_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cartera"))
        .current_dir(dir.path())
        .args(["reconcile"])
        .arg(common::root().join("examples/ledger.csv"))
        .args(["--as-of", AS_OF, "--allocations", "a.csv"])
        .stdout(fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(74));
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
}

#[test]
fn unapplied_credit_says_why_and_how_much_of_it_was_withheld() {
    let ledger = "type,id,customer_id,date,due_date,amount,currency,ref,withholding\n\
                  invoice,A,C1,2026-01-01,2026-01-31,100,USD,,\n\
                  payment,P,C1,2026-02-01,,30,USD,,\n\
                  payment,Q,C2,2026-02-01,,965000,COP,,35000\n";
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("l.csv"), ledger).unwrap();
    fs::write(
        dir.path().join("p.toml"),
        "[allocation]\norder = [\"reference\"]\n",
    )
    .unwrap();
    cartera_in(dir.path())
        .args([
            "reconcile",
            "l.csv",
            "--policy",
            "p.toml",
            "--as-of",
            AS_OF,
            "--exceptions",
            "e.csv",
        ])
        .assert()
        .success();
    let rows = csv_rows(&fs::read_to_string(dir.path().join("e.csv")).unwrap());
    let messages: Vec<&str> = rows[1..].iter().map(|r| r[8].as_str()).collect();
    assert_eq!(
        messages,
        [
            "payment P has 30.00 USD unapplied: customer C1 has open invoices in USD, but the policy's order has no oldest_first to apply it",
            "payment Q has 1000000.00 COP (35000.00 COP of it withheld) unapplied: customer C2 has no open invoice in COP left",
        ]
    );
}

#[test]
fn withholding_columns_by_their_spanish_names_add_up() {
    let ledger = "type,id,customer_id,date,amount,currency,ref,Retención en la fuente,ReteIVA,RETEICA,Descuento\n\
                  invoice,F1,C1,2026-01-01,1000000,COP,,,,,\n\
                  payment,P1,C1,2026-02-01,928000,COP,F1,25000,28500,8500,10000\n";
    assert_eq!(
        allocations(ledger, None),
        "payment_id,invoice_id,customer_id,currency,applied,withholding,discount,rule\n\
         P1,F1,C1,COP,928000.00,62000.00,10000.00,reference\n"
    );
}
