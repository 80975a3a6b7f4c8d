//! Values the policy writes as strings so that TOML never turns them into floats: amounts
//! per currency (`{ COP = "100", USD = "0.05" }`) and shares (`"0.50"`).

use std::collections::BTreeMap;
use std::ops::Range;

use rust_decimal::Decimal;
use toml::Spanned;

use super::PolicyProblem;
use crate::error::sanitize;
use crate::money::{AmountError, Currency, parse_amount};

/// A TOML table of currency code = amount in quotes.
pub(super) type RawMoneyMap = BTreeMap<Spanned<String>, Spanned<String>>;

/// Reads `{ COP = "100", USD = "0.05" }` at `key`; every problem is pushed, located.
pub(super) fn money_map(
    key: &str,
    raw: RawMoneyMap,
    at: &(impl Fn(Range<usize>, String) -> PolicyProblem + ?Sized),
    problems: &mut Vec<PolicyProblem>,
) -> BTreeMap<Currency, Decimal> {
    let mut out = BTreeMap::new();
    for (code, amount) in raw {
        let currency = Currency::parse(code.get_ref());
        let value = parse_amount(amount.get_ref())
            .ok()
            .filter(|v| !v.is_sign_negative());
        match (currency, value) {
            (None, _) => problems.push(at(code.span(), format!("{key}: \"{}\" is not a currency code (expected 3 letters such as COP or USD)", sanitize(code.get_ref())))),
            (Some(c), None) => problems.push(at(amount.span(), format!("{key}.{c}: \"{}\" is not an amount (expected a plain positive decimal in quotes, such as \"0.05\")", sanitize(amount.get_ref())))),
            (Some(c), Some(_)) if out.contains_key(&c) => problems.push(at(code.span(), format!("{key}: {c} is given twice"))),
            (Some(c), Some(v)) if v.normalize().scale() > c.minor_units() => problems.push(at(amount.span(), format!("{key}.{c}: \"{}\" has more decimal places than {c} has ({})", sanitize(amount.get_ref()), c.minor_units()))),
            (Some(c), Some(v)) => drop(out.insert(c, v)),
        }
    }
    out
}

/// Reads a non-negative decimal in quotes, at most `max` when given (a share is at most 1).
pub(super) fn decimal(
    key: &str,
    raw: &Spanned<String>,
    max: Option<Decimal>,
    at: &(impl Fn(Range<usize>, String) -> PolicyProblem + ?Sized),
    problems: &mut Vec<PolicyProblem>,
) -> Option<Decimal> {
    // A rate may carry more decimals than an amount (2,000 / 23,000 = 0.0869565…).
    let text = raw.get_ref().trim();
    let value = match parse_amount(text) {
        Err(AmountError::TooManyDecimals) => Decimal::from_str_exact(text).ok(),
        parsed => parsed.ok(),
    };
    let value = value.filter(|v| !v.is_sign_negative());
    match (value, max) {
        (Some(v), Some(m)) if v > m => {
            problems.push(at(
                raw.span(),
                format!(
                    "{key}: \"{}\" is not a share between 0 and {m}",
                    sanitize(raw.get_ref())
                ),
            ));
            None
        }
        (Some(v), _) => Some(v),
        (None, Some(m)) => {
            problems.push(at(raw.span(), format!("{key}: \"{}\" is not a share between 0 and {m} (write it in quotes, such as \"0.50\")", sanitize(raw.get_ref()))));
            None
        }
        (None, None) => {
            problems.push(at(raw.span(), format!("{key}: \"{}\" is not a number (expected a plain positive decimal in quotes, such as \"1.00\")", sanitize(raw.get_ref()))));
            None
        }
    }
}
