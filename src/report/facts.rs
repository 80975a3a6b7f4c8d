//! What every report says about its run: the as-of date, the policy, what was read, and
//! the references that could not be followed (footer lines for the table, fields for JSON).

use chrono::NaiveDate;

use super::{Meta, count};
use crate::allocate::{Allocation, RefIssue};
use crate::model::{Ledger, Loc, RowCounts};
use crate::policy::Policy;

/// What a run read and what its allocation could not follow, counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// The inputs' names, indexed by `Loc::source`.
    pub sources: Vec<String>,
    pub documents: u64,
    /// Documents dated after the as-of date.
    pub future: u64,
    pub rows: RowCounts,
    /// Invoices due before they were issued, and where the first was read.
    pub due_before_issue: (u64, Option<Loc>),
    /// References not followed: unknown, another customer, another currency, overpaid.
    pub refs: [u64; 4],
    /// Credits repeating the kind and id of an earlier one.
    pub repeated_credits: u64,
}

impl Tally {
    /// The counts of a ledger and its allocation.
    pub fn of(ledger: &Ledger, alloc: &Allocation) -> Tally {
        Tally {
            sources: ledger.sources.clone(),
            documents: (ledger.invoices.len() + ledger.credits.len()) as u64,
            future: alloc.not_yet_dated(),
            rows: ledger.rows,
            due_before_issue: ledger.due_before_issue,
            refs: [
                RefIssue::Unknown,
                RefIssue::CustomerMismatch,
                RefIssue::CurrencyMismatch,
                RefIssue::Overpaid,
            ]
            .map(|i| alloc.count_ref_issues(i)),
            repeated_credits: alloc.repeated_credits(ledger).len() as u64,
        }
    }

    /// `file:line` of a location, as messages print it.
    pub fn describe(&self, loc: Loc) -> String {
        let name = (self.sources.get(loc.source as usize)).map_or("<input>", |s| s.as_str());
        format!("{name}:{}", loc.line)
    }
}

/// Facts about the run shown with every report.
pub struct RunFacts<'a> {
    pub policy: &'a Policy,
    pub as_of: NaiveDate,
    pub tally: Tally,
}

impl RunFacts<'_> {
    /// The metadata fields and the footer lines; `basis` words the aging basis, if any;
    /// `where_listed` says where the credits counted in the footer are listed.
    pub fn describe(
        &self,
        basis: Option<&str>,
        where_listed: &str,
    ) -> (Vec<(&'static str, Meta)>, Vec<String>) {
        let (t, as_of) = (&self.tally, self.as_of);
        let (documents, future) = (t.documents, t.future);
        let mut read = format!(
            "{} read from {}",
            count(documents, "document", "documents"),
            t.sources.join(", ")
        );
        if future > 0 {
            read.push_str(&format!(
                "; {} dated after {as_of} ignored",
                count(future, "document", "documents"),
            ));
        }
        if t.rows.skipped > 0 {
            read.push_str(&format!(
                "; {} without data skipped",
                count(t.rows.skipped, "row", "rows")
            ));
        }
        if t.rows.rejected > 0 {
            read.push_str(&format!(
                "; {} set aside",
                count(t.rows.rejected, "bad row", "bad rows")
            ));
        }
        let refs = t.refs;
        let basis = basis.map_or(String::new(), |b| format!(" · {b}"));
        let mut footer = vec![
            format!("As of {as_of}{basis} · policy: {}", self.policy.origin),
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
                "Refs not followed (the amounts went to the customer's pool of credit): {}{where_listed}",
                named.join(", ")
            ));
        }
        let repeated = t.repeated_credits;
        if repeated > 0 {
            let what = count(
                repeated,
                "payment or credit note repeats the id",
                "payments or credit notes repeat the id",
            );
            footer.push(format!(
                "{what} of an earlier one; each was applied{where_listed}"
            ));
        }
        let meta = vec![
            ("as_of", Meta::Text(as_of.to_string())),
            ("policy", Meta::Text(self.policy.origin.clone())),
            ("inputs", Meta::List(t.sources.clone())),
            ("documents_read", Meta::Count(documents)),
            ("documents_after_as_of", Meta::Count(future)),
            (
                "invoices_due_before_issue",
                Meta::Count(t.due_before_issue.0),
            ),
            ("rows_read", Meta::Count(t.rows.read)),
            ("rows_used", Meta::Count(t.rows.used)),
            ("rows_rejected", Meta::Count(t.rows.rejected)),
            ("rows_skipped", Meta::Count(t.rows.skipped)),
            ("refs_unknown", Meta::Count(refs[0])),
            ("refs_other_customer", Meta::Count(refs[1])),
            ("refs_other_currency", Meta::Count(refs[2])),
            ("refs_overpaid", Meta::Count(refs[3])),
            ("repeated_credit_ids", Meta::Count(repeated)),
        ];
        (meta, footer)
    }
}
