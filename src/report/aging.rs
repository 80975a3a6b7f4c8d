//! Aging results → rows model: the summary (one row per customer and currency) and the
//! detail (one row per open document), each with a total row per currency.

use super::{Cell, Column, Group, Meta, Report, count};
use crate::aging::{Aging, AgingRow, OpenDoc};
use crate::allocate::{Allocation, RefIssue};
use crate::model::Ledger;
use crate::policy::{Basis, Policy};

/// Facts about the run shown with every aging report.
pub struct RunFacts<'a> {
    pub ledger: &'a Ledger,
    pub policy: &'a Policy,
    pub alloc: &'a Allocation,
}

pub fn summary_report(aging: &Aging, facts: &RunFacts) -> Report {
    let mut columns = vec![
        Column::text("customer_id", "Customer"),
        Column::prose("customer_name", "Name"),
        Column::text("currency", "Currency"),
    ];
    columns.extend(
        facts
            .policy
            .aging
            .buckets
            .iter()
            .map(|b| Column::number(&b.label, &b.label)),
    );
    columns.push(Column::number("unapplied", "Unapplied"));
    columns.push(Column::number("balance", "Balance"));
    let cells = |r: &AgingRow, head: [Cell; 3]| {
        let m = r.currency.minor_units();
        let mut row = head.to_vec();
        row.extend(r.buckets.iter().map(|b| Cell::Money(*b, m)));
        row.push(Cell::Money(r.unapplied, m));
        row.push(Cell::Money(r.balance, m));
        row
    };
    let groups = aging
        .totals
        .iter()
        .map(|t| Group {
            rows: aging
                .rows
                .iter()
                .filter(|r| r.currency == t.currency)
                .map(|r| {
                    cells(
                        r,
                        [
                            Cell::Text(r.customer.0.clone()),
                            Cell::Text(r.name.clone()),
                            Cell::Text(r.currency.to_string()),
                        ],
                    )
                })
                .collect(),
            total_label: format!("Total {}", t.currency),
            total: Some(cells(
                t,
                [Cell::Empty, Cell::Empty, Cell::Text(t.currency.to_string())],
            )),
        })
        .collect();
    finish("aging", columns, groups, aging, facts)
}

pub fn detail_report(aging: &Aging, facts: &RunFacts) -> Report {
    let columns = vec![
        Column::text("customer_id", "Customer"),
        Column::prose("customer_name", "Name"),
        Column::text("currency", "Currency"),
        Column::text("type", "Type"),
        Column::text("id", "Document"),
        Column::text("date", "Date"),
        Column::text("due_date", "Due"),
        Column::number("days", "Days"),
        Column::text("bucket", "Bucket"),
        Column::number("open", "Open"),
    ];
    let labels = &facts.policy.aging.buckets;
    let row = |d: &OpenDoc| {
        vec![
            Cell::Text(d.customer.0.clone()),
            Cell::Text(d.name.clone()),
            Cell::Text(d.currency.to_string()),
            Cell::Text(d.kind.as_str().to_string()),
            Cell::Text(d.id.0.clone()),
            Cell::Date(d.date),
            d.due.map_or(Cell::Empty, Cell::Date),
            d.days.map_or(Cell::Empty, Cell::Int),
            Cell::Text(
                d.bucket
                    .map_or("unapplied".to_string(), |b| labels[b].label.clone()),
            ),
            Cell::Money(d.open, d.currency.minor_units()),
        ]
    };
    let groups = aging
        .totals
        .iter()
        .map(|t| {
            let mut total = vec![Cell::Empty; 10];
            total[2] = Cell::Text(t.currency.to_string());
            total[9] = Cell::Money(t.balance, t.currency.minor_units());
            Group {
                rows: aging
                    .detail
                    .iter()
                    .filter(|d| d.currency == t.currency)
                    .map(row)
                    .collect(),
                total_label: format!("Total {}", t.currency),
                total: Some(total),
            }
        })
        .collect();
    finish("aging_detail", columns, groups, aging, facts)
}

fn finish(
    name: &'static str,
    columns: Vec<Column>,
    groups: Vec<Group>,
    aging: &Aging,
    facts: &RunFacts,
) -> Report {
    let (ledger, alloc) = (facts.ledger, facts.alloc);
    let documents = (ledger.invoices.len() + ledger.credits.len()) as u64;
    let future = alloc.not_yet_dated();
    let basis = match facts.policy.aging.basis {
        Basis::DueDate => "days past the due date",
        Basis::IssueDate => "days since the issue date",
    };
    let mut read = format!(
        "{} read from {}",
        count(documents, "document", "documents"),
        ledger.sources.join(", ")
    );
    if future > 0 {
        read.push_str(&format!(
            "; {} dated after {} ignored",
            count(future, "document", "documents"),
            aging.as_of
        ));
    }
    if ledger.blank_rows > 0 {
        read.push_str(&format!(
            "; {} skipped",
            count(ledger.blank_rows, "blank row", "blank rows")
        ));
    }
    let refs = [
        RefIssue::Unknown,
        RefIssue::CustomerMismatch,
        RefIssue::CurrencyMismatch,
        RefIssue::Overpaid,
    ]
    .map(|i| alloc.count_ref_issues(i));
    let mut footer = vec![
        format!(
            "As of {} · {basis} · policy: {}",
            aging.as_of, facts.policy.origin
        ),
        read,
    ];
    if refs.iter().any(|&n| n > 0) {
        let parts = [
            count(refs[0], "unknown invoice", "unknown invoices"),
            count(
                refs[1],
                "invoice of another customer",
                "invoices of other customers",
            ),
            count(
                refs[2],
                "invoice in another currency",
                "invoices in another currency",
            ),
            count(
                refs[3],
                "credit beyond its invoice's balance",
                "credits beyond their invoice's balance",
            ),
        ];
        let named: Vec<String> = parts
            .into_iter()
            .zip(refs)
            .filter(|(_, n)| *n > 0)
            .map(|(p, _)| p)
            .collect();
        footer.push(format!(
            "Refs not followed (the amounts went to the customer's pool of credit): {}",
            named.join(", ")
        ));
    }
    Report {
        name,
        columns,
        groups,
        meta: vec![
            ("as_of", Meta::Text(aging.as_of.to_string())),
            (
                "basis",
                Meta::Text(facts.policy.aging.basis.as_str().to_string()),
            ),
            ("policy", Meta::Text(facts.policy.origin.clone())),
            ("inputs", Meta::List(ledger.sources.clone())),
            ("documents_read", Meta::Count(documents)),
            ("documents_after_as_of", Meta::Count(future)),
            ("blank_rows_skipped", Meta::Count(ledger.blank_rows)),
            ("refs_unknown", Meta::Count(refs[0])),
            ("refs_other_customer", Meta::Count(refs[1])),
            ("refs_other_currency", Meta::Count(refs[2])),
            ("refs_overpaid", Meta::Count(refs[3])),
        ],
        footer,
        empty_note: format!("Nothing is open as of {}.", aging.as_of),
    }
}
