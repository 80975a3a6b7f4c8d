//! Risk rows → rows model: one row per customer and currency, grouped by level and
//! currency with a total of the amounts of each group.

use rust_decimal::Decimal;

use std::io::{self, Write};

use super::{Cell, Column, Field, Group, Meta, Report};
use crate::policy::Policy;
use crate::risk::{Ranked, RiskRow};

const AMOUNT_COLUMNS: [(&str, &str); 12] = [
    ("balance", "Balance"),
    ("overdue", "Overdue"),
    ("overdue_share", "Overdue share"),
    ("max_days_past_due", "Max days past due"),
    ("credit_limit", "Credit limit"),
    ("credit_use", "Credit use"),
    ("available_credit", "Available credit"),
    ("avg_days_late", "Avg days late"),
    ("late_share", "Late share"),
    ("provision", "Provision"),
    ("level", "Level"),
    ("reason", "Reason"),
];

pub fn risk_report(
    rows: &[RiskRow],
    policy: &Policy,
    footer: Vec<String>,
    meta: Vec<(&'static str, Meta)>,
) -> Report {
    let columns = risk_columns();
    let level_name = |r: &RiskRow| level_name(r, policy);
    // The rows' cells made on both cores, then put in their groups.
    let made = super::rows_of(rows, |r| cells(r, level_name(r)));
    let mut groups: Vec<Group> = Vec::new();
    // The last group's label, as (level shown, currency): a label is made once per group.
    let mut last = None;
    for (r, cells) in rows.iter().zip(made) {
        let level = level_name(r);
        if last != Some((shown(level), r.currency)) {
            groups.push(Group {
                rows: Vec::new(),
                total_label: label(level, r),
                total: Some(Vec::new()),
            });
            last = Some((shown(level), r.currency));
        }
        let group = groups.last_mut().expect("pushed above");
        group.rows.push(cells);
    }
    for g in &mut groups {
        g.total = Some(total(&g.rows));
    }
    Report {
        name: "risk",
        columns,
        groups,
        meta,
        footer,
        empty_note: "No customer has a document by then.".into(),
    }
}

/// The CSV of the risk report of `rows` (which holds its rows only), written from the rows
/// in the report's order without a report made first.
pub fn write_risk_csv(rows: &Ranked, policy: &Policy, out: &mut dyn Write) -> io::Result<()> {
    let row = |i: usize| {
        let r = rows.get(i);
        fields(r, level_name(r, policy))
    };
    crate::render::csv::write_rows(&risk_columns(), rows.rows().len(), row, out)
}

/// The name of a row's level (empty for none).
fn level_name<'a>(r: &RiskRow, policy: &'a Policy) -> &'a str {
    r.level.map_or("", |l| policy.risk.levels[l].name.as_str())
}

fn risk_columns() -> Vec<Column> {
    let mut columns = vec![
        Column::text("customer_id", "Customer"),
        Column::prose("customer_name", "Name"),
        Column::text("segment", "Segment"),
        Column::text("currency", "Currency"),
    ];
    for (key, title) in AMOUNT_COLUMNS {
        columns.push(match key {
            "level" => Column::text(key, title),
            "reason" => Column::prose(key, title),
            _ => Column::number(key, title),
        });
    }
    columns
}

fn label(level: &str, r: &RiskRow) -> String {
    format!("Total {} {}", shown(level), r.currency)
}

/// A level's name as a label shows it.
fn shown(level: &str) -> &str {
    if level.is_empty() {
        "(no level)"
    } else {
        level
    }
}

fn cells(r: &RiskRow, level: &str) -> Vec<Cell> {
    fields(r, level).into_iter().map(Cell::from).collect()
}

fn fields<'a>(r: &'a RiskRow, level: &'a str) -> [Field<'a>; 16] {
    let minor = r.currency.minor_units();
    let money = |d: Decimal| Field::Money(d, minor);
    let opt = |d: Option<Decimal>, places: u32| {
        d.map_or(Field::Empty, |d| {
            Field::Money(crate::risk::round(d, places), places)
        })
    };
    [
        Field::Text(&r.customer.0),
        Field::Text(&r.name),
        Field::Text(&r.segment),
        Field::Text(r.currency.as_str()),
        money(r.balance),
        money(r.overdue),
        opt(r.overdue_share, 4),
        Field::Int(r.max_days_past_due),
        opt(r.credit_limit, minor),
        opt(r.credit_use, 4),
        opt(r.available_credit, minor),
        opt(r.avg_days_late, 2),
        opt(r.late_share, 4),
        money(r.provision),
        Field::Text(level),
        Field::Text(&r.reason),
    ]
}

/// The sums of balance, overdue and provision (limits of different customers do not add up); the
/// currency and level are repeated, other cells left empty.
fn total(rows: &[Vec<Cell>]) -> Vec<Cell> {
    let mut total = vec![Cell::Empty; 16];
    for (i, cell) in rows[0].iter().enumerate() {
        if matches!(i, 3 | 14) {
            total[i] = cell.clone();
        }
    }
    for i in [4, 5, 13] {
        let mut sum = None;
        let mut minor = 0;
        for row in rows {
            if let Cell::Money(d, m) = row[i] {
                sum = Some(sum.unwrap_or(Decimal::ZERO) + d);
                minor = m;
            }
        }
        if let Some(s) = sum {
            total[i] = Cell::Money(s, minor);
        }
    }
    total
}
