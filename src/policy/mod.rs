//! The credit policy: a TOML file of defaults, aging buckets and allocation rules (later
//! issues add sections).
//!
//! `parse_policy` is pure (text → validated `Policy`, or every problem found with its line
//! and column); `load_policy` is the only function here that touches the file system.
//! Unknown keys are errors: a typo must never silently fall back to a default.

use serde::Deserialize;
use toml::Spanned;

use crate::money::Currency;

mod allocation;
mod buckets;
mod input;
mod load;
mod messages;
mod risk;
mod values;
pub use allocation::{AllocationPolicy, Step};
use allocation::{RawAllocation, validate_allocation};
use buckets::validate_buckets;
pub use input::{
    InputSettings, check_date_format, fold, fold_chars, parse_decimal_mark, parse_delimiter,
    parse_encoding,
};
use input::{RawInput, validate_input};
pub use load::{load_policy, policy_path};
use messages::{line_column, plain_toml_message};
pub use risk::{Condition, CreditPolicy, Level, RiskPolicy};
use risk::{RawCredit, RawRisk, validate_credit, validate_risk};

/// What the days of an open invoice are counted from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    DueDate,
    IssueDate,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::DueDate => "due_date",
            Basis::IssueDate => "issue_date",
        }
    }
}

/// An aging bucket: open invoices whose days fall at or below `max_days` (and above the
/// previous bucket's); the last bucket has no `max_days` and takes everything older.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub label: String,
    pub max_days: Option<i64>,
    /// Share of the bucket's open balance expected to be lost (IFRS 9 provision matrix);
    /// zero when not set.
    pub provision_rate: rust_decimal::Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgingPolicy {
    pub basis: Basis,
    /// At least one; `max_days` strictly increasing; only the last is open-ended.
    pub buckets: Vec<Bucket>,
}

impl AgingPolicy {
    /// Index of the first bucket whose `max_days` ≥ `days`, else the open-ended last one.
    pub fn bucket_for(&self, days: i64) -> usize {
        self.buckets
            .iter()
            .position(|b| b.max_days.is_none_or(|m| days <= m))
            .unwrap_or(self.buckets.len() - 1)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Where it came from: a path, or `built-in defaults`.
    pub origin: String,
    /// For rows whose currency is empty.
    pub default_currency: Currency,
    /// Whether the policy chose it (`[defaults] currency`): documents read with the
    /// built-in one are warned of.
    pub default_currency_set: bool,
    /// Days from issue to due date, for invoices whose due date is empty.
    pub terms_days: u32,
    pub aging: AgingPolicy,
    pub allocation: AllocationPolicy,
    pub risk: RiskPolicy,
    pub credit: CreditPolicy,
    pub input: InputSettings,
}

impl Default for Policy {
    fn default() -> Self {
        let bucket = |label: &str, max_days| Bucket {
            label: label.to_string(),
            max_days,
            provision_rate: rust_decimal::Decimal::ZERO,
        };
        Policy {
            origin: "built-in defaults".to_string(),
            default_currency: Currency::parse("USD").expect("USD is a valid code"),
            default_currency_set: false,
            terms_days: 30,
            aging: AgingPolicy {
                basis: Basis::DueDate,
                buckets: vec![
                    bucket("current", Some(0)),
                    bucket("1-30", Some(30)),
                    bucket("31-60", Some(60)),
                    bucket("61-90", Some(90)),
                    bucket("91-120", Some(120)),
                    bucket("120+", None),
                ],
            },
            allocation: AllocationPolicy::default(),
            risk: RiskPolicy::default(),
            credit: CreditPolicy::default(),
            input: InputSettings::default(),
        }
    }
}

/// Output column names a bucket label may not take (they would collide in CSV and JSON).
pub const RESERVED_LABELS: &[&str] = &[
    "customer_id",
    "customer_name",
    "currency",
    "unapplied",
    "balance",
    "type",
    "id",
    "date",
    "due_date",
    "days",
    "bucket",
    "open",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    defaults: Option<RawDefaults>,
    aging: Option<RawAging>,
    allocation: Option<RawAllocation>,
    risk: Option<RawRisk>,
    credit: Option<RawCredit>,
    input: Option<RawInput>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    currency: Option<Spanned<String>>,
    terms_days: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAging {
    basis: Option<Spanned<String>>,
    buckets: Option<Spanned<Vec<Spanned<RawBucket>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBucket {
    pub(crate) label: Spanned<String>,
    pub(crate) max_days: Option<Spanned<i64>>,
    pub(crate) provision_rate: Option<Spanned<String>>,
}

/// A problem in a policy file, located.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyProblem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parses and validates a policy. `origin` is kept for the report footers.
pub fn parse_policy(text: &str, origin: &str) -> Result<Policy, Vec<PolicyProblem>> {
    let at = |span: std::ops::Range<usize>, message: String| {
        let (line, column) = line_column(text, span.start);
        PolicyProblem {
            line,
            column,
            message,
        }
    };
    let raw: RawPolicy = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        vec![at(
            span.clone(),
            plain_toml_message(text, span.start, e.message()),
        )]
    })?;
    let mut policy = Policy {
        origin: origin.to_string(),
        ..Policy::default()
    };
    let mut problems = Vec::new();
    if let Some(d) = raw.defaults {
        if let Some(c) = d.currency {
            match Currency::parse(c.get_ref()) {
                Some(code) => {
                    policy.default_currency = code;
                    policy.default_currency_set = true;
                }
                None => problems.push(at(c.span(), format!(
                    "defaults.currency: \"{}\" is not a currency code (expected 3 letters such as COP or USD)",
                    crate::error::sanitize(c.get_ref())
                ))),
            }
        }
        if let Some(t) = d.terms_days {
            match u32::try_from(*t.get_ref()).ok().filter(|&t| t <= 3650) {
                Some(days) => policy.terms_days = days,
                None => problems.push(at(
                    t.span(),
                    format!(
                        "defaults.terms_days: {} is out of range (expected days from 0 to 3650)",
                        t.get_ref()
                    ),
                )),
            }
        }
    }
    if let Some(a) = raw.aging {
        if let Some(b) = a.basis {
            match b.get_ref().as_str() {
                "due_date" => policy.aging.basis = Basis::DueDate,
                "issue_date" => policy.aging.basis = Basis::IssueDate,
                other => problems.push(at(b.span(), format!(
                    "aging.basis: \"{other}\" is not a basis (expected \"due_date\" or \"issue_date\")"
                ))),
            }
        }
        if let Some(buckets) = a.buckets {
            let span = buckets.span();
            match validate_buckets(buckets.into_inner(), &at) {
                Ok(list) if list.is_empty() => problems.push(at(
                    span,
                    "aging.buckets: the list is empty (expected at least the open-ended bucket)"
                        .to_string(),
                )),
                Ok(list) => policy.aging.buckets = list,
                Err(mut p) => problems.append(&mut p),
            }
        }
    }
    if let Some(r) = raw.risk {
        policy.risk = validate_risk(r, &at, &mut problems);
    }
    if let Some(i) = raw.input {
        policy.input = validate_input(i, &at, &mut problems);
    }
    if let Some(c) = raw.credit {
        policy.credit = validate_credit(c, &at, &mut problems);
    }
    if let Some(a) = raw.allocation {
        match validate_allocation(a, &at) {
            Ok(allocation) => policy.allocation = allocation,
            Err(mut p) => problems.append(&mut p),
        }
    }
    if problems.is_empty() {
        Ok(policy)
    } else {
        Err(problems)
    }
}
