//! Validation of `[[aging.buckets]]`: strictly increasing `max_days`, one open-ended bucket
//! and last, unique labels that can safely head a CSV column.

use std::ops::Range;

use toml::Spanned;

use rust_decimal::Decimal;

use super::values::decimal;
use super::{Bucket, PolicyProblem, RESERVED_LABELS, RawBucket};

pub(super) fn validate_buckets(
    raw: Vec<Spanned<RawBucket>>,
    at: &impl Fn(Range<usize>, String) -> PolicyProblem,
) -> Result<Vec<Bucket>, Vec<PolicyProblem>> {
    let mut problems = Vec::new();
    let mut out: Vec<Bucket> = Vec::new();
    let last = raw.len().saturating_sub(1);
    for (i, spanned) in raw.into_iter().enumerate() {
        let span = spanned.span();
        let b = spanned.into_inner();
        let label = b.label.get_ref().trim().to_string();
        let key = format!("aging.buckets[{i}]");
        if label.is_empty() || crate::error::sanitize(&label) != label {
            problems.push(at(
                b.label.span(),
                format!("{key}.label: a label must be non-empty printable text"),
            ));
        } else if crate::render::starts_like_formula(&label) {
            problems.push(at(b.label.span(), format!("{key}.label: \"{label}\" starts with a character a spreadsheet reads as a formula; choose another label")));
        } else if RESERVED_LABELS.contains(&label.to_lowercase().as_str()) {
            problems.push(at(b.label.span(), format!("{key}.label: \"{label}\" is the name of another output column; choose another label")));
        } else if let Some(j) = out
            .iter()
            .position(|o| o.label.eq_ignore_ascii_case(&label))
        {
            problems.push(at(b.label.span(), format!("{key}.label: \"{label}\" is already the label of aging.buckets[{j}] (labels must be unique)")));
        }
        match (&b.max_days, i == last) {
            (None, false) => problems.push(at(span, format!("{key}: only the last bucket may leave out max_days (it is the open-ended one)"))),
            (Some(m), true) => problems.push(at(m.span(), format!("{key}.max_days: the last bucket must leave out max_days, so that it takes every older invoice"))),
            (Some(m), false) => {
                let days = *m.get_ref();
                if let Some((j, prev)) = out.iter().enumerate().rev().find_map(|(j, o)| o.max_days.map(|p| (j, p)))
                    && days <= prev {
                        problems.push(at(m.span(), format!("{key}.max_days: {days} is not greater than {prev}, the max_days of aging.buckets[{j}] (max_days must strictly increase)")));
                    }
            }
            (None, true) => {}
        }
        let rate = b.provision_rate.as_ref().and_then(|r| {
            decimal(
                &format!("{key}.provision_rate"),
                r,
                Some(Decimal::ONE),
                at,
                &mut problems,
            )
        });
        out.push(Bucket {
            label,
            max_days: b.max_days.map(|m| *m.get_ref()),
            provision_rate: rate.unwrap_or_default(),
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}
