//! `cartera risk`: the IFRS 9 worked example, every condition with its exact reason, the
//! first-level-wins rule, credit limits from each source, the payment-history metrics and
//! their window, the customers file, and --fail-on.

mod common;

use std::collections::HashMap;
use std::fs;

use common::{cartera, cartera_in, csv_rows};

const AS_OF: &str = "2026-06-30";

/// Runs `cartera risk ledger.csv --format csv` with `policy` (and `customers`, if any) in a
/// scratch directory; returns each row as column → value, keyed by "customer currency".
fn risk(
    ledger: &str,
    policy: &str,
    customers: Option<&str>,
) -> HashMap<String, HashMap<String, String>> {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ledger.csv"), ledger).unwrap();
    fs::write(dir.path().join("p.toml"), policy).unwrap();
    let mut cmd = cartera_in(dir.path());
    cmd.args([
        "risk",
        "ledger.csv",
        "--policy",
        "p.toml",
        "--as-of",
        AS_OF,
        "--format",
        "csv",
    ]);
    if let Some(c) = customers {
        fs::write(dir.path().join("customers.csv"), c).unwrap();
        cmd.args(["--customers", "customers.csv"]);
    }
    let rows = csv_rows(&common::stdout_of(&mut cmd));
    let header = rows[0].clone();
    rows[1..]
        .iter()
        .map(|r| {
            let row: HashMap<String, String> =
                header.iter().cloned().zip(r.iter().cloned()).collect();
            (format!("{} {}", row["customer_id"], row["currency"]), row)
        })
        .collect()
}

fn ledger(rows: &str) -> String {
    format!("type,id,customer_id,date,due_date,amount,currency,ref\n{rows}")
}

#[test]
fn the_ifrs9_worked_example_provisions_27567() {
    // Balances of 300,000 / 140,000 / 60,000 / 23,000 / 5,000 in the five buckets of the
    // shipped IFRS 9 policy: 6,000 + 5,600 + 5,217.39 + 5,750 + 5,000.
    let policy = fs::read_to_string(common::root().join("examples/policy-ifrs9.toml")).unwrap();
    for (currency, expected) in [("CLP", "27567"), ("USD", "27567.39")] {
        let rows = ledger(&format!(
            "invoice,N,C1,2026-06-15,2026-07-15,300000,{currency},\n\
             invoice,A,C1,2026-05-01,2026-06-10,140000,{currency},\n\
             invoice,B,C1,2026-04-01,2026-05-10,60000,{currency},\n\
             invoice,C,C1,2026-03-01,2026-04-10,23000,{currency},\n\
             invoice,D,C1,2026-01-01,2026-02-10,5000,{currency},\n"
        ));
        let r = &risk(&rows, &policy, None)[&format!("C1 {currency}")];
        assert_eq!(r["provision"], expected, "{currency}");
        assert_eq!(
            (r["balance"].as_str(), r["overdue"].as_str()),
            (
                if currency == "CLP" {
                    "528000"
                } else {
                    "528000.00"
                },
                if currency == "CLP" {
                    "228000"
                } else {
                    "228000.00"
                }
            )
        );
    }
}

const EVERY_CONDITION: &str = r#"
[[risk.levels]]
name = "days"
max_days_past_due_over = 60
[[risk.levels]]
name = "share"
overdue_share_over = "0.50"
[[risk.levels]]
name = "overdue"
overdue_over = { USD = "1000" }
[[risk.levels]]
name = "use"
credit_use_over = "0.90"
[[risk.levels]]
name = "late"
avg_days_late_over = 10
[[risk.levels]]
name = "lateshare"
late_share_over = "0.40"
[[risk.levels]]
name = "big"
balance_over = { USD = "5000" }
[[risk.levels]]
name = "ok"
[credit]
default_limit = { USD = "10000" }
"#;

#[test]
fn each_condition_places_a_customer_and_says_why() {
    let rows = ledger(
        "invoice,D,D1,2026-03-01,2026-04-01,100,USD,\n\
         invoice,S-a,S1,2026-05-21,2026-06-20,600,USD,\n\
         invoice,S-b,S1,2026-06-20,2026-07-20,400,USD,\n\
         invoice,O-a,O1,2026-05-21,2026-06-20,1200,USD,\n\
         invoice,O-b,O1,2026-06-20,2026-07-20,1800,USD,\n\
         invoice,U,U1,2026-06-20,2026-07-20,9500,USD,\n\
         invoice,L,L1,2026-02-01,2026-03-01,1000,USD,\n\
         payment,L-p,L1,2026-03-21,,1000,USD,L\n\
         invoice,LS-a,LS1,2026-02-01,2026-03-01,100,USD,\n\
         payment,LS-p,LS1,2026-03-06,,100,USD,LS-a\n\
         invoice,LS-b,LS1,2026-02-01,2026-03-01,100,USD,\n\
         payment,LS-q,LS1,2026-03-01,,100,USD,LS-b\n\
         invoice,B,B1,2026-06-20,2026-07-20,6000,USD,\n\
         invoice,K,K1,2026-06-20,2026-07-20,100,USD,\n",
    );
    let got = risk(&rows, EVERY_CONDITION, None);
    let level = |k: &str| (got[k]["level"].clone(), got[k]["reason"].clone());
    let want = [
        ("D1 USD", "days", "max_days_past_due 90 > 60"),
        ("S1 USD", "share", "overdue_share 0.6000 > 0.50"),
        ("O1 USD", "overdue", "overdue 1200.00 > 1000.00 USD"),
        ("U1 USD", "use", "credit_use 0.9500 > 0.90"),
        ("L1 USD", "late", "avg_days_late 20.00 > 10"),
        ("LS1 USD", "lateshare", "late_share 0.5000 > 0.40"),
        ("B1 USD", "big", "balance 6000.00 > 5000.00 USD"),
        ("K1 USD", "ok", "no condition above held"),
    ];
    for (key, name, reason) in want {
        assert_eq!(level(key), (name.to_string(), reason.to_string()), "{key}");
    }
    assert_eq!(
        (
            got["LS1 USD"]["avg_days_late"].as_str(),
            got["LS1 USD"]["late_share"].as_str()
        ),
        ("2.50", "0.5000")
    );
}

#[test]
fn the_first_level_any_of_whose_conditions_holds_wins() {
    let policy = "[[risk.levels]]\nname = \"alto\"\nbalance_over = { USD = \"1000000\" }\nmax_days_past_due_over = 30\n\
                  [[risk.levels]]\nname = \"medio\"\nmax_days_past_due_over = 10\n[[risk.levels]]\nname = \"bajo\"\n";
    let rows = ledger(
        "invoice,F1,C1,2026-01-01,2026-05-01,50,USD,\ninvoice,F2,C2,2026-01-01,2026-06-10,50,USD,\n",
    );
    let got = risk(&rows, policy, None);
    // C1 is 60 days past due: over 10 too, but "alto" comes first, by its second condition.
    assert_eq!(
        (
            got["C1 USD"]["level"].as_str(),
            got["C1 USD"]["reason"].as_str()
        ),
        ("alto", "max_days_past_due 60 > 30")
    );
    assert_eq!(got["C2 USD"]["level"], "medio");
}

#[test]
fn credit_limits_come_from_the_customers_file_then_the_policy_per_customer_then_its_default() {
    let policy = "[credit]\ndefault_limit = { USD = \"1000\" }\n[credit.limits]\nC2 = { USD = \"2000\" }\nC3 = { USD = \"3000\" }\n";
    let rows = ledger(
        "invoice,F1,C1,2026-06-01,,500,USD,\ninvoice,F2,C2,2026-06-01,,500,USD,\ninvoice,F3,C3,2026-06-01,,500,USD,\ninvoice,F4,C4,2026-06-01,,500,EUR,\n",
    );
    let customers =
        "customer_id,customer_name,credit_limit,currency,segment\nC3,Tres,4000,USD,retail\n";
    let got = risk(&rows, policy, Some(customers));
    let limits: Vec<(&str, &str, &str, &str)> = ["C1 USD", "C2 USD", "C3 USD", "C4 EUR"]
        .iter()
        .map(|k| {
            (
                got[*k]["credit_limit"].as_str(),
                got[*k]["credit_use"].as_str(),
                got[*k]["available_credit"].as_str(),
                got[*k]["segment"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        limits,
        [
            ("1000.00", "0.5000", "500.00", ""),
            ("2000.00", "0.2500", "1500.00", ""),
            ("4000.00", "0.1250", "3500.00", "retail"),
            ("", "", "", "")
        ]
    );
    assert_eq!(got["C3 USD"]["customer_name"], "Tres");
}

#[test]
fn payment_history_is_weighted_by_amount_bounded_by_the_window_and_ignores_credit_notes() {
    let rows = ledger(
        "invoice,A,C1,2026-04-01,2026-05-01,300,USD,\n\
         payment,PA,C1,2026-05-11,,300,USD,A\n\
         invoice,B,C1,2026-04-01,2026-05-01,100,USD,\n\
         payment,PB,C1,2026-05-31,,100,USD,B\n\
         invoice,C,C1,2026-04-01,2026-05-01,900,USD,\n\
         credit_note,NC,C1,2026-06-15,,900,USD,C\n\
         invoice,D,C1,2025-01-01,2025-02-01,5000,USD,\n\
         payment,PD,C1,2025-06-01,,5000,USD,D\n",
    );
    // A 10 days late (300), B 30 days late (100): (3,000 + 3,000) / 400 = 15; C closed by a
    // credit note and D settled more than 365 days ago do not count.
    let got = risk(&rows, "[risk]\nhistory_days = 365\n", None);
    assert_eq!(
        (
            got["C1 USD"]["avg_days_late"].as_str(),
            got["C1 USD"]["late_share"].as_str()
        ),
        ("15.00", "1.0000")
    );
    let short = risk(&rows, "[risk]\nhistory_days = 40\n", None);
    assert_eq!(
        (
            short["C1 USD"]["avg_days_late"].as_str(),
            short["C1 USD"]["late_share"].as_str()
        ),
        ("30.00", "1.0000")
    );
}

#[test]
fn terms_in_the_customers_file_set_the_due_dates() {
    let rows = ledger("invoice,F1,C1,2026-05-01,,100,USD,\ninvoice,F2,C2,2026-05-01,,100,USD,\n");
    let customers = "customer_id,terms_days\nC1,60\n";
    let got = risk(&rows, "", Some(customers));
    // C1: due 2026-06-30, not yet overdue; C2: the default 30 days, due 2026-05-31.
    assert_eq!(
        (
            got["C1 USD"]["max_days_past_due"].as_str(),
            got["C2 USD"]["max_days_past_due"].as_str()
        ),
        ("0", "30")
    );
}

#[test]
fn a_bad_customers_file_is_located() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("c.csv"),
        "customer_id,credit_limit,currency,terms_days\nC1,1000,COP,\nC1,5,COP,\n,5,USD,x\n",
    )
    .unwrap();
    let out = cartera_in(dir.path())
        .args([
            "risk",
            &common::root()
                .join("examples/ledger.csv")
                .display()
                .to_string(),
            "--customers",
            "c.csv",
            "--as-of",
            AS_OF,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: c.csv:3: customer C1 has a second credit limit in COP (first at c.csv:2)\n\
         error: c.csv:4: column \"customer_id\": is empty (every document needs its customer)\n\
         error: c.csv:4: column \"terms_days\": cannot read \"x\" as days (expected a whole number from 0 to 3650)\n\
         error: 3 problems in the input; no report was written\n"
    );
}

#[test]
fn fail_on_exits_1_when_a_customer_is_at_that_level_and_0_otherwise() {
    let policy = "examples/policy-ifrs9.toml";
    let risk_ifrs9 = |more: &[&str]| {
        cartera()
            .args([
                "risk",
                "examples/ledger.csv",
                "--policy",
                policy,
                "--as-of",
                AS_OF,
            ])
            .args(more)
            .output()
            .unwrap()
    };
    let out = risk_ifrs9(&["--fail-on", "alto"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr.clone()).unwrap(),
        "cartera: 32 rows read: 32 used, 0 set aside, 0 without data skipped\n\
         cartera: 6 customer accounts are at level \"alto\" (exit 1 for --fail-on alto)\n"
    );
    assert!(!out.stdout.is_empty(), "the report is written first");
    // The same as CSV, which is written from the rows without a report made first.
    let csv = risk_ifrs9(&["--fail-on", "alto", "--format", "csv"]);
    assert_eq!(csv.status.code(), Some(1));
    assert_eq!(csv.stderr, out.stderr);
    let alto = csv_rows(&String::from_utf8(csv.stdout).unwrap());
    assert_eq!(alto.iter().filter(|r| r[14] == "alto").count(), 6);
    // Under the Colombian grading nobody is 360 days past due: category E is empty.
    let colombia = [
        "risk",
        "examples/ledger.csv",
        "--policy",
        "examples/policy-colombia.toml",
        "--as-of",
        AS_OF,
    ];
    let out = cartera()
        .args(colombia)
        .args(["--fail-on", "E", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(
        (
            out.status.code(),
            String::from_utf8(out.stderr).unwrap().as_str()
        ),
        (
            Some(0),
            "cartera: 32 rows read: 32 used, 0 set aside, 0 without data skipped\n"
        )
    );
    assert_eq!(csv_rows(&String::from_utf8(out.stdout).unwrap()).len(), 10);
    let out = risk_ifrs9(&["--fail-on", "rojo"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: --fail-on \"rojo\" is not a level of the policy (its levels: alto, medio, bajo)\n"
    );
}

#[test]
fn conditions_are_decided_on_exact_figures_not_the_rounded_ones_shown() {
    let policy = "[[risk.levels]]\nname = \"over\"\ncredit_use_over = \"1.00\"\n[[risk.levels]]\nname = \"ok\"\n\
                  [credit]\ndefault_limit = { USD = \"100000\" }\n[credit.limits]\nZ = { USD = \"0\" }\n";
    let rows =
        ledger("invoice,F1,C1,2026-06-20,,100000.40,USD,\ninvoice,F2,Z,2026-06-20,,500,USD,\n");
    let got = risk(&rows, policy, None);
    let c1 = &got["C1 USD"];
    assert_eq!(
        (
            c1["credit_use"].as_str(),
            c1["level"].as_str(),
            c1["reason"].as_str()
        ),
        ("1.0000", "over", "credit_use 1.000004 > 1.00")
    );
    let z = &got["Z USD"];
    assert_eq!(
        (
            z["credit_use"].as_str(),
            z["level"].as_str(),
            z["reason"].as_str()
        ),
        ("", "over", "credit_use: balance 500.00 > credit limit 0")
    );
}

#[test]
fn the_payment_that_closed_an_invoice_counts_even_if_a_credit_note_took_off_the_rest() {
    // 99 paid 89 days late, then a credit note of 1: settled by that payment, 89 days late.
    let rows = ledger(
        "invoice,A,C1,2026-01-01,2026-01-31,100,USD,\n\
         payment,P,C1,2026-04-30,,99,USD,A\n\
         credit_note,N,C1,2026-05-02,,1,USD,A\n",
    );
    let got = risk(&rows, "", None);
    assert_eq!(
        (
            got["C1 USD"]["avg_days_late"].as_str(),
            got["C1 USD"]["late_share"].as_str()
        ),
        ("89.00", "1.0000")
    );
}

#[test]
fn the_customers_file_gives_every_command_the_same_due_dates() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("l.csv"),
        ledger("invoice,F1,C1,2026-01-01,,100,USD,\n"),
    )
    .unwrap();
    fs::write(
        dir.path().join("c.csv"),
        "customer_id,terms_days\nC1,60\nC9,30\n",
    )
    .unwrap();
    let aging = common::stdout_of(cartera_in(dir.path()).args([
        "aging",
        "l.csv",
        "--customers",
        "c.csv",
        "--as-of",
        "2026-02-15",
        "--format",
        "csv",
    ]));
    assert_eq!(csv_rows(&aging)[1][3], "100.00", "due 2026-03-02: current");
    let out = cartera_in(dir.path())
        .args([
            "risk",
            "l.csv",
            "--customers",
            "c.csv",
            "--as-of",
            "2026-02-15",
        ])
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.ends_with("1 customer of the customers file has no document by then (check how their ids are written)\n"), "{table}");
}

#[test]
fn conflicting_terms_and_ragged_rows_in_the_customers_file_are_located() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("c.csv"),
        "customer_id,terms_days\nC1,60\nC1,30\nC2,30,x\n",
    )
    .unwrap();
    let out = cartera_in(dir.path())
        .args([
            "aging",
            &common::root()
                .join("examples/ledger.csv")
                .display()
                .to_string(),
            "--customers",
            "c.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: c.csv:3: customer C1 has terms_days 30 here but 60 on an earlier row\n\
         error: c.csv:4: the row has 3 fields but the header has 2 (hint: a value that contains a comma must be in double quotes)\n\
         error: 2 problems in the input; no report was written\n"
    );
}
