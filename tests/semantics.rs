//! The aging contract (README "Semantics"), one test per point, with exact figures. Ledgers
//! are written as CSV text and go through the real input layer.

use cartera::aging::{Aging, AgingRow, age, sort_detail};
use cartera::allocate::{RefIssue, Rule, allocate};
use cartera::input::{Collector, Role, read_source};
use cartera::model::Ledger;
use cartera::policy::AllocationPolicy;
use cartera::policy::{Policy, parse_policy};
use chrono::NaiveDate;
use rust_decimal::Decimal;

const HEADER: &str = "type,id,customer_id,customer_name,date,due_date,amount,currency,ref\n";

fn ledger_with(policy: &Policy, rows: &str) -> Result<Ledger, String> {
    let mut c = Collector::new(policy);
    read_source(
        format!("{HEADER}{rows}").as_bytes(),
        0,
        "t.csv".into(),
        Role::Ledger,
        &mut c,
    )
    .unwrap();
    c.finish().map_err(|e| e.to_string())
}

fn ledger(rows: &str) -> Ledger {
    ledger_with(&Policy::default(), rows).unwrap()
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn aging_with(policy: &Policy, rows: &str, as_of: &str) -> Aging {
    let l = ledger_with(policy, rows).unwrap();
    let mut a = age(
        &l,
        &allocate(&l, date(as_of), &AllocationPolicy::default()),
        &policy.aging,
    );
    sort_detail(&mut a.detail); // in report order, as `--detail` shows it
    a
}

fn aging(rows: &str, as_of: &str) -> Aging {
    aging_with(&Policy::default(), rows, as_of)
}

/// (customer, currency, buckets current..120+, unapplied, balance) as text.
fn row(r: &AgingRow) -> (String, String, Vec<String>, String, String) {
    (
        r.customer.0.to_string(),
        r.currency.to_string(),
        r.buckets.iter().map(ToString::to_string).collect(),
        r.unapplied.to_string(),
        r.balance.to_string(),
    )
}

fn buckets(v: [&str; 6]) -> Vec<String> {
    v.iter().map(ToString::to_string).collect()
}

/// Open amount per invoice id, from the detail.
fn open_of(a: &Aging, id: &str) -> Option<Decimal> {
    a.detail.iter().find(|x| x.id.0 == id).map(|x| x.open)
}

#[test]
fn point1_documents_after_the_as_of_date_do_not_exist_yet() {
    let rows = "invoice,F1,C1,,2026-01-10,2026-02-09,100.00,USD,\n\
                invoice,F2,C1,,2026-07-01,2026-07-31,70.00,USD,\n\
                payment,P1,C1,,2026-06-30,,40.00,USD,F1\n\
                payment,P2,C1,,2026-07-02,,60.00,USD,F1\n";
    let june = aging(rows, "2026-06-30");
    assert_eq!(june.rows.len(), 1);
    assert_eq!(row(&june.rows[0]).4, "60.00");
    assert_eq!(open_of(&june, "F2"), None);
    let before = aging(rows, "2026-06-29");
    assert_eq!(row(&before.rows[0]).4, "100.00");
    let later = aging(rows, "2026-07-02");
    assert_eq!(open_of(&later, "F1"), None, "F1 fully paid by 2026-07-02");
    assert_eq!(row(&later.rows[0]).4, "70.00");
}

#[test]
fn point2_a_reference_pays_its_invoice_up_to_the_open_balance() {
    let rows = "invoice,F1,C1,,2026-01-10,2026-02-09,100.00,USD,\n\
                invoice,F2,C1,,2026-01-01,2026-01-31,500.00,USD,\n\
                payment,P1,C1,,2026-03-01,,130.00,USD,F1\n";
    let a = aging(rows, "2026-06-30");
    assert_eq!(open_of(&a, "F1"), None);
    // The excess 30 joins the pool and pays the oldest open invoice, F2.
    assert_eq!(open_of(&a, "F2"), Some(d("470.00")));
    let l = ledger(rows);
    let alloc = allocate(&l, date("2026-06-30"), &AllocationPolicy::default());
    assert_eq!(alloc.ref_issues, vec![(0, RefIssue::Overpaid)]);
    let applied: Vec<(usize, String, Rule)> = alloc
        .applications
        .iter()
        .map(|x| (x.invoice, x.amount.to_string(), x.rule))
        .collect();
    assert_eq!(
        applied,
        vec![
            (0, "100.00".into(), Rule::Reference),
            (1, "30.00".into(), Rule::OldestFirst)
        ]
    );
}

#[test]
fn point2_referenced_credits_apply_in_date_then_input_order() {
    let rows = "invoice,F1,C1,,2026-01-10,2026-02-09,100.00,USD,\n\
                payment,P2,C1,,2026-03-05,,80.00,USD,F1\n\
                payment,P1,C1,,2026-03-01,,50.00,USD,F1\n\
                payment,P3,C1,,2026-03-05,,10.00,USD,F1\n";
    let l = ledger(rows);
    let alloc = allocate(&l, date("2026-06-30"), &AllocationPolicy::default());
    let by_credit: Vec<(&str, String)> = alloc
        .applications
        .iter()
        .map(|x| {
            (
                l.credits[x.credit.unwrap()].id.0.as_str(),
                x.amount.to_string(),
            )
        })
        .collect();
    assert_eq!(
        by_credit,
        vec![("P1", "50.00".into()), ("P2", "50.00".into())]
    );
    let unapplied: Vec<String> = alloc
        .credit_unapplied
        .iter()
        .map(|u| u.unwrap().to_string())
        .collect();
    assert_eq!(unapplied, ["30.00", "0.00", "10.00"]);
}

#[test]
fn point2_unknown_foreign_customer_and_foreign_currency_refs_join_their_own_pool() {
    let rows = "invoice,F1,C1,,2026-01-10,2026-02-09,100.00,USD,\n\
                invoice,F2,C2,,2026-01-10,2026-02-09,100.00,USD,\n\
                invoice,F3,C2,,2026-01-10,2026-02-09,100.00,COP,\n\
                payment,P1,C2,,2026-03-01,,10.00,USD,F404\n\
                payment,P2,C2,,2026-03-01,,20.00,USD,F1\n\
                payment,P3,C2,,2026-03-01,,40.00,USD,F3\n";
    let l = ledger(rows);
    let alloc = allocate(&l, date("2026-06-30"), &AllocationPolicy::default());
    let issues: Vec<RefIssue> = alloc.ref_issues.iter().map(|x| x.1).collect();
    assert_eq!(
        issues,
        [
            RefIssue::Unknown,
            RefIssue::CustomerMismatch,
            RefIssue::CurrencyMismatch
        ]
    );
    let a = age(&l, &alloc, &Policy::default().aging);
    assert_eq!(
        open_of(&a, "F1"),
        Some(d("100.00")),
        "C2's payment never touches C1's invoice"
    );
    assert_eq!(
        open_of(&a, "F2"),
        Some(d("30.00")),
        "10 + 20 + 40 USD of C2's pool pay its USD invoice"
    );
    assert_eq!(
        open_of(&a, "F3"),
        Some(d("100.00")),
        "a USD payment never pays a COP invoice"
    );
}

#[test]
fn point3_and_4_the_pool_pays_oldest_first_and_the_rest_is_unapplied() {
    // Ordered by (due date, issue date, id): F3 (due Jan 31), then F1 and F2 (due Feb 9,
    // F1 issued earlier), then F0 (same due and issue date as F2, lower id → before F2).
    let rows = "invoice,F1,C1,,2026-01-05,2026-02-09,100.00,USD,\n\
                invoice,F2,C1,,2026-01-10,2026-02-09,100.00,USD,\n\
                invoice,F0,C1,,2026-01-10,2026-02-09,100.00,USD,\n\
                invoice,F3,C1,,2026-01-20,2026-01-31,100.00,USD,\n\
                payment,P1,C1,,2026-03-01,,250.00,USD,\n";
    let a = aging(rows, "2026-06-30");
    assert_eq!(open_of(&a, "F3"), None);
    assert_eq!(open_of(&a, "F1"), None);
    assert_eq!(open_of(&a, "F0"), Some(d("50.00")));
    assert_eq!(open_of(&a, "F2"), Some(d("100.00")));
    let more = aging(
        &format!("{rows}credit_note,N1,C1,,2026-03-02,,400.00,USD,\n"),
        "2026-06-30",
    );
    let r = row(&more.rows[0]);
    assert_eq!((r.3.as_str(), r.4.as_str()), ("250.00", "-250.00"));
}

#[test]
fn anchor_t12_two_unreferenced_payments_close_a_and_b_and_leave_c_at_10() {
    let rows = "invoice,A,C1,,2026-01-01,2026-01-10,100,USD,\n\
                invoice,B,C1,,2026-01-01,2026-01-20,50,USD,\n\
                invoice,C,C1,,2026-01-01,2026-02-01,80,USD,\n\
                payment,P1,C1,,2026-02-05,,120,USD,\n\
                payment,P2,C1,,2026-02-06,,100,USD,\n";
    let a = aging(rows, "2026-02-28");
    assert_eq!(
        (open_of(&a, "A"), open_of(&a, "B"), open_of(&a, "C")),
        (None, None, Some(d("10")))
    );
    let l = ledger(rows);
    let alloc = allocate(&l, date("2026-02-28"), &AllocationPolicy::default());
    let steps: Vec<(&str, &str, String)> = alloc
        .applications
        .iter()
        .map(|x| {
            (
                l.credits[x.credit.unwrap()].id.0.as_str(),
                l.invoices[x.invoice].id.0.as_str(),
                x.amount.to_string(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("P1", "A", "100".into()),
            ("P1", "B", "20".into()),
            ("P2", "B", "30".into()),
            ("P2", "C", "70".into())
        ]
    );
    assert_eq!(row(&a.rows[0]).3, "0");
}

#[test]
fn point5_days_fall_into_the_first_bucket_whose_max_days_holds_them() {
    // Due dates chosen so that, as of 2026-06-30, days are −1, 0, 1, 30, 31, 120, 121.
    let rows = "invoice,D-1,C1,,2026-01-01,2026-07-01,1,USD,\n\
                invoice,D0,C1,,2026-01-01,2026-06-30,2,USD,\n\
                invoice,D1,C1,,2026-01-01,2026-06-29,4,USD,\n\
                invoice,D30,C1,,2026-01-01,2026-05-31,8,USD,\n\
                invoice,D31,C1,,2026-01-01,2026-05-30,16,USD,\n\
                invoice,D120,C1,,2026-01-01,2026-03-02,32,USD,\n\
                invoice,D121,C1,,2026-01-01,2026-03-01,64,USD,\n";
    let a = aging(rows, "2026-06-30");
    let days: Vec<(&str, i64, usize)> = a
        .detail
        .iter()
        .map(|x| (x.id.0.as_str(), x.days.unwrap(), x.bucket.unwrap()))
        .collect();
    assert_eq!(
        days,
        [
            ("D121", 121, 5),
            ("D120", 120, 4),
            ("D31", 31, 2),
            ("D30", 30, 1),
            ("D1", 1, 1),
            ("D0", 0, 0),
            ("D-1", -1, 0)
        ]
    );
    assert_eq!(
        row(&a.rows[0]).2,
        buckets(["3", "12", "16", "0", "32", "64"])
    );
}

#[test]
fn point5_issue_date_basis_counts_from_the_issue_date() {
    let policy = parse_policy("[aging]\nbasis = \"issue_date\"\n", "p.toml").unwrap();
    let a = aging_with(
        &policy,
        "invoice,F1,C1,,2026-05-01,2026-07-30,10,USD,\n",
        "2026-06-30",
    );
    assert_eq!((a.detail[0].days, a.detail[0].bucket), (Some(60), Some(2)));
    let by_due = aging(
        "invoice,F1,C1,,2026-05-01,2026-07-30,10,USD,\n",
        "2026-06-30",
    );
    assert_eq!(
        (by_due.detail[0].days, by_due.detail[0].bucket),
        (Some(-30), Some(0))
    );
}

#[test]
fn point5_custom_buckets_from_the_policy() {
    let policy = parse_policy(
        "[[aging.buckets]]\nlabel = \"al día\"\nmax_days = 0\n[[aging.buckets]]\nlabel = \"1-60\"\nmax_days = 60\n[[aging.buckets]]\nlabel = \"60+\"\n",
        "p.toml",
    )
    .unwrap();
    let a = aging_with(
        &policy,
        "invoice,F1,C1,,2026-01-01,2026-05-01,10,USD,\ninvoice,F2,C1,,2026-01-01,2026-04-30,5,USD,\n",
        "2026-06-30",
    );
    let r = row(&a.rows[0]);
    assert_eq!(r.2, ["0", "10", "5"]);
}

#[test]
fn point6_balance_is_buckets_minus_unapplied_and_currencies_never_mix() {
    let rows = "invoice,F1,C1,,2026-06-01,2026-06-30,1000000.00,COP,\n\
                invoice,F2,C1,,2026-01-01,2026-01-31,250.50,USD,\n\
                payment,P1,C1,,2026-06-15,,400.00,USD,\n\
                invoice,F3,C2,,2026-05-01,2026-05-31,99.99,USD,\n";
    let a = aging(rows, "2026-06-30");
    let rows: Vec<_> = a.rows.iter().map(row).collect();
    assert_eq!(
        rows,
        [
            (
                "C1".into(),
                "COP".into(),
                buckets(["1000000.00", "0", "0", "0", "0", "0"]),
                "0".into(),
                "1000000.00".into()
            ),
            (
                "C1".into(),
                "USD".into(),
                buckets(["0", "0", "0", "0", "0", "0"]),
                "149.50".into(),
                "-149.50".into()
            ),
            (
                "C2".into(),
                "USD".into(),
                buckets(["0", "99.99", "0", "0", "0", "0"]),
                "0".into(),
                "99.99".into()
            ),
        ]
    );
    let totals: Vec<_> = a.totals.iter().map(row).collect();
    assert_eq!(totals[0].4, "1000000.00");
    assert_eq!(
        (
            totals[1].1.as_str(),
            totals[1].3.as_str(),
            totals[1].4.as_str()
        ),
        ("USD", "149.50", "-49.51")
    );
}

#[test]
fn empty_due_date_and_currency_take_the_policy_defaults() {
    let policy = parse_policy(
        "[defaults]\ncurrency = \"cop\"\nterms_days = 45\n",
        "p.toml",
    )
    .unwrap();
    let l = ledger_with(&policy, "invoice,F1,C1,,2026-05-01,,10,,\n").unwrap();
    assert_eq!(
        (l.invoices[0].due, l.invoices[0].currency.as_str()),
        (date("2026-06-15"), "COP")
    );
    let l = ledger("invoice,F1,C1,,2026-05-01,,10,,\n");
    assert_eq!(
        (l.invoices[0].due, l.invoices[0].currency.as_str()),
        (date("2026-05-31"), "USD")
    );
}

#[test]
fn point7_row_order_does_not_change_the_report() {
    let rows = [
        "invoice,F1,C1,Uno,2026-01-01,2026-01-31,100,USD,",
        "invoice,F2,C1,Uno,2026-02-01,2026-03-03,200,USD,",
        "payment,P1,C1,Uno,2026-03-01,,150,USD,",
        "payment,P3,C1,Uno,2026-03-01,,90,USD,",
        "payment,P2,C1,Uno,2026-03-01,,30,USD,F2",
        "credit_note,N1,C2,Dos,2026-03-02,,20,COP,",
        "invoice,F3,C2,Dos,2026-02-01,2026-03-03,70,COP,",
    ];
    let forward = aging(&(rows.join("\n") + "\n"), "2026-06-30");
    let mut reversed = rows.to_vec();
    reversed.reverse();
    assert_eq!(forward, aging(&(reversed.join("\n") + "\n"), "2026-06-30"));
}

#[test]
fn point8_a_duplicate_invoice_id_is_an_error_naming_both_lines() {
    let err = ledger_with(&Policy::default(), "invoice,F1,C1,,2026-01-01,,1,USD,\npayment,F1,C1,,2026-01-01,,1,USD,\ninvoice,F1,C2,,2026-01-02,,5,USD,\n").unwrap_err();
    assert_eq!(
        err,
        "t.csv:4: duplicate invoice id \"F1\" (first at t.csv:2)\n1 problem in the input; no report was written"
    );
}

#[test]
fn a_customer_takes_the_name_on_its_latest_document_by_the_as_of_date() {
    let later = aging(
        "invoice,F1,C1,Old Name,2026-01-01,,1,USD,\ninvoice,F9,C1,Renamed in July,2026-07-15,,1,USD,\n",
        "2026-06-30",
    );
    assert_eq!(later.rows[0].name, "Old Name");
    let a = aging(
        "invoice,F1,C1,Old Name,2026-01-01,,1,USD,\ninvoice,F2,C1,New Name,2026-02-01,,1,USD,\ninvoice,F3,C1,,2026-03-01,,1,USD,\n",
        "2026-06-30",
    );
    assert_eq!(a.rows[0].name, "New Name");
}

#[test]
fn fully_settled_customers_are_left_out() {
    let a = aging(
        "invoice,F1,C1,,2026-01-01,,10,USD,\npayment,P1,C1,,2026-01-05,,10,USD,F1\n",
        "2026-06-30",
    );
    assert!(a.rows.is_empty() && a.detail.is_empty() && a.totals.is_empty());
}

#[test]
fn the_conservation_check_stops_a_run_whose_figures_do_not_tie() {
    let l = ledger(
        "invoice,F1,C1,,2026-01-10,2026-02-09,100.00,USD,\npayment,P1,C1,,2026-03-01,,30.00,USD,F1\n",
    );
    let mut alloc = allocate(&l, date("2026-06-30"), &AllocationPolicy::default());
    assert_eq!(cartera::allocate::check_conservation(&l, &alloc), Ok(()));
    alloc.invoice_open[0] = Some(d("71.00"));
    assert_eq!(
        cartera::allocate::check_conservation(&l, &alloc),
        Err("USD: invoiced 100.00 ≠ applied 30.00 + open 71.00, or credited 30.00 ≠ applied 30.00 + unapplied 0.00".into())
    );
    let e = cartera::error::CliError::Internal {
        message: "USD: …".into(),
    };
    assert_eq!(
        (e.exit_code(), e.to_string().as_str()),
        (
            70,
            "internal error: USD: …; nothing was written (please report this)"
        )
    );
}

#[test]
fn a_payment_net_of_withholding_and_discount_settles_the_invoice_in_full() {
    // Invoice 1,000,000 COP paid 945,000 in cash, 25,000 retención en la fuente (2.5 %),
    // 30,000 prompt-payment discount.
    let text = "type,id,customer_id,date,due_date,amount,currency,ref,withholding,discount\n\
                invoice,FV-1,900123456,2026-05-01,2026-05-31,1000000,COP,,,\n\
                payment,RC-1,900123456,2026-05-20,,945000,COP,FV-1,25000,30000\n";
    let mut c = Collector::new(&Policy::default());
    read_source(text.as_bytes(), 0, "t.csv".into(), Role::Ledger, &mut c).unwrap();
    let l = c.finish().unwrap();
    assert_eq!(l.credits[0].value(), d("1000000"));
    let a = age(
        &l,
        &allocate(&l, date("2026-06-30"), &AllocationPolicy::default()),
        &Policy::default().aging,
    );
    assert!(a.rows.is_empty(), "{:?}", a.rows);
}

#[test]
fn only_payments_carry_withholding_or_discount() {
    let text = "type,id,customer_id,date,amount,withholding,discount\n\
                invoice,F1,C1,2026-05-01,100,5,\n\
                credit_note,N1,C1,2026-05-01,10,,1\n\
                payment,P1,C1,2026-05-01,10,-1,0.001\n";
    let mut c = Collector::new(&Policy::default());
    read_source(text.as_bytes(), 0, "t.csv".into(), Role::Ledger, &mut c).unwrap();
    assert_eq!(
        c.finish().unwrap_err().to_string(),
        "t.csv:2: column \"withholding\": only a payment can carry one (this row is an invoice)\n\
         t.csv:3: column \"discount\": only a payment can carry one (this row is a credit note)\n\
         t.csv:4: column \"withholding\": \"-1\" is negative (it is a part of the invoice the customer settled without paying it in cash, so it is positive)\n\
         t.csv:4: column \"discount\": \"0.001\" has more decimal places than USD has (2)\n\
         4 problems in the input; no report was written"
    );
}

fn aging_by(policy_toml: &str, rows: &str, as_of: &str) -> (Ledger, cartera::allocate::Allocation) {
    let policy = parse_policy(policy_toml, "p.toml").unwrap();
    let l = ledger_with(&policy, rows).unwrap();
    let alloc = allocate(&l, date(as_of), &policy.allocation);
    (l, alloc)
}

/// (credit id or "-", invoice id, amount, rule) of every application.
fn steps_of(
    l: &Ledger,
    alloc: &cartera::allocate::Allocation,
) -> Vec<(String, String, String, &'static str)> {
    alloc
        .applications
        .iter()
        .map(|a| {
            let credit = a
                .credit
                .map_or("-".to_string(), |c| l.credits[c].id.0.to_string());
            (
                credit,
                l.invoices[a.invoice].id.0.to_string(),
                a.amount.to_string(),
                a.rule.as_str(),
            )
        })
        .collect()
}

#[test]
fn exact_amount_pays_the_one_invoice_of_that_amount_before_oldest_first() {
    let rows = "invoice,A,C1,,2026-01-01,2026-01-10,100,USD,\n\
                invoice,B,C1,,2026-01-01,2026-01-20,80,USD,\n\
                invoice,C,C1,,2026-01-01,2026-01-25,50,USD,\n\
                invoice,D,C1,,2026-01-01,2026-01-26,50,USD,\n\
                payment,P1,C1,,2026-02-05,,80.00,USD,\n\
                payment,P2,C1,,2026-02-06,,50,USD,\n";
    let (l, alloc) = aging_by(
        "[allocation]\norder = [\"reference\", \"exact_amount\", \"oldest_first\"]\n",
        rows,
        "2026-02-28",
    );
    assert_eq!(
        steps_of(&l, &alloc),
        [
            ("P1".into(), "B".into(), "80".into(), "exact_amount"),
            // 50 matches two invoices (C and D): ambiguous, so oldest first.
            ("P2".into(), "A".into(), "50".into(), "oldest_first"),
        ]
    );
    let (l, alloc) = aging_by("", rows, "2026-02-28");
    assert_eq!(
        steps_of(&l, &alloc)[0],
        ("P1".into(), "A".into(), "80.00".into(), "oldest_first")
    );
}

#[test]
fn a_short_payment_within_the_tolerance_is_written_off_explicitly() {
    let rows = "invoice,F1,C1,,2026-01-01,2026-01-31,1000000,COP,\n\
                invoice,F2,C1,,2026-01-01,2026-01-31,500000,COP,\n\
                invoice,F3,C1,,2026-01-01,2026-01-31,100.00,USD,\n\
                payment,P1,C1,,2026-02-01,,999950,COP,F1\n\
                payment,P2,C1,,2026-02-01,,499850,COP,F2\n\
                payment,P3,C1,,2026-02-01,,99.96,USD,F3\n";
    let (l, alloc) = aging_by(
        "[allocation]\ntolerance = { COP = \"100\", USD = \"0.05\" }\n",
        rows,
        "2026-02-28",
    );
    assert_eq!(
        steps_of(&l, &alloc),
        [
            ("P1".into(), "F1".into(), "999950".into(), "reference"),
            ("P2".into(), "F2".into(), "499850".into(), "reference"),
            ("P3".into(), "F3".into(), "99.96".into(), "reference"),
            ("-".into(), "F1".into(), "50".into(), "tolerance"),
            ("-".into(), "F3".into(), "0.04".into(), "tolerance"),
        ]
    );
    // F2 is 150 short: beyond the tolerance of 100, it stays open.
    assert_eq!(alloc.invoice_open[1], Some(d("150")));
}

#[test]
fn a_payment_id_seen_twice_is_counted_once_per_repeat() {
    let l = ledger(
        "invoice,F1,C1,,2026-01-01,,100,USD,\npayment,P1,C1,,2026-02-01,,60,USD,F1\npayment,P1,C1,,2026-02-01,,60,USD,F1\ncredit_note,P1,C1,,2026-02-02,,5,USD,\npayment,P1,C1,,2026-07-01,,1,USD,\n",
    );
    let alloc = allocate(&l, date("2026-06-30"), &AllocationPolicy::default());
    // The credit note shares the id but is another kind; the July payment does not exist yet.
    let repeated: Vec<(usize, String)> = alloc
        .repeated_credits(&l)
        .into_iter()
        .map(|(c, first)| (c, l.describe(first)))
        .collect();
    assert_eq!(repeated, [(1, "t.csv:3".to_string())]);
}

#[test]
fn the_conservation_check_also_holds_each_document_to_account() {
    let l = ledger(
        "invoice,F1,C1,,2026-01-10,2026-02-09,100.00,USD,\ninvoice,F2,C1,,2026-01-10,2026-02-09,100.00,USD,\npayment,P1,C1,,2026-03-01,,30.00,USD,F1\npayment,P2,C1,,2026-03-01,,30.00,USD,F2\n",
    );
    let mut alloc = allocate(&l, date("2026-06-30"), &AllocationPolicy::default());
    // Swapping what two credits applied keeps every total but breaks each credit.
    alloc.credit_unapplied[0] = Some(d("10.00"));
    alloc.credit_unapplied[1] = Some(d("-10.00"));
    assert_eq!(
        cartera::allocate::check_conservation(&l, &alloc),
        Err("credit P1 (#0) of 30.00 applied 30.00 and left 10.00".into())
    );
}

#[test]
fn exact_amount_leaves_a_credit_that_names_an_invoice_to_the_other_steps() {
    // P names an invoice nobody issued: it is not an unreferenced credit, so exact_amount
    // does not match it to B; oldest first pays A, then B.
    let rows = "invoice,A,C1,,2026-01-01,2026-01-10,30,USD,\n\
                invoice,B,C1,,2026-01-01,2026-01-20,50,USD,\n\
                payment,P,C1,,2026-02-05,,50,USD,F-9999\n";
    let (l, alloc) = aging_by(
        "[allocation]\norder = [\"reference\", \"exact_amount\", \"oldest_first\"]\n",
        rows,
        "2026-02-28",
    );
    assert_eq!(
        steps_of(&l, &alloc),
        [
            ("P".into(), "A".into(), "30".into(), "oldest_first"),
            ("P".into(), "B".into(), "20".into(), "oldest_first")
        ]
    );
}

#[test]
fn a_payment_worth_more_than_15_digits_in_all_is_refused() {
    let text = "type,id,customer_id,date,amount,withholding\npayment,P1,C1,2026-05-01,999999999999999.99,1\n";
    let mut c = Collector::new(&Policy::default());
    read_source(text.as_bytes(), 0, "t.csv".into(), Role::Ledger, &mut c).unwrap();
    assert_eq!(
        c.finish().unwrap_err().to_string(),
        "t.csv:2: amount + withholding + discount is 1000000000000000.99, more than 15 digits before the decimal point\n\
         1 problem in the input; no report was written"
    );
}
