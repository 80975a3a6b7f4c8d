//! Aging results → rows model: the summary (one row per customer and currency) and the
//! detail (one row per open document), each with a total row per currency.

use std::io::{self, Write};

use super::{Cell, Column, Field, Group, Meta, Report, RunFacts};
use crate::aging::{Aging, AgingRow, OpenDoc};
use crate::policy::{Basis, Policy};

pub fn summary_report(aging: &Aging, facts: &RunFacts) -> Report {
    let cells = |r: &AgingRow, head| summary_fields(r, head).map(Cell::from).collect();
    let groups = aging
        .totals
        .iter()
        .map(|t| Group {
            rows: in_group(aging, t).map(|r| cells(r, row_head(r))).collect(),
            total_label: format!("Total {}", t.currency),
            total: Some(cells(
                t,
                [Field::Empty, Field::Empty, Field::Text(t.currency.as_str())],
            )),
        })
        .collect();
    let columns = summary_columns(facts.policy);
    finish("aging", columns, groups, aging, facts)
}

/// The CSV of the summary report of `aging` (which holds its rows only), written from the
/// rows without a report made first.
pub fn write_summary_csv(aging: &Aging, policy: &Policy, out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<&AgingRow> = (aging.totals.iter())
        .flat_map(|t| in_group(aging, t))
        .collect();
    let row = |i: usize| summary_fields(rows[i], row_head(rows[i]));
    crate::render::csv::write_rows(&summary_columns(policy), rows.len(), row, out)
}

fn summary_columns(policy: &Policy) -> Vec<Column> {
    let mut columns = Column::customer_head();
    let buckets = policy.aging.buckets.iter();
    columns.extend(buckets.map(|b| Column::number(&b.label, &b.label)));
    columns.push(Column::number("unapplied", "Unapplied"));
    columns.push(Column::number("balance", "Balance"));
    columns
}

/// The rows of the group of total `t`: those of its currency.
fn in_group<'a>(aging: &'a Aging, t: &'a AgingRow) -> impl Iterator<Item = &'a AgingRow> {
    aging.rows.iter().filter(|r| r.currency == t.currency)
}

/// A summary row's first fields: customer id, name, currency.
fn row_head(r: &AgingRow) -> [Field<'_>; 3] {
    [
        Field::Text(&r.customer.0),
        Field::Text(&r.name),
        Field::Text(r.currency.as_str()),
    ]
}

/// The fields of a summary row (or total) after `head`: its buckets, unapplied, balance.
fn summary_fields<'a>(r: &'a AgingRow, head: [Field<'a>; 3]) -> impl Iterator<Item = Field<'a>> {
    let m = r.currency.minor_units();
    let money = move |d: &rust_decimal::Decimal| Field::Money(*d, m);
    (head.into_iter())
        .chain(r.buckets.iter().map(money))
        .chain([money(&r.unapplied), money(&r.balance)])
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
