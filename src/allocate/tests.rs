//! The engine on both cores gives what it gives on one.

use super::*;
use crate::model::{Credit, CreditKind, CustomerId, DocId, Invoice, Loc};
use crate::money::Currency;
use crate::policy::AllocationPolicy;

/// A deterministic mixed ledger: several currencies, references that pay, overpay,
/// name unknown invoices or another customer's, unreferenced credits, repeated due dates.
fn ledger(invoices: usize, seed: u64) -> Ledger {
    let mut state = seed;
    let mut next = move |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    let day = |d: u64| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(d);
    let currencies = ["COP", "USD"].map(|c| Currency::parse(c).unwrap());
    let mut l = Ledger::default();
    for k in 0..invoices {
        let date = day(next(120));
        l.invoices.push(Invoice {
            id: DocId(format!("F{k}").into()),
            customer: CustomerId(format!("C{}", next(40)).into()),
            name: Default::default(),
            currency: currencies[next(2) as usize],
            date,
            due: date + chrono::Days::new(next(3) * 30),
            amount: Decimal::new(100 + next(100_000) as i64, 2),
            loc: Loc {
                source: 0,
                line: k as u64 + 2,
            },
        });
    }
    for k in 0..invoices {
        let reference = match next(5) {
            0 => None,
            1 => Some(DocId(format!("X{k}").into())),
            _ => Some(DocId(format!("F{}", next(invoices as u64)).into())),
        };
        l.credits.push(Credit {
            kind: if next(4) == 0 {
                CreditKind::CreditNote
            } else {
                CreditKind::Payment
            },
            id: DocId(format!("P{}", next(invoices as u64)).into()),
            customer: CustomerId(format!("C{}", next(40)).into()),
            name: Default::default(),
            currency: currencies[next(2) as usize],
            date: day(next(200)),
            amount: Decimal::new(100 + next(80_000) as i64, 2),
            withholding: Decimal::ZERO,
            discount: Decimal::ZERO,
            reference,
            loc: Loc {
                source: 0,
                line: (invoices + k) as u64 + 2,
            },
        });
    }
    l
}

#[test]
fn both_cores_allocate_as_one_does() {
    let exact = AllocationPolicy {
        order: vec![Step::Reference, Step::ExactAmount, Step::OldestFirst],
        ..AllocationPolicy::default()
    };
    for (seed, policy) in [(1, AllocationPolicy::default()), (2, exact)] {
        let l = ledger(3_000, seed);
        let as_of = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
        let one = allocate_in(&l, as_of, &policy, usize::MAX);
        let two = allocate_in(&l, as_of, &policy, 0);
        assert!(one.applications.len() > 1_000 && !one.ref_issues.is_empty());
        assert_eq!(one, two, "seed {seed}");
    }
}
