//! `[risk]` (levels and the payment-history window) and `[credit]` (credit limits).
//!
//! Levels are evaluated in order; a customer takes the first level any of whose conditions
//! holds; a level without conditions matches everyone and must be last. Every condition is
//! a strict "over".

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use super::PolicyProblem;
use super::values::{RawMoneyMap, decimal, money_map};
use crate::error::sanitize;
use crate::model::CustomerId;
use crate::money::Currency;

/// One condition of a level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// Days past due of the oldest open invoice.
    MaxDaysPastDueOver(i64),
    /// Overdue balance / balance (a share).
    OverdueShareOver(Decimal),
    /// Overdue amount, per currency.
    OverdueOver(BTreeMap<Currency, Decimal>),
    /// Balance / credit limit.
    CreditUseOver(Decimal),
    /// Average days late of settled invoices, weighted by amount.
    AvgDaysLateOver(i64),
    /// Share of settled invoices paid late.
    LateShareOver(Decimal),
    /// Balance, per currency.
    BalanceOver(BTreeMap<Currency, Decimal>),
}

impl Condition {
    /// The key as written in the policy.
    pub fn key(&self) -> &'static str {
        match self {
            Condition::MaxDaysPastDueOver(_) => "max_days_past_due",
            Condition::OverdueShareOver(_) => "overdue_share",
            Condition::OverdueOver(_) => "overdue",
            Condition::CreditUseOver(_) => "credit_use",
            Condition::AvgDaysLateOver(_) => "avg_days_late",
            Condition::LateShareOver(_) => "late_share",
            Condition::BalanceOver(_) => "balance",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Level {
    pub name: String,
    /// Any one holding places the customer here; none at all matches everyone.
    pub conditions: Vec<Condition>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiskPolicy {
    /// How far back the payment history looks, in days before the as-of date.
    pub history_days: u32,
    pub levels: Vec<Level>,
}

impl Default for RiskPolicy {
    /// No levels: every customer's metrics are reported, none is graded.
    fn default() -> Self {
        RiskPolicy {
            history_days: 365,
            levels: Vec::new(),
        }
    }
}

/// Credit limits: per customer and currency, else the default of the currency.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreditPolicy {
    pub default_limit: BTreeMap<Currency, Decimal>,
    pub limits: BTreeMap<CustomerId, BTreeMap<Currency, Decimal>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRisk {
    history_days: Option<Spanned<i64>>,
    levels: Option<Vec<Spanned<RawLevel>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    name: Spanned<String>,
    max_days_past_due_over: Option<Spanned<i64>>,
    overdue_share_over: Option<Spanned<String>>,
    overdue_over: Option<RawMoneyMap>,
    credit_use_over: Option<Spanned<String>>,
    avg_days_late_over: Option<Spanned<i64>>,
    late_share_over: Option<Spanned<String>>,
    balance_over: Option<RawMoneyMap>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCredit {
    default_limit: Option<RawMoneyMap>,
    limits: Option<BTreeMap<String, RawMoneyMap>>,
}

type At<'a> = &'a dyn Fn(Range<usize>, String) -> PolicyProblem;

pub(super) fn validate_risk(raw: RawRisk, at: At, problems: &mut Vec<PolicyProblem>) -> RiskPolicy {
    let mut policy = RiskPolicy::default();
    if let Some(days) = raw.history_days {
        match u32::try_from(*days.get_ref())
            .ok()
            .filter(|d| (1..=36500).contains(d))
        {
            Some(d) => policy.history_days = d,
            None => problems.push(at(
                days.span(),
                format!(
                    "risk.history_days: {} is out of range (expected days from 1 to 36500)",
                    days.get_ref()
                ),
            )),
        }
    }
    let mut names = HashSet::new();
    let mut catch_all: Option<(usize, String)> = None;
    for (i, spanned) in raw.levels.unwrap_or_default().into_iter().enumerate() {
        let span = spanned.span();
        let raw = spanned.into_inner();
        let key = format!("risk.levels[{i}]");
        let name = raw.name.get_ref().trim().to_string();
        if name.is_empty() || sanitize(&name) != name || crate::render::starts_like_formula(&name) {
            problems.push(at(
                raw.name.span(),
                format!(
                    "{key}.name: a level needs a printable name that does not start like a formula"
                ),
            ));
        } else if !names.insert(name.to_lowercase()) {
            problems.push(at(
                raw.name.span(),
                format!("{key}.name: \"{name}\" names another level too"),
            ));
        }
        if let Some((j, other)) = &catch_all {
            problems.push(at(span.clone(), format!("{key}: comes after risk.levels[{j}] \"{other}\", which has no conditions and so matches everyone; it must be last")));
        }
        let declared = raw.max_days_past_due_over.is_some()
            || raw.overdue_share_over.is_some()
            || raw.overdue_over.is_some()
            || raw.credit_use_over.is_some()
            || raw.avg_days_late_over.is_some()
            || raw.late_share_over.is_some()
            || raw.balance_over.is_some();
        let conditions = conditions(&key, raw, at, problems);
        if !declared && catch_all.is_none() {
            catch_all = Some((i, name.clone()));
        }
        policy.levels.push(Level { name, conditions });
    }
    policy
}

fn conditions(
    key: &str,
    raw: RawLevel,
    at: At,
    problems: &mut Vec<PolicyProblem>,
) -> Vec<Condition> {
    let one = Some(Decimal::ONE);
    let mut out = Vec::new();
    let days = |name: &str, raw: Spanned<i64>, problems: &mut Vec<PolicyProblem>| {
        let d = *raw.get_ref();
        if d < 0 {
            problems.push(at(
                raw.span(),
                format!(
                    "{key}.{name}: {d} is negative (days past due and days late are 0 or more)"
                ),
            ));
        }
        d
    };
    if let Some(raw) = raw.max_days_past_due_over {
        out.push(Condition::MaxDaysPastDueOver(days(
            "max_days_past_due_over",
            raw,
            problems,
        )));
    }
    if let Some(v) = raw
        .overdue_share_over
        .and_then(|r| decimal(&format!("{key}.overdue_share_over"), &r, one, at, problems))
    {
        out.push(Condition::OverdueShareOver(v));
    }
    if let Some(m) = raw.overdue_over {
        out.push(Condition::OverdueOver(money_map(
            &format!("{key}.overdue_over"),
            m,
            at,
            problems,
        )));
    }
    if let Some(v) = raw
        .credit_use_over
        .and_then(|r| decimal(&format!("{key}.credit_use_over"), &r, None, at, problems))
    {
        out.push(Condition::CreditUseOver(v));
    }
    if let Some(raw) = raw.avg_days_late_over {
        out.push(Condition::AvgDaysLateOver(days(
            "avg_days_late_over",
            raw,
            problems,
        )));
    }
    if let Some(v) = raw
        .late_share_over
        .and_then(|r| decimal(&format!("{key}.late_share_over"), &r, one, at, problems))
    {
        out.push(Condition::LateShareOver(v));
    }
    if let Some(m) = raw.balance_over {
        out.push(Condition::BalanceOver(money_map(
            &format!("{key}.balance_over"),
            m,
            at,
            problems,
        )));
    }
    out
}

pub(super) fn validate_credit(
    raw: RawCredit,
    at: At,
    problems: &mut Vec<PolicyProblem>,
) -> CreditPolicy {
    let mut policy = CreditPolicy::default();
    if let Some(m) = raw.default_limit {
        policy.default_limit = money_map("credit.default_limit", m, at, problems);
    }
    for (customer, m) in raw.limits.unwrap_or_default() {
        let limits = money_map(
            &format!("credit.limits.{}", sanitize(&customer)),
            m,
            at,
            problems,
        );
        policy
            .limits
            .insert(CustomerId(customer.trim().into()), limits);
    }
    policy
}
