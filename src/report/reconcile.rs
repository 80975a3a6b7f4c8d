//! Reconciliation results → rows models: the summary, the exceptions, the allocations and
//! the open items (in the native ledger format, so `cartera aging` can read them back).

use super::{Cell, Column, Field, Group, Meta, Report, count};
use chrono::NaiveDate;

use crate::aging::OpenDoc;
use crate::model::Ledger;
use crate::model::{DocKind, Text};
use crate::reconcile::{Exception, Line, Row};

fn money(d: rust_decimal::Decimal, currency: crate::money::Currency) -> Cell {
    Cell::Money(d, currency.minor_units())
}

/// Per (customer, currency): how the invoices were settled, with a total per currency.
pub fn summary_report(
    rows: &[Row],
    totals: &[Row],
    footer: Vec<String>,
    meta: Vec<(&'static str, Meta)>,
) -> Report {
    let mut columns = Column::customer_head();
    for (key, title) in [
        ("invoiced", "Invoiced"),
        ("paid", "Paid"),
        ("withheld", "Withheld"),
        ("discounted", "Discounted"),
        ("credited", "Credited"),
        ("written_off", "Written off"),
        ("open", "Open"),
        ("unapplied", "Unapplied"),
    ] {
        columns.push(Column::number(key, title));
    }
    let cells = |r: &Row, head: [Cell; 3]| {
        let cur = r.currency.expect("summary rows have a currency");
        let mut row = head.to_vec();
        row.extend(r.amounts().into_iter().map(|a| money(a, cur)));
        row
    };
    let groups = totals
        .iter()
        .map(|t| {
            let cur = t.currency.expect("totals have a currency");
            Group {
                rows: rows
                    .iter()
                    .filter(|r| r.currency == t.currency)
                    .map(|r| {
                        cells(
                            r,
                            [
                                Cell::Text(r.customer.0.clone()),
                                Cell::text(r.name.as_str()),
                                Cell::text(cur.as_str()),
                            ],
                        )
                    })
                    .collect(),
                total_label: format!("Total {cur}"),
                total: Some(cells(
                    t,
                    [Cell::Empty, Cell::Empty, Cell::text(cur.as_str())],
                )),
            }
        })
        .collect();
    Report {
        name: "reconcile",
        columns,
        groups,
        meta,
        footer,
        empty_note: "Nothing was invoiced or paid by then.".into(),
    }
}

/// One row per exception, in input order.
pub fn exceptions_report(exceptions: &[Exception], ledger: &Ledger) -> Report {
    let columns = vec![
        Column::text("code", "Code"),
        Column::text("type", "Type"),
        Column::text("id", "Document"),
        Column::text("customer_id", "Customer"),
        Column::text("currency", "Currency"),
        Column::number("amount", "Amount"),
        Column::text("file", "File"),
        Column::number("line", "Line"),
        Column::prose("message", "Message"),
    ];
    let rows = exceptions
        .iter()
        .map(|e| {
            let mut row = vec![
                Cell::text(e.code.as_str()),
                Cell::text(e.kind.as_str()),
                Cell::text(e.id.to_string()),
                Cell::Text(e.customer.0.clone()),
                Cell::text(e.currency.as_str()),
                money(e.amount, e.currency),
            ];
            row.extend(super::where_read(ledger, e.loc));
            row.push(Cell::text(e.message.as_str()));
            row
        })
        .collect();
    let mut report = Report::single("exceptions", columns, rows, "No exceptions.");
    if !exceptions.is_empty() {
        report.footer = vec![format!(
            "{}.",
            count(exceptions.len() as u64, "exception", "exceptions")
        )];
    }
    report
}

/// One row per application: `applied` is the cash or credit-note part; the invoice was
/// settled by applied + withholding + discount. A write-off has no payment.
pub fn allocations_report(lines: &[Line]) -> Report {
    let columns = vec![
        Column::text("payment_id", "Payment"),
        Column::text("invoice_id", "Invoice"),
        Column::text("customer_id", "Customer"),
        Column::text("currency", "Currency"),
        Column::number("applied", "Applied"),
        Column::number("withholding", "Withholding"),
        Column::number("discount", "Discount"),
        Column::text("rule", "Rule"),
    ];
    let rows = lines
        .iter()
        .map(|l| {
            vec![
                Cell::text(l.payment_id.to_string()),
                Cell::text(l.invoice_id.to_string()),
                Cell::Text(l.customer.0.clone()),
                Cell::text(l.currency.as_str()),
                money(l.applied, l.currency),
                money(l.withholding, l.currency),
                money(l.discount, l.currency),
                Cell::text(l.rule.as_str()),
            ]
        })
        .collect();
    Report::single("allocations", columns, rows, "Nothing was applied.")
}

/// The open invoices (open balance as `amount`) and unapplied credits (what is left of
/// them, without a `ref`), as a native ledger.
pub fn open_items_report(open: &[OpenDoc]) -> Report {
    let rows = super::rows_of(open, |d| {
        let doc = (d.kind, d.id.0.clone(), d.date, d.due);
        open_item_row(
            doc,
            (d.customer.0.clone(), &d.name),
            d.open.abs(),
            d.currency,
        )
    });
    open_items_of(rows)
}

/// [`open_items_report`] of rows made by [`open_item_row`], in report order.
pub fn open_items_of(rows: Vec<Vec<Cell>>) -> Report {
    Report::single("open_items", open_item_columns(), rows, "Nothing is open.")
}

/// The columns of the open items: the native ledger's, without the payment-only
/// withholding and discount.
pub fn open_item_columns() -> Vec<Column> {
    crate::input::FIELDS[..9]
        .iter()
        .map(|k| {
            if *k == "amount" {
                Column::number(k, k)
            } else {
                Column::text(k, k)
            }
        })
        .collect()
}

/// The row of an open item: its document (kind, id, date, due date), customer (id, name),
/// what is open of it, and currency.
pub fn open_item_row(
    (kind, id, date, due): (DocKind, Text, NaiveDate, Option<NaiveDate>),
    (customer, name): (Text, &str),
    open: rust_decimal::Decimal,
    currency: crate::money::Currency,
) -> Vec<Cell> {
    let (date, due) = (Field::Date(date), due.map_or(Field::Empty, Field::Date));
    let fields = open_item_fields((kind, &id, date, due), (&customer, name), open, &currency);
    fields.into_iter().map(Cell::from).collect()
}

/// [`open_item_row`] borrowed, as the fields of a row rendered without cells; its dates
/// given as fields (a date, or its text as a date is written; the due date empty for a
/// credit).
pub fn open_item_fields<'a>(
    (kind, id, date, due): (DocKind, &'a str, Field<'a>, Field<'a>),
    (customer, name): (&'a str, &'a str),
    open: rust_decimal::Decimal,
    currency: &'a crate::money::Currency,
) -> [Field<'a>; 9] {
    [
        Field::Text(kind.as_str()),
        Field::Text(id),
        Field::Text(customer),
        Field::Text(name),
        date,
        due,
        Field::Money(open, currency.minor_units()),
        Field::Text(currency.as_str()),
        Field::Empty,
    ]
}
