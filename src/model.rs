//! The domain values every command works on: invoices and credits (payments and credit
//! notes), normalised from input rows, with where each came from.
//!
//! Nothing here does I/O. A `Ledger` holds documents exactly as read; nothing is filtered
//! by date here (the engine decides what exists as of a date).

use chrono::NaiveDate;
use compact_str::CompactString;
use rust_decimal::Decimal;

use crate::money::Currency;

/// Text of a document: ids, customer codes and names. Up to 24 bytes are kept inline, so
/// a typical document holds no heap allocation (millions of rows, issue 6).
pub type Text = CompactString;

/// A document number, kept as text (leading zeros matter).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocId(pub Text);

/// A customer code or tax id, kept as text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomerId(pub Text);

/// Where a row came from: the input's position on the command line and the line a text
/// editor shows. Ordering by `Loc` is input order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    pub source: u32,
    pub line: u64,
}

/// What reduces a customer's balance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CreditKind {
    Payment,
    CreditNote,
}

/// What a row of a ledger is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocKind {
    Invoice,
    Payment,
    CreditNote,
}

impl DocKind {
    /// The word of the `type` column.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Invoice => "invoice",
            DocKind::Payment => "payment",
            DocKind::CreditNote => "credit_note",
        }
    }
}

impl From<CreditKind> for DocKind {
    fn from(kind: CreditKind) -> DocKind {
        match kind {
            CreditKind::Payment => DocKind::Payment,
            CreditKind::CreditNote => DocKind::CreditNote,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invoice {
    pub id: DocId,
    pub customer: CustomerId,
    /// Display name as written on this row; may be empty.
    pub name: Text,
    pub currency: Currency,
    /// Issue date.
    pub date: NaiveDate,
    /// Due date (already resolved from the default terms when the row left it empty).
    pub due: NaiveDate,
    /// Non-negative.
    pub amount: Decimal,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credit {
    pub kind: CreditKind,
    pub id: DocId,
    pub customer: CustomerId,
    pub name: Text,
    pub currency: Currency,
    pub date: NaiveDate,
    /// Cash (or the credit note's amount); non-negative.
    pub amount: Decimal,
    /// Tax withheld at source by the customer (payments only); non-negative.
    pub withholding: Decimal,
    /// Discount taken by the customer (payments only); non-negative.
    pub discount: Decimal,
    /// The invoice this credit says it pays, if any.
    pub reference: Option<DocId>,
    pub loc: Loc,
}

impl Credit {
    /// What the credit settles: amount + withholding + discount.
    pub fn value(&self) -> Decimal {
        self.amount + self.withholding + self.discount
    }
}

/// Everything read from the inputs of one run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Display names of the inputs (`<stdin>` for `-`), indexed by `Loc::source`.
    pub sources: Vec<String>,
    pub invoices: Vec<Invoice>,
    pub credits: Vec<Credit>,
    /// What became of every row read after a header (rows read = used + rejected +
    /// skipped): used gave documents; rejected were set aside (`rejected`); skipped held no
    /// data (blank, Excel's `sep=` line, lines before the header).
    pub rows: RowCounts,
    /// Invoices due before they were issued (a data-quality warning), and the first of them.
    pub due_before_issue: (u64, Option<Loc>),
    /// Documents with no currency, read as the policy's default one (a warning: a peso
    /// export without a currency column would otherwise read as dollars unsaid), and the
    /// first of them.
    pub without_currency: (u64, Option<Loc>),
    /// The header of each input (as written), indexed by `Loc::source`.
    pub headers: Vec<Vec<String>>,
    /// The rows set aside with `--rejects`, in input order.
    pub rejected: Vec<RejectedRow>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RowCounts {
    pub read: u64,
    pub used: u64,
    pub rejected: u64,
    pub skipped: u64,
}

/// A row set aside: its fields as read, where, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectedRow {
    pub loc: Loc,
    pub fields: Vec<String>,
    /// Stable: bad_width, bad_encoding, unclosed_quote, bad_type, missing_value, bad_date,
    /// bad_amount, bad_currency, bad_id, duplicate_invoice.
    pub code: &'static str,
    pub reason: String,
}

impl Ledger {
    /// `file:line` of a location, as messages print it.
    pub fn describe(&self, loc: Loc) -> String {
        let name = self
            .sources
            .get(loc.source as usize)
            .map_or("<input>", |s| s.as_str());
        format!("{name}:{}", loc.line)
    }
}
