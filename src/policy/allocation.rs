//! `[allocation]`: the order of the allocation steps and the per-currency tolerance under
//! which an invoice left open after its referenced payments is written off.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use super::PolicyProblem;
use super::values::{RawMoneyMap, money_map};
use crate::money::Currency;

/// One step of the allocation engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// A credit pays the invoice its `ref` names.
    Reference,
    /// An unapplied credit equal to exactly one open invoice of its customer pays it.
    ExactAmount,
    /// The customer's pool of credit pays its open invoices oldest first.
    OldestFirst,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Reference => "reference",
            Step::ExactAmount => "exact_amount",
            Step::OldestFirst => "oldest_first",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocationPolicy {
    /// No step twice; `Reference`, when present, first.
    pub order: Vec<Step>,
    /// Per currency: the most an invoice may stay open after its referenced credits and
    /// still be written off (closed by an explicit write-off).
    pub tolerance: BTreeMap<Currency, Decimal>,
}

impl Default for AllocationPolicy {
    fn default() -> Self {
        AllocationPolicy {
            order: vec![Step::Reference, Step::OldestFirst],
            tolerance: BTreeMap::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAllocation {
    order: Option<Spanned<Vec<Spanned<String>>>>,
    tolerance: Option<Spanned<RawMoneyMap>>,
}

pub(super) fn validate_allocation(
    raw: RawAllocation,
    at: &impl Fn(Range<usize>, String) -> PolicyProblem,
) -> Result<AllocationPolicy, Vec<PolicyProblem>> {
    let mut problems = Vec::new();
    let mut policy = AllocationPolicy::default();
    if let Some(order) = raw.order {
        if order.get_ref().is_empty() {
            let message = "allocation.order: the list is empty, so nothing would ever be applied (the default is [\"reference\", \"oldest_first\"])";
            problems.push(at(order.span(), message.to_string()));
        }
        let order = order.into_inner();
        let mut seen = HashSet::new();
        policy.order.clear();
        for (i, name) in order.iter().enumerate() {
            let step = [Step::Reference, Step::ExactAmount, Step::OldestFirst]
                .into_iter()
                .find(|s| s.as_str() == name.get_ref());
            let key = format!("allocation.order[{i}]");
            match step {
                None => problems.push(at(name.span(), format!("{key}: \"{}\" is not a step (expected \"reference\", \"exact_amount\" or \"oldest_first\")", crate::error::sanitize(name.get_ref())))),
                Some(s) if !seen.insert(s) => problems.push(at(name.span(), format!("{key}: \"{}\" is listed twice", s.as_str()))),
                Some(Step::Reference) if i > 0 => problems.push(at(name.span(), format!("{key}: \"reference\" must come first (references are followed before any pool is applied)"))),
                Some(s) => policy.order.push(s),
            }
        }
    }
    if let Some(tolerance) = raw.tolerance {
        if policy.order.first() != Some(&Step::Reference) {
            let message = "allocation.tolerance: a write-off follows the referenced payments, so allocation.order must start with \"reference\"";
            problems.push(at(tolerance.span(), message.to_string()));
        }
        policy.tolerance = money_map(
            "allocation.tolerance",
            tolerance.into_inner(),
            at,
            &mut problems,
        );
    }
    if problems.is_empty() {
        Ok(policy)
    } else {
        Err(problems)
    }
}
