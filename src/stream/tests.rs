//! The streamed path against the exact one (`input` → `allocate` → `aging`) on generated
//! ledgers: whenever the streamed path takes a file, its rows, totals and counts are the
//! exact path's; and it takes every file written in order.

use std::fmt::Write as _;
use std::path::Path;

use chrono::NaiveDate;

use super::spill::{SPILLING, Spilling};
use super::{Job, Streamed};
use crate::aging::{OpenDoc, age_named, customer_names, sort_detail};
use crate::allocate::allocate;
use crate::input::{Role, Source, load_ledger};
use crate::policy::{Basis, Policy};
use crate::render::{Format, Width};
use crate::report::Tally;
use crate::report::reconcile::open_items_report;
use crate::risk::{RiskRow, assess};

/// splitmix64: a small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(n)
}

const CURRENCIES: [&str; 3] = ["COP", "USD", "JPY"];

fn amount(rng: &mut Rng, currency: &str, cents: u64) -> String {
    if currency == "JPY" {
        return (cents / 100).max(1).to_string();
    }
    match rng.below(4) {
        0 => (cents / 100).to_string(),
        1 => format!("{}.{}", cents / 100, (cents / 10) % 10),
        _ => format!("{}.{:02}", cents / 100, cents % 100),
    }
}

/// A ledger of `invoices` invoices (ids of several forms) and their credits over 2026:
/// references followed, partial, beyond the balance, unknown, to another customer or
/// currency; unreferenced credits, credit notes, withholding and discounts; names quoted,
/// long, empty or changing; due dates empty or before the issue date. In date order, or
/// (`shuffled`) with a tenth of the rows moved, so that credits come before their
/// invoices.
fn ledger(seed: u64, invoices: u64, shuffled: bool) -> String {
    let mut rng = Rng(seed);
    let customers = invoices / 4 + 1;
    let mut rows: Vec<(u64, String)> = Vec::new();
    let name = |rng: &mut Rng, c: u64| match rng.below(6) {
        0 => String::new(),
        1 => format!("\"Almacén \"\"Martínez\"\", Ltda. {c}\""),
        2 => format!("Comercializadora Internacional de Occidente {c}"),
        3 => format!("Tienda {}", c + rng.below(2)),
        _ => format!("Tienda {c}"),
    };
    let mut last = (0, 0, String::new());
    for i in 0..invoices {
        let mut c = rng.below(customers);
        let mut issued = rng.below(330);
        // One in five is billed with the one before: same customer, same dates.
        let batch = i > 0 && rng.chance(20);
        if batch {
            (c, issued) = (last.0, last.1);
        }
        let currency = CURRENCIES[((c + u64::from(rng.chance(10) && !batch)) % 3) as usize];
        // Ids of series (`F-`, none, numbered with zeros in front) and of none (no digits
        // at the end, or too many).
        let id = match rng.below(25) {
            0 => format!("{}.0", 70_000 + i),
            1 => format!("FA{i}X"),
            2 => format!("F-{i:06}"),
            3 => format!("{}", 10_000_000_000 + i),
            _ => format!("F-{i}"),
        };
        let reference = id.trim_end_matches(".0").to_string();
        let mut due = match rng.below(10) {
            0 => String::new(),
            1 => day(issued.saturating_sub(3)).to_string(),
            _ => day(issued + 30 * rng.below(3)).to_string(),
        };
        if batch {
            due = last.2.clone();
        }
        last = (c, issued, due.clone());
        let cents = 100 + rng.below(5_000_000);
        let shown = amount(&mut rng, currency, cents);
        let n = name(&mut rng, c);
        rows.push((
            issued,
            format!(
                "invoice,{id},9{c:08},{n},{},{due},{shown},{currency},,,",
                day(issued)
            ),
        ));
        let credits = rng.below(3);
        for k in 0..credits {
            let paid = issued + rng.below(120);
            let (mut ref_, mut cust, mut cur) = (reference.clone(), c, currency);
            match rng.below(20) {
                0 => ref_ = format!("X-{i}"),
                1 => cust = (c + 1) % customers,
                2 => {
                    cur = CURRENCIES
                        [(CURRENCIES.iter().position(|&x| x == currency).unwrap() + 1) % 3]
                }
                3 | 4 => ref_.clear(),
                _ => {}
            }
            let part = match rng.below(4) {
                0 => cents / 2,
                1 => cents + cents / 10,
                _ => cents,
            };
            let shown = amount(&mut rng, cur, part);
            let (kind, extra) = match rng.below(6) {
                0 => ("credit_note", ",".to_string()),
                1 if cur != "JPY" => ("payment", format!("{}.50,", rng.below(50))),
                2 if cur != "JPY" => ("payment", format!(",{}", rng.below(50))),
                _ => ("payment", ",".to_string()),
            };
            let n = name(&mut rng, cust);
            rows.push((
                paid,
                format!(
                    "{kind},P-{i}-{k},9{cust:08},{n},{},,{shown},{cur},{ref_},{extra}",
                    day(paid)
                ),
            ));
        }
    }
    rows.sort_by_key(|(d, _)| *d);
    if shuffled {
        for _ in 0..rows.len() / 10 {
            let (a, b) = (rng.below(rows.len() as u64), rng.below(rows.len() as u64));
            rows.swap(a as usize, b as usize);
        }
    }
    let mut text = header_line();
    for (_, row) in rows {
        writeln!(text, "{row}").unwrap();
    }
    text
}

/// The native header, as its first line.
fn header_line() -> String {
    format!("{}\n", String::from_utf8_lossy(super::row::HEADER))
}

/// The exact path's summary and counts, open items (in report order) and risk rows.
fn exact(path: &Path, policy: &Policy, as_of: NaiveDate) -> (Streamed, Vec<OpenDoc>, Vec<RiskRow>) {
    let sources = [Source {
        path: Some(path.to_path_buf()),
        role: Role::Ledger,
    }];
    let ledger = load_ledger(&sources, policy, &Default::default(), None, false).unwrap();
    let alloc = allocate(&ledger, as_of, &policy.allocation);
    let names = customer_names(&ledger, as_of);
    let mut aging = age_named(&ledger, &alloc, &policy.aging, &names);
    let risk = assess(&ledger, &alloc, &aging, policy, &Default::default(), &names);
    sort_detail(&mut aging.detail);
    let summary = Streamed {
        rows: aging.rows,
        totals: aging.totals,
        tally: Tally::of(&ledger, &alloc),
    };
    (summary, aging.detail, risk)
}

/// A streamed run of `path`, read on both cores from `parallel_from` bytes, in pieces of
/// about `piece` bytes.
fn job<'a>(
    path: &'a Path,
    policy: &'a Policy,
    as_of: NaiveDate,
    (parallel_from, piece): (u64, u64),
) -> Job<'a> {
    Job {
        path,
        name: path.to_str().unwrap(),
        policy,
        as_of,
        progress: false,
        parallel_from,
        piece,
        keep: false,
        history: false,
        spill: Spilling {
            from: u64::MAX,
            ..SPILLING
        },
    }
}

/// Every way a streamed run of `path` can go, named: in one part or two, its lists kept
/// in memory or written out (from any size, in a partition per 2 KiB of file, every 7
/// items: many partitions, some empty, and many blocks each), and then the open invoices
/// and credits of open items and risk written out by pool range too or kept.
fn jobs<'a>(path: &'a Path, policy: &'a Policy, as_of: NaiveDate) -> Vec<(String, Job<'a>)> {
    let spilled = Spilling {
        from: 0,
        partition_bytes: 2048,
        flush: 7,
        by_pool: true,
    };
    let mut all = Vec::new();
    // In one part; on both cores in pieces of a line each (the cores take them in turn,
    // in no set order), and of a few lines each.
    for read in [(u64::MAX, super::PIECE_BYTES), (1, 1), (1, 500)] {
        let job = job(path, policy, as_of, read);
        let name = format!("split from {}, pieces of {} bytes", read.0, read.1);
        all.push((name.clone(), job));
        let job = Job {
            spill: spilled,
            ..job
        };
        all.push((format!("{name}, spilled"), job));
        let by_pool = false;
        let spill = Spilling { by_pool, ..spilled };
        let job = Job { spill, ..job };
        all.push((format!("{name}, spilled, open kept"), job));
    }
    all
}

/// Both paths on `text`, the streamed one in one part and in two, under the default
/// policy and one that ages by issue date with a 90-day payment history: the aging
/// summary, the open items and the risk rows. Whether it took it.
fn compare(text: &str, as_of: NaiveDate) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.csv");
    std::fs::write(&path, text).unwrap();
    let mut other = Policy::default();
    other.aging.basis = Basis::IssueDate;
    other.risk.history_days = 90;
    let mut took = Vec::new();
    for policy in [Policy::default(), other] {
        let (want, want_items, want_risk) = exact(&path, &policy, as_of);
        for (how, job) in jobs(&path, &policy, as_of) {
            let got = job.run().unwrap();
            let items = job.open_items().unwrap();
            let risk = job.risk().unwrap();
            let taken = [got.is_some(), items.is_some(), risk.is_some()];
            assert!(taken.iter().all(|t| *t == taken[0]), "{taken:?}");
            took.push(taken[0]);
            if let (Some(got), Some((items, tally)), Some((risk, _))) = (got, items, risk) {
                assert_eq!(got.rows, want.rows, "rows, {how}");
                assert_eq!(got.totals, want.totals, "{how}");
                assert_eq!(got.tally, want.tally, "{how}");
                assert_eq!(tally, want.tally);
                let mut csv = Vec::new();
                items.write_csv(&mut csv).unwrap();
                let want_items = open_items_report(&want_items);
                let mut want_csv = Vec::new();
                crate::render::render(&want_items, Format::Csv, Width::Natural, &mut want_csv)
                    .unwrap();
                let want_len: usize = want_items.groups.iter().map(|g| g.rows.len()).sum();
                assert_eq!((items.len(), items.is_empty()), (want_len, want_len == 0));
                assert_eq!(
                    String::from_utf8(csv).unwrap(),
                    String::from_utf8(want_csv).unwrap(),
                    "open items, {how}"
                );
                assert_eq!(risk.into_sorted(), want_risk, "risk, {how}");
            }
        }
    }
    took.iter().all(|t| *t)
}

#[test]
fn a_ledger_in_date_order_is_taken_and_aged_as_the_exact_path_ages_it() {
    for seed in 0..12 {
        let text = ledger(seed, 400, false);
        for as_of in [day(200), day(400)] {
            assert!(
                compare(&text, as_of),
                "seed {seed} was left to the exact path"
            );
        }
    }
}

#[test]
fn a_ledger_with_credits_before_their_invoices_is_aged_as_the_exact_path_ages_it() {
    let mut taken = 0;
    for seed in 0..12 {
        taken += u32::from(compare(&ledger(seed, 300, true), day(250)));
    }
    assert!(taken > 0, "no shuffled ledger was taken");
}

#[test]
fn what_the_streamed_path_does_not_read_exactly_is_left_to_the_exact_path() {
    let text = ledger(7, 50, false);
    let as_of = day(400);
    let lines: Vec<&str> = text.lines().collect();
    let with = |i: usize, line: &str| {
        let mut l = lines.clone();
        l[i] = line;
        l.join("\n") + "\n"
    };
    let row = lines[5];
    let dup = lines
        .iter()
        .filter(|l| l.starts_with("invoice"))
        .nth(1)
        .unwrap();
    let cases = [
        with(5, &row.replacen(',', ",,", 1)),    // a field too many
        with(5, &row.replace("2026-", "2026/")), // another date form
        with(5, &format!("{row}\n")),            // a blank line
        with(0, &lines[0].replace("amount", "monto")), // another header
        with(5, &row.replacen("invoice", "Invoice", 1)), // another type word
        with(5, &row.replacen("payment", "Payment", 1)),
        format!("{text}{dup}\n"),        // a duplicate invoice id
        text.replace(",COP,", ",COP ,"), // a space in a currency: trimmed
        text.replace(".5,", ".500,"),    // three decimals
    ];
    for case in cases {
        // Taken or not, never another result (the exact path may also refuse the file).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.csv");
        std::fs::write(&path, &case).unwrap();
        let policy = Policy::default();
        let sources = [Source {
            path: Some(path.clone()),
            role: Role::Ledger,
        }];
        let exact_ok = load_ledger(&sources, &policy, &Default::default(), None, false).is_ok();
        for (how, job) in jobs(&path, &policy, as_of) {
            if job.run().unwrap().is_some() {
                assert!(exact_ok && compare(&case, as_of), "{how}: {case}");
            }
        }
    }
    // A BOM and Windows line ends are read.
    let crlf = format!("\u{feff}{}", text.replace('\n', "\r\n"));
    assert!(compare(&crlf, as_of));
}

#[test]
fn references_are_followed_by_date_whatever_their_order_in_the_file() {
    let header = String::from_utf8(super::row::HEADER.to_vec()).unwrap();
    // P2, dated first, pays 80; P1 then 20, and 60 goes to the pool: one overpaid.
    let text = format!(
        "{header}\npayment,P0,9,A,2026-01-01,,30,COP,F1,,\n\
         invoice,F1,9,A,2026-01-01,,100,COP,,,\n\
         payment,P1,9,A,2026-02-01,,80,COP,F1,,\n\
         payment,P2,9,A,2026-01-15,,50,COP,F1,,\n\
         invoice,F2,9,A,2026-01-01,,100,COP,,,\n"
    );
    assert!(compare(&text, day(100)));
}

#[test]
fn a_credit_with_a_due_date_in_another_form_is_left_to_the_exact_path() {
    // The exact path learns how the due_date column is written from every row, a payment's
    // too: after `25/03/2026` it cannot read the invoice's ISO date (review finding).
    let header = String::from_utf8(super::row::HEADER.to_vec()).unwrap();
    for due in ["25/03/2026", "05/03/2026"] {
        let text = format!(
            "{header}\npayment,P1,C1,A,2026-02-01,{due},5,USD,,,\n\
             invoice,F1,C1,A,2026-01-01,2026-03-01,10,USD,,,\n"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.csv");
        std::fs::write(&path, &text).unwrap();
        let got = job(&path, &Policy::default(), day(180), (u64::MAX, 1))
            .run()
            .unwrap();
        assert!(got.is_none(), "{due}");
    }
    // An ISO due date on a payment reads as the exact path reads it.
    let text = format!(
        "{header}\npayment,P1,C1,A,2026-02-01,2026-03-25,5,USD,,,\n\
         invoice,F1,C1,A,2026-01-01,2026-03-01,10,USD,,,\n"
    );
    assert!(compare(&text, day(180)));
}

#[test]
fn a_repeated_credit_or_invoice_id_is_left_to_the_exact_path_however_the_file_is_read() {
    // The exact path counts it in the footer; the streamed path does not count, it gives up.
    let mut text = header_line();
    text.push_str("invoice,F1,C1,A,2026-01-01,,100,USD,,,\n");
    // Enough of them for eight partitions when spilled.
    for i in 0..400 {
        text.push_str(&format!("invoice,G{i},C1,A,2026-01-02,,100,USD,,,\n"));
    }
    text.push_str("payment,P1,C1,A,2026-02-01,,5,USD,,,\n");
    assert!(text.len() > 7 * 2048, "{}", text.len());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.csv");
    std::fs::write(&path, &text).unwrap();
    assert!(compare(&text, day(180)));
    // The same payment again at the end: in another part when the file is read on both
    // cores.
    // So does the first invoice.
    let policy = Policy::default();
    for again in [
        "payment,P1,C1,A,2026-02-02,,5,USD,,,",
        "invoice,F1,C1,A,2026-01-03,,7,USD,,,",
    ] {
        std::fs::write(&path, format!("{text}{again}\n")).unwrap();
        for (how, job) in jobs(&path, &policy, day(180)) {
            assert!(job.run().unwrap().is_none(), "{how}: {again}");
        }
    }
}

#[test]
fn credits_of_many_series_are_not_taken_for_repeats() {
    // One receipt series per customer, each numbered from 1: 20,000 series whose names
    // differ in a few digits (a 29-bit hash of the series made some of them look alike).
    let mut text = header_line();
    for c in 0..20_000 {
        text.push_str(&format!("invoice,F{c},C{c},A,2026-01-01,,100,USD,,,\n"));
        text.push_str(&format!("payment,RC{c}-1,C{c},A,2026-02-01,,5,USD,,,\n"));
        text.push_str(&format!(
            "credit_note,NC{c}-1,C{c},A,2026-02-02,,5,USD,,,\n"
        ));
    }
    text.push_str("payment,RC26453-1,C1,A,2026-02-01,,5,USD,,,\n");
    text.push_str("payment,RC27087-1,C1,A,2026-02-01,,5,USD,,,\n");
    assert!(compare(&text, day(180)));
}

#[test]
fn line_breaks_are_found_in_order_whatever_the_length_and_where_they_fall() {
    let mut rng = Rng(11);
    for len in (0..300).chain([1 << 12, (1 << 12) + 63]) {
        for _ in 0..4 {
            let buf: Vec<u8> = (0..len)
                .map(|_| match rng.below(8) {
                    0 => b'\n',
                    1 => b'\r',
                    _ => b'a' + rng.below(26) as u8,
                })
                .collect();
            let mut found = Vec::new();
            let mut newlines = super::Newlines::new(&buf);
            while let Some(at) = newlines.next() {
                found.push(at);
            }
            let want: Vec<usize> = memchr::memchr_iter(b'\n', &buf).collect();
            assert_eq!(found, want, "{len}");
        }
    }
}
