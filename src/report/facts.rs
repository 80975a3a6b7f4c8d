//! What every report says about its run: the as-of date, the policy, what was read, and
//! the references that could not be followed (footer lines for the table, fields for JSON).

use super::{Meta, count};
use crate::allocate::{Allocation, RefIssue};
use crate::model::Ledger;
use crate::policy::Policy;

/// Facts about the run shown with every report.
pub struct RunFacts<'a> {
    pub ledger: &'a Ledger,
    pub policy: &'a Policy,
    pub alloc: &'a Allocation,
}

impl RunFacts<'_> {
    /// The metadata fields and the footer lines; `basis` words the aging basis, if any;
    /// `where_listed` says where the credits counted in the footer are listed.
    pub fn describe(
        &self,
        basis: Option<&str>,
        where_listed: &str,
    ) -> (Vec<(&'static str, Meta)>, Vec<String>) {
        let (ledger, alloc) = (self.ledger, self.alloc);
        let documents = (ledger.invoices.len() + ledger.credits.len()) as u64;
        let future = alloc.not_yet_dated();
        let mut read = format!(
            "{} read from {}",
            count(documents, "document", "documents"),
            ledger.sources.join(", ")
        );
        if future > 0 {
            read.push_str(&format!(
                "; {} dated after {} ignored",
                count(future, "document", "documents"),
                alloc.as_of
            ));
        }
        if ledger.rows.skipped > 0 {
            read.push_str(&format!(
                "; {} without data skipped",
                count(ledger.rows.skipped, "row", "rows")
            ));
        }
        if ledger.rows.rejected > 0 {
            read.push_str(&format!(
                "; {} set aside",
                count(ledger.rows.rejected, "bad row", "bad rows")
            ));
        }
        let refs = [
            RefIssue::Unknown,
            RefIssue::CustomerMismatch,
            RefIssue::CurrencyMismatch,
            RefIssue::Overpaid,
        ]
        .map(|i| alloc.count_ref_issues(i));
        let basis = basis.map_or(String::new(), |b| format!(" · {b}"));
        let mut footer = vec![
            format!(
                "As of {}{basis} · policy: {}",
                alloc.as_of, self.policy.origin
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
                "Refs not followed (the amounts went to the customer's pool of credit): {}{where_listed}",
                named.join(", ")
            ));
        }
        let repeated = alloc.repeated_credits(ledger).len() as u64;
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
            ("as_of", Meta::Text(alloc.as_of.to_string())),
            ("policy", Meta::Text(self.policy.origin.clone())),
            ("inputs", Meta::List(ledger.sources.clone())),
            ("documents_read", Meta::Count(documents)),
            ("documents_after_as_of", Meta::Count(future)),
            (
                "invoices_due_before_issue",
                Meta::Count(ledger.due_before_issue.0),
            ),
            ("rows_read", Meta::Count(ledger.rows.read)),
            ("rows_used", Meta::Count(ledger.rows.used)),
            ("rows_rejected", Meta::Count(ledger.rows.rejected)),
            ("rows_skipped", Meta::Count(ledger.rows.skipped)),
            ("refs_unknown", Meta::Count(refs[0])),
            ("refs_other_customer", Meta::Count(refs[1])),
            ("refs_other_currency", Meta::Count(refs[2])),
            ("refs_overpaid", Meta::Count(refs[3])),
            ("repeated_credit_ids", Meta::Count(repeated)),
        ];
        (meta, footer)
    }
}
