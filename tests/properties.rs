//! Money invariants over generated ledgers: nothing lost, nothing invented, and the order
//! of the input rows does not matter.

use std::collections::BTreeMap;

use cartera::aging::{Aging, age, sort_detail};
use cartera::allocate::{Rule, allocate, check_conservation};
use cartera::input::{Collector, Role, read_source};
use cartera::model::{Credit, CreditKind, CustomerId, DocId, DocKind, Invoice, Ledger, Loc};
use cartera::money::Currency;
use cartera::policy::Policy;
use cartera::policy::{AllocationPolicy, Step};
use cartera::reconcile;
use cartera::render::{Format, Width, render};
use cartera::report::reconcile::open_items_report;
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + Days::new(n)
}

fn currency(i: u8) -> Currency {
    Currency::parse(["USD", "COP", "EUR"][i as usize]).unwrap()
}

#[derive(Clone, Debug)]
struct Inv(u8, u8, u64, u64, i64); // customer, currency, issue day, terms, cents
#[derive(Clone, Debug)]
struct Cre(bool, u8, u8, u64, i64, Option<u8>); // credit note?, customer, currency, day, cents, ref

fn invoices() -> impl Strategy<Value = Vec<Inv>> {
    prop::collection::vec(
        (0u8..4, 0u8..2, 0u64..400, 0u64..90, 0i64..5_000_000)
            .prop_map(|(a, b, c, d, e)| Inv(a, b, c, d, e)),
        0..40,
    )
}

fn credits() -> impl Strategy<Value = Vec<Cre>> {
    let r = prop::option::of(0u8..50); // ids ≥ the number of invoices are unknown refs
    prop::collection::vec(
        (any::<bool>(), 0u8..5, 0u8..3, 0u64..450, 0i64..5_000_000, r)
            .prop_map(|(a, b, c, d, e, f)| Cre(a, b, c, d, e, f)),
        0..40,
    )
}

/// A ledger whose rows, in the given order, sit on consecutive lines.
fn build(invs: &[(usize, Inv)], cres: &[(usize, Cre)], order: &[usize]) -> Ledger {
    let line_of = |k: usize| Loc {
        source: 0,
        line: 2 + order.iter().position(|&o| o == k).unwrap() as u64,
    };
    let mut l = Ledger {
        sources: vec!["gen.csv".into()],
        ..Ledger::default()
    };
    for (k, Inv(c, cur, issue, terms, cents)) in invs {
        l.invoices.push(Invoice {
            id: DocId(format!("F{k}").into()),
            customer: CustomerId(format!("C{c}").into()),
            name: Default::default(),
            currency: currency(*cur),
            date: day(*issue),
            due: day(issue + terms),
            amount: Decimal::new(*cents, (*cents % 3) as u32), // 0, 1 or 2 decimals
            loc: line_of(*k),
        });
    }
    for (k, Cre(note, c, cur, d, cents, r)) in cres {
        l.credits.push(Credit {
            kind: if *note {
                CreditKind::CreditNote
            } else {
                CreditKind::Payment
            },
            id: DocId(format!("P{k}").into()),
            customer: CustomerId(format!("C{c}").into()),
            name: Default::default(),
            currency: currency(*cur),
            date: day(*d),
            amount: Decimal::new(*cents, (*cents % 3) as u32), // 0, 1 or 2 decimals
            // Some payments settle part of the invoice by withholding and discount.
            withholding: Decimal::new(
                if !*note && cents % 5 == 0 {
                    cents / 25
                } else {
                    0
                },
                2,
            ),
            discount: Decimal::new(
                if !*note && cents % 7 == 0 {
                    cents / 50
                } else {
                    0
                },
                2,
            ),
            reference: r.map(|r| DocId(format!("F{r}").into())),
            loc: line_of(*k),
        });
    }
    l
}

/// Gives every row a number: its position in the forward order.
type Numbered = (Vec<(usize, Inv)>, Vec<(usize, Cre)>);
fn numbered(invs: Vec<Inv>, cres: Vec<Cre>) -> Numbered {
    let n = invs.len();
    let cres = cres
        .into_iter()
        .enumerate()
        .map(|(i, c)| (n + i, c))
        .collect();
    (invs.into_iter().enumerate().collect(), cres)
}

/// What an aging says that must not depend on row order: the summary and the open
/// invoices. (Which of two same-day credits stays unapplied follows input order, by
/// contract, so unapplied credits are compared per customer.)
fn order_free(a: &Aging) -> (Vec<String>, Vec<String>) {
    let mut detail = a.detail.clone();
    sort_detail(&mut detail);
    let rows = a
        .rows
        .iter()
        .chain(&a.totals)
        .map(|r| format!("{r:?}"))
        .collect();
    let invoices = detail
        .iter()
        .filter(|d| d.kind == DocKind::Invoice)
        .map(|d| format!("{d:?}"))
        .collect();
    (rows, invoices)
}

/// Every valid order of steps, with or without a tolerance in USD.
fn allocation_policy() -> impl Strategy<Value = AllocationPolicy> {
    let orders = vec![
        vec![Step::Reference, Step::OldestFirst],
        vec![Step::Reference, Step::ExactAmount, Step::OldestFirst],
        vec![Step::ExactAmount, Step::OldestFirst],
        vec![Step::Reference, Step::ExactAmount],
        vec![Step::Reference],
        vec![],
    ];
    (prop::sample::select(orders), prop::option::of(0i64..5000)).prop_map(|(order, tol)| {
        AllocationPolicy {
            order,
            tolerance: tol
                .map(|t| (currency(0), Decimal::new(t, 2)))
                .into_iter()
                .collect(),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn money_in_equals_money_out(invs in invoices(), cres in credits(), as_of in 0u64..500, rules in allocation_policy()) {
        let (invs, cres) = numbered(invs, cres);
        let order: Vec<usize> = (0..invs.len() + cres.len()).collect();
        let l = build(&invs, &cres, &order);
        let alloc = allocate(&l, day(as_of), &rules);
        prop_assert_eq!(check_conservation(&l, &alloc), Ok(()));
        let mut applied_to = vec![Decimal::ZERO; l.invoices.len()];
        let mut applied_from = vec![Decimal::ZERO; l.credits.len()];
        for a in &alloc.applications {
            prop_assert!(a.amount > Decimal::ZERO);
            applied_to[a.invoice] += a.amount;
            let Some(c) = a.credit else {
                // A write-off: only within the tolerance of the invoice's currency.
                prop_assert_eq!(a.rule, Rule::Tolerance);
                prop_assert!(a.amount <= rules.tolerance[&l.invoices[a.invoice].currency]);
                continue;
            };
            prop_assert_eq!(l.invoices[a.invoice].customer.clone(), l.credits[c].customer.clone());
            prop_assert_eq!(l.invoices[a.invoice].currency, l.credits[c].currency);
            applied_from[c] += a.amount;
        }
        for (i, inv) in l.invoices.iter().enumerate() {
            match alloc.invoice_open[i] {
                None => prop_assert!(inv.date > day(as_of) && applied_to[i].is_zero()),
                Some(open) => {
                    prop_assert!(open >= Decimal::ZERO && open <= inv.amount);
                    prop_assert_eq!(inv.amount, applied_to[i] + open);
                }
            }
        }
        for (c, credit) in l.credits.iter().enumerate() {
            match alloc.credit_unapplied[c] {
                None => prop_assert!(credit.date > day(as_of) && applied_from[c].is_zero()),
                Some(left) => {
                    prop_assert!(left >= Decimal::ZERO);
                    prop_assert_eq!(credit.value(), applied_from[c] + left);
                }
            }
        }
    }

    #[test]
    fn buckets_tie_to_the_balance(invs in invoices(), cres in credits(), as_of in 0u64..500) {
        let (invs, cres) = numbered(invs, cres);
        let order: Vec<usize> = (0..invs.len() + cres.len()).collect();
        let l = build(&invs, &cres, &order);
        let alloc = allocate(&l, day(as_of), &AllocationPolicy::default());
        let a = age(&l, &alloc, &Policy::default().aging);
        let mut per_currency: BTreeMap<Currency, (Decimal, Decimal)> = BTreeMap::new();
        for r in &a.rows {
            prop_assert_eq!(r.buckets.iter().sum::<Decimal>() - r.unapplied, r.balance);
            let s = per_currency.entry(r.currency).or_default();
            s.0 += r.balance;
            s.1 += r.unapplied;
        }
        for t in &a.totals {
            prop_assert_eq!(t.buckets.iter().sum::<Decimal>() - t.unapplied, t.balance);
            prop_assert_eq!((t.balance, t.unapplied), per_currency[&t.currency]);
        }
        // Independently of the engine: per (customer, currency), balance = invoiced − credited
        // by the as-of date (every credit either pays its own customer's invoices or stays
        // as that customer's unapplied credit).
        let mut expected: BTreeMap<(String, Currency), Decimal> = BTreeMap::new();
        for i in l.invoices.iter().filter(|i| i.date <= day(as_of)) {
            *expected.entry((i.customer.0.to_string(), i.currency)).or_default() += i.amount;
        }
        for c in l.credits.iter().filter(|c| c.date <= day(as_of)) {
            *expected.entry((c.customer.0.to_string(), c.currency)).or_default() -= c.value();
        }
        for ((customer, currency), want) in &expected {
            let got = a.rows.iter().find(|r| r.customer.0 == *customer && r.currency == *currency).map_or(Decimal::ZERO, |r| r.balance);
            prop_assert_eq!(got, *want, "{} {}", customer, currency);
        }
        // The detail sums to the summary, and invoices − applied credits = open balances.
        for t in &a.totals {
            let detail: Decimal = a.detail.iter().filter(|d| d.currency == t.currency).map(|d| d.open).sum();
            prop_assert_eq!(detail, t.balance);
            let issued: Decimal = l.invoices.iter().filter(|i| i.currency == t.currency && i.date <= day(as_of)).map(|i| i.amount).sum();
            let applied: Decimal = alloc.applications.iter().filter(|x| l.invoices[x.invoice].currency == t.currency).map(|x| x.amount).sum();
            prop_assert_eq!(issued - applied, t.buckets.iter().sum::<Decimal>());
        }
    }

    #[test]
    fn shuffled_rows_give_the_same_report(invs in invoices(), cres in credits(), as_of in 0u64..500, seed in any::<u64>()) {
        let (invs, cres) = numbered(invs, cres);
        let n = invs.len() + cres.len();
        let forward: Vec<usize> = (0..n).collect();
        let mut shuffled = forward.clone();
        let mut state = seed | 1;
        for i in (1..n).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let policy = Policy::default();
        let run = |order: &[usize]| {
            // The rows also arrive in the shuffled order, not only with shuffled line numbers.
            let mut ivs: Vec<(usize, Inv)> = invs.clone();
            let mut crs: Vec<(usize, Cre)> = cres.clone();
            ivs.sort_by_key(|(k, _)| order.iter().position(|o| o == k));
            crs.sort_by_key(|(k, _)| order.iter().position(|o| o == k));
            let l = build(&ivs, &crs, order);
            age(&l, &allocate(&l, day(as_of), &AllocationPolicy::default()), &policy.aging)
        };
        prop_assert_eq!(order_free(&run(&forward)), order_free(&run(&shuffled)));
    }
}

/// The open items of a ledger, written as reconcile writes them and read back.
fn open_items_read_back(l: &Ledger, as_of: u64, policy: &Policy) -> Ledger {
    let alloc = allocate(l, day(as_of), &policy.allocation);
    let mut open = age(l, &alloc, &policy.aging).detail;
    sort_detail(&mut open);
    let report = open_items_report(&open);
    let mut csv = Vec::new();
    render(&report, Format::Csv, Width::Natural, &mut csv).unwrap();
    let mut c = Collector::new(policy);
    read_source(csv.as_slice(), 0, "open.csv".into(), Role::Ledger, &mut c).unwrap();
    c.finish().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn reconcile_summary_ties_and_every_credit_is_accounted_for(invs in invoices(), cres in credits(), as_of in 0u64..500, rules in allocation_policy()) {
        let (invs, cres) = numbered(invs, cres);
        let order: Vec<usize> = (0..invs.len() + cres.len()).collect();
        let l = build(&invs, &cres, &order);
        let alloc = allocate(&l, day(as_of), &rules);
        let lines = reconcile::lines(&l, &alloc);
        let (rows, totals) = reconcile::summary(&l, &alloc, &lines);
        prop_assert_eq!(reconcile::check_summary(&rows), Ok(()));
        prop_assert_eq!(reconcile::check_summary(&totals), Ok(()));
        let mut from_credit = vec![Decimal::ZERO; l.credits.len()];
        for (line, a) in lines.iter().zip(&alloc.applications) {
            prop_assert_eq!(line.applied + line.withholding + line.discount, a.amount);
            prop_assert!(line.applied >= Decimal::ZERO && line.withholding >= Decimal::ZERO && line.discount >= Decimal::ZERO);
            if let Some(c) = a.credit {
                from_credit[c] += a.amount;
                prop_assert!(line.withholding <= l.credits[c].withholding && line.discount <= l.credits[c].discount);
            }
        }
        for (c, credit) in l.credits.iter().enumerate() {
            if let Some(left) = alloc.credit_unapplied[c] {
                prop_assert_eq!(credit.value(), from_credit[c] + left);
            }
        }
    }

    #[test]
    fn aging_of_the_open_items_is_the_aging_of_the_ledger(invs in invoices(), cres in credits(), as_of in 0u64..500, rules in allocation_policy()) {
        prop_assume!(rules.order.contains(&Step::OldestFirst));
        let (invs, cres) = numbered(invs, cres);
        let order: Vec<usize> = (0..invs.len() + cres.len()).collect();
        let l = build(&invs, &cres, &order);
        let policy = Policy { allocation: rules, ..Policy::default() };
        let aging_of = |l: &Ledger| age(l, &allocate(l, day(as_of), &policy.allocation), &policy.aging);
        let (direct, piped) = (aging_of(&l), aging_of(&open_items_read_back(&l, as_of, &policy)));
        prop_assert_eq!(&direct.rows, &piped.rows);
        prop_assert_eq!(&direct.totals, &piped.totals);
        let sorted = |a: &Aging| { let mut d = a.detail.clone(); sort_detail(&mut d); d };
        prop_assert_eq!(sorted(&direct), sorted(&piped));
    }
}
