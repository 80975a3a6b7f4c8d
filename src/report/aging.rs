//! Aging results → rows model: the summary (one row per customer and currency) and the
//! detail (one row per open document), each with a total row per currency.

use super::{Cell, Column, Group, Meta, Report, RunFacts};
use crate::aging::{Aging, AgingRow, OpenDoc};
use crate::policy::Basis;

pub fn summary_report(aging: &Aging, facts: &RunFacts) -> Report {
    let mut columns = Column::customer_head();
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
                            Cell::text(r.name.as_str()),
                            Cell::text(r.currency.as_str()),
                        ],
                    )
                })
                .collect(),
            total_label: format!("Total {}", t.currency),
            total: Some(cells(
                t,
                [Cell::Empty, Cell::Empty, Cell::text(t.currency.as_str())],
            )),
        })
        .collect();
    finish("aging", columns, groups, aging, facts)
}

pub fn detail_report(aging: &Aging, facts: &RunFacts) -> Report {
    let mut columns = Column::customer_head();
    columns.extend([
        Column::text("type", "Type"),
        Column::text("id", "Document"),
        Column::text("date", "Date"),
        Column::text("due_date", "Due"),
        Column::number("days", "Days"),
        Column::text("bucket", "Bucket"),
        Column::number("open", "Open"),
    ]);
    let labels = &facts.policy.aging.buckets;
    let row = |d: &OpenDoc| {
        vec![
            Cell::Text(d.customer.0.clone()),
            Cell::text(d.name.as_str()),
            Cell::text(d.currency.as_str()),
            Cell::text(d.kind.as_str()),
            Cell::Text(d.id.0.clone()),
            Cell::Date(d.date),
            d.due.map_or(Cell::Empty, Cell::Date),
            d.days.map_or(Cell::Empty, Cell::Int),
            Cell::text(
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
            total[2] = Cell::text(t.currency.as_str());
            total[9] = Cell::Money(t.balance, t.currency.minor_units());
            Group {
                rows: {
                    let docs: Vec<&OpenDoc> = (aging.detail.iter())
                        .filter(|d| d.currency == t.currency)
                        .collect();
                    super::rows_of(&docs, |d| row(d))
                },
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
    let basis = match facts.policy.aging.basis {
        Basis::DueDate => "days past the due date",
        Basis::IssueDate => "days since the issue date",
    };
    let (mut meta, footer) = facts.describe(Some(basis), " (cartera reconcile lists them)");
    meta.insert(
        1,
        (
            "basis",
            Meta::Text(facts.policy.aging.basis.as_str().to_string()),
        ),
    );
    Report {
        name,
        columns,
        groups,
        meta,
        footer,
        empty_note: format!("Nothing is open as of {}.", aging.as_of),
    }
}
